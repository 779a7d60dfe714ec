/**
 * One rollout per pool where the host pool has no etag (the 2024-04-03 specification's mode,
 * which the emulator follows: no etag, If-Match ignored, tags replaced as a whole by PATCH).
 * The record write protocol (automation/azure/recordWrite.ts) must let exactly one of many
 * racing writers win, report a write that applied but whose answer was lost as a success (not a
 * false conflict), and undo a write of its own that landed late over a winner's.
 *
 * These run in real time (the protocol's point is concurrency over real HTTP) with the
 * protocol's intervals shrunk to tens of milliseconds. Its safety does not depend on how fast
 * the machine is: a slow answer only sends a writer down the slower, polling path.
 */
import { performance } from "node:perf_hooks";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createAzurePorts } from "../../../automation/azure/createAzurePorts";
import type { RecordWriteTuning } from "../../../automation/azure/tuning";
import { PortError } from "../../../automation/core/errors";
import { type HostPoolPort, RecordConflictError } from "../../../automation/core/ports";
import type { RolloutRecord } from "../../../automation/core/record";
import { emulatorCredential } from "../emulator/credential";
import type { FaultRule } from "../emulator/faults";
import { MemoryBackend } from "../emulator/memory-backend";
import { type ArmEmulator, startArmEmulator } from "../emulator/server";

const RECORD: RecordWriteTuning = {
  maxReadToWriteMs: 150,
  writeTimeoutMs: 300,
  settleMs: 600,
  pollIntervalMs: 20,
  pollReadTimeoutMs: 200,
  lateWriteHorizonMs: 2_500,
};

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function record(owner: string): RolloutRecord {
  return {
    version: 2,
    id: `rollout-of-${owner}`,
    status: "running",
    revision: "rev-1",
    params: { batchSize: 2, logOffDelayMinutes: 30, logOffMessage: "bye", deleteOriginalVm: false },
    owner,
    heartbeat: "2026-11-25T20:00:00.000Z",
    startedAt: "2026-11-25T20:00:00.000Z",
    planned: ["avdprod-0", "avdprod-1"],
    hosts: {},
  };
}

let backend: MemoryBackend;
let emulator: ArmEmulator;

beforeEach(async () => {
  backend = new MemoryBackend();
  backend.setHostPoolTags({ costCenter: "42" });
  emulator = await startArmEmulator({ backend });
});

afterEach(async () => {
  const violations = emulator.log.violations();
  await emulator.close();
  expect(violations).toEqual([]);
});

/** Another machine: its own adapters (own clients, own throttle gate) on the same pool. */
function machine(record: Partial<RecordWriteTuning> = {}): HostPoolPort {
  return createAzurePorts({
    subscriptionId: backend.subscriptionId,
    hostPool: { name: backend.hostPoolName, resourceGroupName: backend.resourceGroupName },
    credential: emulatorCredential(),
    endpoint: emulator.url,
    pipelineOptions: { tlsOptions: { ca: emulator.ca } },
    tuning: {
      retry: { retryDelayMs: 10, maxRetryDelayMs: 50, attemptTimeoutMs: 2_000, sleep: realSleep },
      record: { ...RECORD, ...record },
      sleep: realSleep,
      monotonicNow: () => performance.now(),
    },
  }).hostPool;
}

/**
 * What `start` does with the port: read; a record held by someone else means busy; else write,
 * and after a conflict or a failure look again. Returns whether this machine holds the pool.
 */
async function acquire(port: HostPoolPort, owner: string): Promise<"holder" | "busy"> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const stored = await port.readRecord().catch((error: unknown) => {
      if (error instanceof PortError && error.kind === "transient") return undefined;
      throw error;
    });
    if (stored === undefined) continue;
    if (stored.record) return stored.record.owner === owner ? "holder" : "busy";
    try {
      await port.writeRecord(record(owner), stored.etag);
      return "holder";
    } catch (error) {
      if (error instanceof RecordConflictError) continue;
      if (error instanceof PortError && error.kind === "transient") continue;
      throw error;
    }
  }
  throw new Error(`${owner} could not decide whether it holds the pool`);
}

async function race(
  writers: number,
  faults: FaultRule[],
): Promise<{ holders: string[]; stored: string | undefined }> {
  for (const fault of faults) emulator.faults.inject(fault);
  const owners = Array.from({ length: writers }, (_, i) => `machine-${i}`);
  const ports = owners.map(() => machine());
  const outcomes = await Promise.all(owners.map((owner, i) => acquire(ports[i]!, owner)));
  emulator.faults.clear();
  const holders = owners.filter((_, i) => outcomes[i] === "holder");
  const stored = (await machine().readRecord()).record?.owner;
  return { holders, stored };
}

