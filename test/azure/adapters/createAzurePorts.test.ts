/**
 * The factory the CLI uses: every SDK client asks for a token of the chosen cloud's ARM
 * audience, talks to the given endpoint, and trusts only the CA it is given.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { afterEach, describe, expect, it } from "vitest";
import { azureTargetFromConfig, createAzurePorts } from "../../../automation/azure/createAzurePorts";
import { InputError } from "../../../automation/core/errors";
import { EMULATOR_TOKEN, startArmEmulator, type ArmEmulator } from "../emulator/server";
import { MemoryBackend } from "../emulator/memory-backend";

let emulator: ArmEmulator | undefined;

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

function recordingCredential(scopes: string[]): TokenCredential {
  return {
    getToken: async (requested: string | string[], _options?: GetTokenOptions): Promise<AccessToken> => {
      scopes.push(...(Array.isArray(requested) ? requested : [requested]));
      return { token: EMULATOR_TOKEN, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
}

describe("createAzurePorts", () => {
  it.each([
    ["public", "https://management.azure.com/.default"],
    ["usgovernment", "https://management.usgovcloudapi.net/.default"],
    ["china", "https://management.chinacloudapi.cn/.default"],
  ] as const)("asks for %s cloud ARM tokens on every client", async (cloud, scope) => {
    const backend = new MemoryBackend();
    emulator = await startArmEmulator({ backend });
    const { vmResourceId } = backend.addHost({ host: "avdprod-0" });
    const scopes: string[] = [];
    const ports = createAzurePorts({
      subscriptionId: backend.subscriptionId,
      hostPool: { name: backend.hostPoolName, resourceGroupName: backend.resourceGroupName },
      cloud,
      credential: recordingCredential(scopes),
      endpoint: emulator.url,
      pipelineOptions: { tlsOptions: { ca: emulator.ca } },
      tuning: { lroPollIntervalMs: 1 },
    });
    await ports.hostPool.listSessionHosts();
    await ports.compute.deleteVm(vmResourceId); // compute and network clients
    expect(new Set(scopes)).toEqual(new Set([scope]));
    expect(emulator.log.violations()).toEqual([]);
  });

  it("does not trust the emulator's certificate unless told to", async () => {
    const backend = new MemoryBackend();
    emulator = await startArmEmulator({ backend });
    const ports = createAzurePorts({
      subscriptionId: backend.subscriptionId,
      hostPool: { name: backend.hostPoolName, resourceGroupName: backend.resourceGroupName },
      credential: recordingCredential([]),
      endpoint: emulator.url,
      tuning: { retry: { maxRetries: 0 } },
    });
    await expect(ports.hostPool.listSessionHosts()).rejects.toMatchObject({ name: "PortError" });
    expect(emulator.log.all()).toEqual([]);
  });
});

describe("azureTargetFromConfig", () => {
  const sub = "11111111-2222-3333-4444-555555555555";

  it("reads the azure-native keys", () => {
    const target = azureTargetFromConfig(
      { "azure-native:environment": "china", "azure-native:subscriptionId": sub },
      {},
    );
    expect(target.subscriptionId).toBe(sub);
    expect(target.cloud.name).toBe("china");
  });

  it("defaults to the public cloud and the environment's subscription", () => {
    const target = azureTargetFromConfig({}, { AZURE_SUBSCRIPTION_ID: sub });
    expect(target).toMatchObject({ subscriptionId: sub, cloud: { name: "public" } });
  });

  it("refuses a bad environment before anything is touched", () => {
    expect(() =>
      azureTargetFromConfig({ "azure-native:environment": "germany" }, { AZURE_SUBSCRIPTION_ID: sub }),
    ).toThrow(InputError);
  });
});
