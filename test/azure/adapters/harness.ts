/**
 * Starts E's HTTPS ARM emulator over an in-memory backend and builds the real adapters against
 * it, trusting the emulator's per-run certificate. Waits are recorded, never slept: the retry
 * policy's and the drain verification's sleeps resolve at once (a few ms of real time at most),
 * so tests assert on what the adapter chose to wait, not on the wall clock.
 */
import { createAzurePorts, type AzurePorts } from "../../../automation/azure/createAzurePorts";
import type { RetryInfo } from "../../../automation/azure/retryPolicy";
import type { AdapterTuning } from "../../../automation/azure/tuning";
import { emulatorCredential } from "../emulator/credential";
import { MemoryBackend } from "../emulator/memory-backend";
import { startArmEmulator, type ArmEmulator } from "../emulator/server";

export interface Harness {
  emulator: ArmEmulator;
  backend: MemoryBackend;
  ports: AzurePorts;
  /** Every retry the HTTP policy made, with the delay it chose. */
  retries: RetryInfo[];
  /** Every verification wait the adapters asked for (ms). */
  waits: number[];
  /** Another set of ports on the same emulator (a second machine). */
  morePorts(tuning?: Partial<AdapterTuning>): AzurePorts;
  close(): Promise<void>;
}

export async function startHarness(tuning: Partial<AdapterTuning> = {}, pageSize = 2): Promise<Harness> {
  const backend = new MemoryBackend();
  const emulator = await startArmEmulator({ backend, pageSize });
  const retries: RetryInfo[] = [];
  const waits: number[] = [];
  const build = (extra: Partial<AdapterTuning> = {}): AzurePorts =>
    createAzurePorts({
      subscriptionId: backend.subscriptionId,
      hostPool: { name: backend.hostPoolName, resourceGroupName: backend.resourceGroupName },
      cloud: "public",
      credential: emulatorCredential(),
      endpoint: emulator.url,
      pipelineOptions: { tlsOptions: { ca: emulator.ca } },
      tuning: {
        lroPollIntervalMs: 1,
        drainVerifyDelayMs: 1_000,
        sleep: async (ms) => {
          waits.push(ms);
        },
        ...tuning,
        ...extra,
        retry: {
          retryDelayMs: 500,
          attemptTimeoutMs: 2_000,
          sleep: async () => undefined,
          onRetry: (info) => retries.push(info),
          ...tuning.retry,
          ...extra.retry,
        },
      },
    });
  return {
    emulator,
    backend,
    ports: build(),
    retries,
    waits,
    morePorts: build,
    close: () => emulator.close(),
  };
}
