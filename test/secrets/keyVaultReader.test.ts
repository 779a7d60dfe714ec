/**
 * Reading credentials from Key Vault over real HTTPS: the SDK's challenge-based authentication
 * against the local emulator, and an error for every way a read fails that names the key, the
 * vault, the secret and what is missing — never the value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyVaultSecretError, type SecretReader } from "../../program/secrets";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "./keyVaultEmulator";
import { emulatorReader, recordingCredential, type RecordingCredential } from "./support";

const KEY = "avd-rollout:sessionHostConfiguration.vmAdminCredentials.passwordKeyVaultSecretUri";
const VALUE = "Kv-Adm1n-Pa55word!";

let emulator: KeyVaultEmulator;
let credential: RecordingCredential;
let reader: SecretReader;

beforeAll(async () => {
  emulator = await startKeyVaultEmulator();
  credential = recordingCredential();
  reader = emulatorReader(emulator, credential);
});
afterAll(() => emulator.close());

async function failure(read: Promise<unknown>): Promise<KeyVaultSecretError> {
  try {
    await read;
  } catch (error) {
    if (error instanceof KeyVaultSecretError) return error;
    throw error;
  }
  throw new Error("expected the read to fail");
}

describe("reading a Key Vault secret", () => {
  it("answers the vault's challenge, then reads the current version as a SecretValue", async () => {
    emulator.setSecret("kv-avd", "admin-password", "old-value-1!Aa");
    emulator.setSecret("kv-avd", "admin-password", VALUE);
    const before = emulator.requests.length;
    const uri = emulator.uri("kv-avd", "admin-password");
    const secret = await reader.read({ reference: { keyVaultSecretUri: uri }, keyPath: KEY });
    expect(secret.reveal()).toBe(VALUE);
    expect(secret.source).toEqual({ keyVaultSecretUri: uri });
    expect(String(secret)).toBe("[secret]");
    const requests = emulator.requests.slice(before);
    // First unauthenticated (the challenge), then with the token the credential gave.
    expect(requests.map((r) => [r.status, r.authorization !== undefined])).toEqual([
      [401, false],
      [200, true],
    ]);
    expect(requests[1]!.path).toMatch(/^\/secrets\/admin-password\/?$/);
    expect(requests[1]!.apiVersion).toMatch(/^(7\.\d|20\d\d-\d\d-\d\d)$/);
    // The token is for the resource the challenge named, in its tenant.
    expect(credential.scopes).toContainEqual(["https://vault.azure.net/.default"]);
    expect(credential.tenants).toContain("72f988bf-86f1-41af-91ab-2d7cd011db47");
  });

  it("never sends a token to a vault whose challenge names another resource", async () => {
    emulator.setSecret("kv-avd", "admin-password-3", VALUE);
    const asked = recordingCredential();
    emulator.challengeResource = "https://attacker.example";
    try {
      const error = await failure(
        emulatorReader(emulator, asked).read({
          reference: { keyVaultSecretUri: emulator.uri("kv-avd", "admin-password-3") },
          keyPath: KEY,
        }),
      );
      expect(error.message).toContain("does not match the requested domain");
      expect(asked.scopes).toEqual([]);
    } finally {
      emulator.challengeResource = "https://vault.azure.net";
    }
  });

  it("reads a pinned version", async () => {
    const pinned = emulator.setSecret("kv-avd", "join-password", "Pinned-J0in-Pass!");
    emulator.setSecret("kv-avd", "join-password", "Newer-J0in-Pass!");
    const secret = await reader.read({
      reference: { keyVaultSecretUri: emulator.uri("kv-avd", "join-password", pinned) },
      keyPath: KEY,
    });
    expect(secret.reveal()).toBe("Pinned-J0in-Pass!");
    expect(emulator.requests[emulator.requests.length - 1]!.path).toBe(`/secrets/join-password/${pinned}`);
  });

  it("names the vault, the secret and the missing permission when the identity may not get secrets", async () => {
    emulator.setSecret("kv-locked", "admin-password", VALUE);
    emulator.forbidden.add("kv-locked");
    const uri = emulator.uri("kv-locked", "admin-password");
    const error = await failure(reader.read({ reference: { keyVaultSecretUri: uri }, keyPath: KEY }));
    expect(error.message).toContain(KEY);
    expect(error.message).toContain('secret "admin-password" in Key Vault "kv-locked"');
    expect(error.message).toContain(uri);
    expect(error.message).toContain("lacks the permission to get secrets");
    expect(error.message).toContain("does not have secrets get permission"); // Key Vault's own words
    expect(error.message).toContain('"Key Vault Secrets User" role on vault kv-locked');
    expect(error.message).toContain("--secret-permissions get");
    expect(error.message).not.toContain(VALUE);
  });

  it("says so when the vault's firewall refuses the machine", async () => {
    emulator.setSecret("kv-fenced", "admin-password", VALUE);
    emulator.firewalled.add("kv-fenced");
    const error = await failure(
      reader.read({
        reference: { keyVaultSecretUri: emulator.uri("kv-fenced", "admin-password") },
        keyPath: KEY,
      }),
    );
    expect(error.message).toMatch(/firewall refuses this machine/);
    expect(error.message).toContain("az keyvault network-rule add --name kv-fenced");
  });

  it("says how to create a secret that does not exist", async () => {
    const error = await failure(
      reader.read({
        reference: { keyVaultSecretUri: emulator.uri("kv-avd", "no-such-secret") },
        keyPath: KEY,
      }),
    );
    expect(error.message).toContain('secret "no-such-secret" in Key Vault "kv-avd"');
    expect(error.message).toContain("does not exist (404 SecretNotFound)");
    expect(error.message).toContain("az keyvault secret set --vault-name kv-avd --name no-such-secret");
  });

  it("says how to enable a disabled secret", async () => {
    emulator.setSecret("kv-avd", "retired", VALUE, { enabled: false });
    const error = await failure(
      reader.read({ reference: { keyVaultSecretUri: emulator.uri("kv-avd", "retired") }, keyPath: KEY }),
    );
    expect(error.message).toContain("the secret is disabled");
    expect(error.message).toContain("--enabled true");
    expect(error.message).not.toContain(VALUE);
  });

  it("says the token was refused when Key Vault does not accept it", async () => {
    emulator.setSecret("kv-avd", "admin-password-2", VALUE);
    const wrongToken = emulatorReader(emulator, recordingCredential("a-token-for-another-audience"));
    const error = await failure(
      wrongToken.read({
        reference: { keyVaultSecretUri: emulator.uri("kv-avd", "admin-password-2") },
        keyPath: KEY,
      }),
    );
    expect(error.message).toMatch(/Key Vault refused the credential's token \(401/);
    expect(error.message).toContain("az login --tenant");
  });

  it("says no credential is available when the chain finds none", async () => {
    const unavailable = Object.assign(new Error("DefaultAzureCredential: Azure CLI is not installed"), {
      name: "CredentialUnavailableError",
    });
    const noCredential = emulatorReader(emulator, {
      getToken: async () => {
        throw unavailable;
      },
    });
    const error = await failure(
      noCredential.read({
        reference: { keyVaultSecretUri: emulator.uri("kv-avd", "admin-password") },
        keyPath: KEY,
      }),
    );
    expect(error.message).toContain("no Azure credential could get a token for Key Vault");
    expect(error.message).toContain("az login");
  });

  it("says the vault cannot be reached when nothing answers", async () => {
    // The emulator's agent sends every host to 127.0.0.1; nobody listens on port 1 there.
    const error = await failure(
      reader.read({
        reference: { keyVaultSecretUri: "https://kv-avd.vault.azure.net:1/secrets/x" },
        keyPath: KEY,
      }),
    );
    expect(error.message).toContain("the vault could not be reached");
    expect(error.message).toContain("https://kv-avd.vault.azure.net:1");
  });
});
