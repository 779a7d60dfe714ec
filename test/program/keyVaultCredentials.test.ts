/**
 * The program with every credential in Key Vault, written with Azure's field names
 * (`usernameKeyVaultSecretUri`, `passwordKeyVaultSecretUri`): the inline program reads them over
 * HTTPS from the local Key Vault before declaring anything, hands them to the VM and the domain
 * join only as Pulumi secrets, and keeps the revision the driver computes without Key Vault.
 * A secret it cannot read stops it with nothing declared.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configurationRevision, parseStackConfig } from "../../program/config";
import type * as StackProgramModule from "../../program/stackProgram";
import { startKeyVaultEmulator, type KeyVaultEmulator } from "../secrets/keyVaultEmulator";
import { emulatorReader, recordingCredential } from "../secrets/support";
import { adConfig, type Raw } from "./config/fixtures";
import {
  installMockRuntime,
  isSerializedSecret,
  revealSerialized,
  withoutSecrets,
  type MockRuntime,
} from "./mockRuntime";

const SHC = "avd-rollout:sessionHostConfiguration";
const ADMIN_USER = "kvadmin";
const ADMIN_PASSWORD = "Kv-Adm1n-Pa55word!";
const JOIN_USER = "svc-kvjoin@corp.contoso.com";
const JOIN_PASSWORD = "Kv-J0in-Pa55word#";

let emulator: KeyVaultEmulator;
let runtime: MockRuntime;
let program: typeof StackProgramModule;

function engineConfig(raw: Raw): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

function keyVaultStack(adminPasswordSecret = "admin-password"): Raw {
  const raw = adConfig();
  (raw["avd-rollout:sessionHosts"] as Record<string, unknown>).count = 2;
  const shc = raw[SHC] as Record<string, unknown>;
  shc.vmAdminCredentials = {
    usernameKeyVaultSecretUri: emulator.uri("kv-avd", "admin-username"),
    passwordKeyVaultSecretUri: emulator.uri("kv-avd", adminPasswordSecret),
  };
  const domain = shc.domainInfo as { activeDirectoryInfo: Record<string, unknown> };
  domain.activeDirectoryInfo.domainCredentials = {
    usernameKeyVaultSecretUri: emulator.uri("kv-avd", "join-username"),
    passwordKeyVaultSecretUri: emulator.uri("kv-avd", "join-password"),
  };
  return raw;
}

beforeAll(async () => {
  emulator = await startKeyVaultEmulator();
  emulator.setSecret("kv-avd", "admin-username", ADMIN_USER);
  emulator.setSecret("kv-avd", "admin-password", ADMIN_PASSWORD);
  emulator.setSecret("kv-avd", "join-username", JOIN_USER);
  emulator.setSecret("kv-avd", "join-password", JOIN_PASSWORD);
  runtime = installMockRuntime();
  program = await import("../../program/stackProgram");
});

afterAll(async () => {
  pulumi.runtime.setAllConfig({}, []);
  await emulator.close();
});

describe("credentials from Key Vault", () => {
  it("reads them at deployment and passes them on only as secrets", async () => {
    const raw = keyVaultStack();
    pulumi.runtime.setAllConfig(engineConfig(raw), []);
    runtime.reset();
    const run = program.sessionHostsProgram(
      { hosts: ["avdcorp-1"], generationTime: new Date("2026-04-15T17:16:07Z") },
      { secretReader: emulatorReader(emulator, recordingCredential()) },
    );
    const outputs = (await run()) as { configurationRevision: string };
    await runtime.settle();

    // The driver parses the same stack without Key Vault and gets the same revision.
    expect(outputs.configurationRevision).toBe(configurationRevision(parseStackConfig(raw)));

    const vm = runtime.registrations.find(
      (r) => r.type === "azure-native:compute:VirtualMachine" && r.name.startsWith("avdcorp-1"),
    )!;
    const osProfile = vm.object.osProfile as Record<string, unknown>;
    const revealedProfile = revealSerialized(osProfile) as Record<string, unknown>;
    expect(revealedProfile.adminUsername).toBe(ADMIN_USER);
    expect(revealedProfile.adminPassword).toBe(ADMIN_PASSWORD);
    expect(isSerializedSecret(osProfile.adminPassword) || isSerializedSecret(osProfile)).toBe(true);
    expect(isSerializedSecret(osProfile.adminUsername) || isSerializedSecret(osProfile)).toBe(true);

    const join = runtime.registrations.find(
      (r) => r.type === "azure-native:compute:VirtualMachineExtension" && r.name === "avdcorp-1-domain-join",
    )!;
    expect(revealSerialized(join.object.protectedSettings)).toEqual({ Password: JOIN_PASSWORD });
    expect((revealSerialized(join.object.settings) as Record<string, unknown>).User).toBe(JOIN_USER);

    // Nowhere in plain text: not in any resource's unprotected inputs, nor in the outputs.
    for (const registration of runtime.registrations) {
      const visible = JSON.stringify(withoutSecrets(registration.object));
      for (const value of [ADMIN_USER, ADMIN_PASSWORD, JOIN_USER, JOIN_PASSWORD]) {
        expect(visible, registration.name).not.toContain(value);
      }
    }
    const printed = JSON.stringify(outputs);
    for (const value of [ADMIN_PASSWORD, JOIN_PASSWORD]) expect(printed).not.toContain(value);
  });

  it("declares nothing when a secret cannot be read", async () => {
    pulumi.runtime.setAllConfig(engineConfig(keyVaultStack("no-such-secret")), []);
    runtime.reset();
    const run = program.sessionHostsProgram(
      { hosts: ["avdcorp-1"], generationTime: new Date("2026-04-15T17:16:07Z") },
      { secretReader: emulatorReader(emulator, recordingCredential()) },
    );
    await expect(run()).rejects.toThrow(
      /vmAdminCredentials\.passwordKeyVaultSecretUri: cannot read the secret "no-such-secret" in Key Vault "kv-avd"/,
    );
    await runtime.settle();
    expect(runtime.registrations).toEqual([]);
  });
});