describe("one rollout per pool without an etag", () => {
  it("lets exactly one of two machines win when both read before either writes", async () => {
    // The first PATCH to arrive is held back, so both machines read before either write lands.
    emulator.faults.inject({ routes: ["HostPools_Update"], times: 1, action: { kind: "delay", ms: 200 } });
    const [a, b] = [machine(), machine()];
    const results = await Promise.allSettled([
      a.writeRecord(record("a"), null),
      b.writeRecord(record("b"), null),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(RecordConflictError);
    const stored = await a.readRecord();
    expect(stored.etag).toBe((won[0] as PromiseFulfilledResult<string>).value);
    expect(backend.hostPoolTags()["costCenter"]).toBe("42");
    // No If-Match was sent (the emulator records it as off-specification).
  });

  it.each<[string, FaultRule[]]>([
    ["no faults", []],
    [
      "lost responses, applied 500s and resets on the writes",
      [
        { routes: ["HostPools_Update"], times: 2, action: { kind: "lostResponse" } },
        {
          routes: ["HostPools_Update"],
          skip: 2,
          times: 1,
          action: { kind: "status", status: 500, afterApply: true },
        },
        { routes: ["HostPools_Update"], skip: 3, times: 1, action: { kind: "reset" } },
      ],
    ],
    [
      "slow and late-applied writes",
      [
        { routes: ["HostPools_Update"], times: 2, action: { kind: "delay", ms: 250 } },
        {
          routes: ["HostPools_Update"],
          skip: 2,
          times: 1,
          action: { kind: "lateApply", applyAfterMs: 900, respond: "gatewayTimeout" },
        },
      ],
    ],
    [
      "throttled and failing reads",
      [
        { routes: ["HostPools_Get"], skip: 3, times: 3, action: { kind: "status", status: 503 } },
        {
          routes: ["HostPools_Get"],
          skip: 8,
          times: 2,
          action: { kind: "throttle", retryAfter: { milliseconds: 30 } },
        },
        { routes: ["HostPools_Update"], skip: 1, times: 1, action: { kind: "lostResponse" } },
      ],
    ],
  ])("exactly one of six racing machines holds the pool (%s)", async (_name, faults) => {
    const { holders, stored } = await race(6, faults);
    expect(holders).toHaveLength(1);
    expect(stored).toBe(holders[0]);
    expect(backend.hostPoolTags()["costCenter"]).toBe("42");
  });
});

describe("a write whose answer is lost", () => {
  it.each<[string, FaultRule["action"]]>([
    ["the connection dropped after it applied", { kind: "lostResponse" }],
    ["a 500 after it applied", { kind: "status", status: 500, afterApply: true }],
    ["a 504 while it applied late", { kind: "lateApply", applyAfterMs: 400, respond: "gatewayTimeout" }],
  ])("is found applied and reported as a success, not a conflict: %s", async (_name, action) => {
    const port = machine();
    emulator.faults.inject({ routes: ["HostPools_Update"], times: 1, action });
    const token = await port.writeRecord(record("a"), null);
    expect(await port.readRecord()).toEqual({ record: record("a"), etag: token });
    // One PATCH: the outcome was learnt by reading, not by writing again.
    expect(emulator.log.byRoute("HostPools_Update")).toHaveLength(1);
  });

  it("is written again when it certainly did not apply (the read shows the old record until the horizon)", async () => {
    const port = machine({ lateWriteHorizonMs: 200 });
    emulator.faults.inject({ routes: ["HostPools_Update"], times: 1, action: { kind: "reset" } });
    const token = await port.writeRecord(record("a"), null);
    expect((await port.readRecord()).etag).toBe(token);
    expect(emulator.log.byRoute("HostPools_Update").map((r) => r.status)).toEqual([0, 200]);
  });

  it("undoes itself when it lands late over another machine's record, which keeps the pool", async () => {
    const late = machine();
    const prompt = machine();
    // The late machine's write is accepted but applied only after the other has won.
    emulator.faults.inject({
      routes: ["HostPools_Update"],
      times: 1,
      action: { kind: "lateApply", applyAfterMs: 1_200, respond: "hang", hangMs: 1_500 },
    });
    const lateWrite = late.writeRecord(record("late"), null).catch((error: unknown) => error);
    await waitFor(() => emulator.log.byRoute("HostPools_Update").length === 1);
    const winner = await prompt.writeRecord(record("prompt"), null);
    expect(await lateWrite).toBeInstanceOf(RecordConflictError);
    // The late write did land (the log shows it) and was put back: the winner still holds.
    expect(await prompt.readRecord()).toEqual({ record: record("prompt"), etag: winner });
    expect(backend.hostPoolTags()["costCenter"]).toBe("42");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
