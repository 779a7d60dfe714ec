import { describe, expect, it } from "vitest";
import { BusyError, PortError } from "../../automation/core/errors";
import type { RolloutRecord } from "../../automation/core/record";
import { RecordStore } from "../../automation/core/recordStore";
import { MemoryHostPoolRecords } from "./fakes";

let now = Date.parse("2026-04-13T08:00:00.000Z");
const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };

function record(over: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    version: 2,
    id: "rollout-1",
    status: "running",
    revision: "r2",
    params: { batchSize: 2, logOffDelayMinutes: 30, logOffMessage: "bye", deleteOriginalVm: false },
    owner: "me",
    heartbeat: "2026-04-13T08:00:00.000Z",
    startedAt: "2026-04-13T08:00:00.000Z",
    planned: ["a", "b"],
    hosts: {},
    ...over,
  };
}

async function storeOn(pool: MemoryHostPoolRecords): Promise<RecordStore> {
  const stored = await pool.readRecord();
  return new RecordStore(pool, clock, "me", stored.record as RolloutRecord, stored.etag);
}

describe("RecordStore", () => {
  it("coalesces concurrent mutations into one write and renews the heartbeat", async () => {
    const pool = new MemoryHostPoolRecords(record());
    const store = await storeOn(pool);
    now += 60_000;
    await Promise.all([
      store.update((r) => void (r.hosts.a = { batch: 0, noticeAt: "t1" })),
      store.update((r) => void (r.hosts.b = { batch: 1, noticeAt: "t2" })),
      store.update((r) => void (r.error = "x")),
    ]);
    expect(pool.writes).toBe(2); // the first alone, the other two together
    expect(pool.stored?.hosts).toEqual({ a: { batch: 0, noticeAt: "t1" }, b: { batch: 1, noticeAt: "t2" } });
    expect(pool.stored?.heartbeat).toBe(new Date(now).toISOString());
  });

  it("keeps a control operation's change made meanwhile (re-read and re-apply on conflict)", async () => {
    const pool = new MemoryHostPoolRecords(record());
    const store = await storeOn(pool);
    pool.interfereOnce = (r) => ({ ...r, status: "pausing" });
    await store.update((r) => void (r.hosts.a = { batch: 0, committedAt: "t" }));
    expect(pool.stored?.status).toBe("pausing");
    expect(pool.stored?.hosts.a).toEqual({ batch: 0, committedAt: "t" });
  });

  it("stops when another owner took the lease", async () => {
    const pool = new MemoryHostPoolRecords(record());
    const store = await storeOn(pool);
    pool.interfereOnce = (r) => ({ ...r, owner: "bob@ci" });
    await expect(store.update((r) => void (r.error = "x"))).rejects.toBeInstanceOf(BusyError);
    expect(pool.stored?.owner).toBe("bob@ci");
  });

  it("stops when the record now belongs to another rollout", async () => {
    const pool = new MemoryHostPoolRecords(record());
    const store = await storeOn(pool);
    pool.stored = record({ id: "rollout-2", owner: "bob@ci" });
    await expect(store.refresh()).rejects.toThrow(/rollout-2 held by bob@ci/);
  });

  it("retries a throttled write", async () => {
    const pool = new MemoryHostPoolRecords(record());
    const store = await storeOn(pool);
    const write = pool.writeRecord.bind(pool);
    let failures = 1;
    pool.writeRecord = async (r, etag) => {
      if (failures-- > 0) throw new PortError("transient", "hostPool.writeRecord", "429");
      return write(r, etag);
    };
    await store.update((r) => void (r.error = "x"));
    expect(pool.stored?.error).toBe("x");
  });

  it("does not mutate the record it was given while a write fails", async () => {
    const original = record({ hosts: { a: { batch: 0, noticeAt: "t" } } });
    const pool = new MemoryHostPoolRecords(original);
    const store = await storeOn(pool);
    const before = structuredClone(store.current);
    pool.writeRecord = async () => {
      throw new PortError("permanent", "hostPool.writeRecord", "403");
    };
    await expect(store.update((r) => void (r.hosts.a.committedAt = "t2"))).rejects.toBeInstanceOf(PortError);
    expect(store.current).toEqual(before);
  });
});
