/**
 * Resolving a configuration's Key Vault references before anything is declared: values become
 * SecretValues that remember their reference (so the revision is the driver's), each URI is read
 * once, a value that breaks Azure's rules is refused like a configured one, and failures are all
 * reported at once — never with a value.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import { configurationRevision, isSecretValue, parseStackConfig } from "../../program/config";
import {
  hasKeyVaultReferences,
  KeyVaultSecretError,
  resolveKeyVaultSecrets,
  type SecretReader,
} from "../../program/secrets";
import { adConfig, entraConfig, withValue } from "../program/config/fixtures";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "./keyVaultEmulator";
import { emulatorReader, recordingCredential } from "./support";

const SHC = "avd-rollout:sessionHostConfiguration";
const ADMIN = `${SHC}.vmAdminCredentials`;
const JOIN = `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials`;
const KV_ADMIN_PASSWORD = "Kv-Adm1n-Pa55word!";
const KV_JOIN_PASSWORD = "Kv-J0in-Pa55word#";

let emulator: KeyVaultEmulator;
let reader: SecretReader;

beforeAll(async () => {
  emulator = await startKeyVaultEmulator();
  reader = emulatorReader(emulator, recordingCredential());
  emulator.setSecret("kv-avd", "admin-username", "kvadmin");
  emulator.setSecret("kv-avd", "admin-password", KV_ADMIN_PASSWORD);
  emulator.setSecret("kv-avd", "join-username", "svc-join@corp.contoso.com");
  emulator.setSecret("kv-avd", "join-password", KV_JOIN_PASSWORD);
  emulator.setSecret("kv-avd", "weak-password", "password");
  emulator.setSecret("kv-avd", "reserved-name", "Administrator");
});
afterAll(() => emulator.close());

/** The AD configuration with all four credentials in Key Vault, written with Azure's field names. */
function keyVaultConfig(
  names: Partial<Record<"adminUser" | "adminPass" | "joinUser" | "joinPass", string>> = {},
) {
  const raw = adConfig();
  withValue(raw, ADMIN, {
    usernameKeyVaultSecretUri: emulator.uri("kv-avd", names.adminUser ?? "admin-username"),
    passwordKeyVaultSecretUri: emulator.uri("kv-avd", names.adminPass ?? "admin-password"),
  });
  withValue(raw, JOIN, {
    usernameKeyVaultSecretUri: emulator.uri("kv-avd", names.joinUser ?? "join-username"),
    passwordKeyVaultSecretUri: emulator.uri("kv-avd", names.joinPass ?? "join-password"),
  });
  return parseStackConfig(raw);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("resolveKeyVaultSecrets", () => {
  it("replaces every reference by its value, as secrets that keep the driver's revision", async () => {
    const config = keyVaultConfig();
    expect(hasKeyVaultReferences(config)).toBe(true);
    const resolved = await resolveKeyVaultSecrets(config, reader);
    const admin = resolved.sessionHostConfiguration.vmAdminCredentials;
    const domain = resolved.sessionHostConfiguration.domainInfo;
    expect(isSecretValue(admin.username) && admin.username.reveal()).toBe("kvadmin");
    expect(isSecretValue(admin.password) && admin.password.reveal()).toBe(KV_ADMIN_PASSWORD);
    if (domain.joinType !== "ActiveDirectory") throw new Error("expected an AD join");
    const join = domain.activeDirectoryInfo.domainCredentials;
    expect(isSecretValue(join.username) && join.username.reveal()).toBe("svc-join@corp.contoso.com");
    expect(isSecretValue(join.password) && join.password.reveal()).toBe(KV_JOIN_PASSWORD);
    expect(configurationRevision(resolved)).toBe(configurationRevision(config));
    expect(Object.isFrozen(resolved.sessionHostConfiguration.vmAdminCredentials)).toBe(true);
    // Nothing of the values shows when the configuration is printed.
    const printed = JSON.stringify(resolved);
    for (const value of [KV_ADMIN_PASSWORD, KV_JOIN_PASSWORD, "kvadmin", "svc-join"]) {
      expect(printed).not.toContain(value);
    }
  });

  it("reads a URI once even when both accounts name it", async () => {
    const before = emulator.requests.filter((r) => r.status === 200).length;
    await resolveKeyVaultSecrets(keyVaultConfig({ joinPass: "admin-password" }), reader);
    expect(emulator.requests.filter((r) => r.status === 200).length - before).toBe(3);
  });

  it("returns a configuration without references as it is, reading nothing", async () => {
    const config = parseStackConfig(entraConfig());
    const before = emulator.requests.length;
    const failing: SecretReader = {
      read: () => Promise.reject(new Error("must not be called")),
    };
    expect(await resolveKeyVaultSecrets(config, failing)).toBe(config);
    expect(emulator.requests.length).toBe(before);
  });

  it("mixes a configured username with a password from Key Vault", async () => {
    const raw = entraConfig();
    withValue(raw, ADMIN, {
      username: "avdadmin",
      passwordKeyVaultSecretUri: emulator.uri("kv-avd", "admin-password"),
    });
    const resolved = await resolveKeyVaultSecrets(parseStackConfig(raw), reader);
    expect(resolved.sessionHostConfiguration.vmAdminCredentials.username).toBe("avdadmin");
  });

  it("refuses values that break Azure's rules, naming the key, vault and secret but not the value", async () => {
    const error = await rejection(
      resolveKeyVaultSecrets(
        keyVaultConfig({ adminUser: "reserved-name", adminPass: "weak-password" }),
        reader,
      ),
    );
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain(
      `${ADMIN}.usernameKeyVaultSecretUri: the username in secret "reserved-name" of Key Vault "kv-avd" is a name Azure reserves`,
    );
    expect(error.message).toContain(
      `${ADMIN}.passwordKeyVaultSecretUri: the password in secret "weak-password"`,
    );
    expect(error.message).toContain("az keyvault secret set --vault-name kv-avd --name weak-password");
    expect(error.message).toMatch(/2 problems; nothing was changed/);
    expect(error.message).not.toMatch(/Administrator|: password\b/);
  });

  it("reports every secret it cannot read at once", async () => {
    const error = await rejection(
      resolveKeyVaultSecrets(keyVaultConfig({ adminPass: "gone-1", joinPass: "gone-2" }), reader),
    );
    expect(error).toBeInstanceOf(KeyVaultSecretError);
    expect(error.message).toContain(`${ADMIN}.passwordKeyVaultSecretUri: cannot read the secret "gone-1"`);
    expect(error.message).toContain(`${JOIN}.passwordKeyVaultSecretUri: cannot read the secret "gone-2"`);
  });
});
