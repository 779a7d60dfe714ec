/**
 * The whole retry stack on virtual time: the Azure adapters (with their own port wrapper and the
 * HTTP retry policy) inside the driver's port wrapper (automation/core/retryingPorts.ts), over
 * HTTPS to the ARM emulator, all reading one VirtualClock. Every HTTP attempt is held (virtual
 * time stands still while it is on the wire); every wait — Retry-After, backoff, the throttle
 * gate, drain verification, the record protocol — is a virtual sleep. So a test can check *when*
 * each request reached the emulator (its log carries virtual times) without waiting for real.
 *
 * Successful long-running operations poll with a real delay, which virtual time cannot see: keep
 * them out of tests built on this.
 */
import type { PipelinePolicy } from "@azure/core-rest-pipeline";
import { createAzurePorts } from "../../../automation/azure/createAzurePorts";
import type { AdapterTuningInput } from "../../../automation/azure/tuning";
import type { ComputePort, HostPoolPort } from "../../../automation/core/ports";
import { computeWithRetries, hostPoolWithRetries } from "../../../automation/core/retryingPorts";
import { VirtualClock } from "../../../automation/sim/virtualClock";
import { emulatorCredential } from "../emulator/credential";
import { MemoryBackend } from "../emulator/memory-backend";
import { type ArmEmulator, startArmEmulator } from "../emulator/server";

export const VIRTUAL_START = Date.parse("2026-11-25T20:00:00Z");

export interface VirtualTimeStack {
  clock: VirtualClock;
  backend: MemoryBackend;
  emulator: ArmEmulator;
  /** The ports as the driver sees them: its wrapper around the adapters' own. */
  hostPool: HostPoolPort;
  compute: ComputePort;
  /** Runs a call to completion, driving virtual time. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Runs a call and returns what it threw (fails if it did not throw). */
  failure(call: () => Promise<unknown>): Promise<unknown>;
  close(): Promise<void>;
}

export async function startVirtualTimeStack(tuning: AdapterTuningInput = {}): Promise<VirtualTimeStack> {
  const clock = new VirtualClock(VIRTUAL_START);
  const backend = new MemoryBackend();
  const emulator = await startArmEmulator({ backend, now: () => clock.now() });
  const sleep = (ms: number): Promise<void> => clock.sleep(ms);
  const holdAttempt: PipelinePolicy = {
    name: "holdVirtualTimeWhileOnTheWire",
    sendRequest: (request, next) => clock.hold(next(request)),
  };
  const azure = createAzurePorts({
    subscriptionId: backend.subscriptionId,
    hostPool: { name: backend.hostPoolName, resourceGroupName: backend.resourceGroupName },
    credential: emulatorCredential(),
    endpoint: emulator.url,
    pipelineOptions: {
      tlsOptions: { ca: emulator.ca },
      additionalPolicies: [{ policy: holdAttempt, position: "perRetry" }],
    },
    tuning: {
      lroPollIntervalMs: 1,
      drainVerifyDelayMs: 5_000,
      ...tuning,
      retry: { attemptTimeoutMs: 1_000, random: () => 1, ...tuning.retry, sleep, now: () => clock.now() },
      sleep,
      now: () => clock.now(),
      monotonicNow: () => clock.now(),
    },
  });
  const run = <T>(call: () => Promise<T>): Promise<T> => clock.runUntilSettled(call());
  return {
    clock,
    backend,
    emulator,
    // The driver wraps whatever ports it is given (reconciler.ts: withTransientRetries).
    hostPool: hostPoolWithRetries(azure.hostPool, clock),
    compute: computeWithRetries(azure.compute, clock),
    run,
    failure: async (call) => {
      try {
        await run(call);
      } catch (error) {
        return error;
      }
      throw new Error("the call was expected to fail");
    },
    close: () => emulator.close(),
  };
}
