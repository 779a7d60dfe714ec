import { describe, expect, it } from "vitest";
import {
  applyControl,
  cancelRollout,
  pauseRollout,
  resumeRollout,
  retryRollout,
} from "../../automation/core/control";
import type { ControlAction } from "../../automation/core/control";
import { InputError } from "../../automation/core/errors";
import type { AnyEvent } from "../../automation/core/events";
import type { RolloutRecord, RolloutStatus } from "../../automation/core/record";
import { MemoryHostPoolRecords } from "./fakes";

function record(status: RolloutStatus, over: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    version: 2,
    id: "rollout-1",
    status,
    revision: "r2",
    params: { batchSize: 2, logOffDelayMinutes: 30, logOffMessage: "bye", deleteOriginalVm: false },
    owner: "alice@laptop",
    heartbeat: "2026-04-13T08:00:00.000Z",
    startedAt: "2026-04-13T08:00:00.000Z",
    planned: ["a", "b", "c"],
    hosts: {},
    ...over,
  };
}

describe("applyControl transitions", () => {
  it.each<[RolloutStatus, ControlAction, RolloutStatus | "refused", boolean]>([
    ["running", "pause", "pausing", true],
    ["scheduled", "pause", "paused", true],
    ["pausing", "pause", "pausing", false],
    ["paused", "pause", "paused", false],
    ["failed", "pause", "refused", false],
    ["paused", "resume", "running", true],
    ["pausing", "resume", "running", true],
    ["running", "resume", "running", false],
    ["failed", "resume", "refused", false],
    ["succeeded", "resume", "refused", false],
    ["running", "cancel", "cancelling", true],
    ["pausing", "cancel", "cancelling", true],
    ["paused", "cancel", "cancelled", true],
    ["scheduled", "cancel", "cancelled", true],
    ["failed", "cancel", "cancelled", true],
    ["cancelled", "cancel", "cancelled", false],
    ["succeeded", "cancel", "refused", false],
    ["failed", "retry", "running", true],
    ["paused", "retry", "refused", false],
    ["running", "retry", "refused", false],
  ])("%s + %s -> %s", (from, action, to, changed) => {
    if (to === "refused") {
      expect(() => applyControl(record(from), action, "bob@ci", 0)).toThrow(InputError);
      return;
    }
    const t = applyControl(record(from), action, "bob@ci", 0);
    expect(t.record.status).toBe(to);
    expect(t.changed).toBe(changed);
  });

  it("resuming a paused rollout hands the lease to whoever resumes; a pausing one keeps its driver", () => {
    expect(applyControl(record("paused"), "resume", "bob@ci", 0).record.owner).toBe("bob@ci");
    expect(applyControl(record("pausing"), "resume", "bob@ci", 0).record.owner).toBe("alice@laptop");
  });

  it("retry clears failed hosts: committed ones continue, uncommitted ones get a fresh notice", () => {
    const original = {
      vm: { name: "c-1", resourceId: "/vm/c-1" },
      allowNewSession: true,
      powerState: "running" as const,
      accepting: true,
    };
    const failed = record("failed", {
      error: "boom",
      finishedBatches: [0, 1],
      hosts: {
        b: { batch: 1, noticeAt: "x", committedAt: "x", failed: true, attempts: 3, error: "e", retryAt: "y" },
        c: {
          batch: 1,
          original,
          noticeAt: "x",
          notices: [{ ids: ["7"], sentAt: "x" }],
          failed: true,
          attempts: 1,
          error: "e",
        },
      },
    });
    const t = applyControl(failed, "retry", "bob@ci", 0);
    expect(t.record.hosts.b).toEqual({ batch: 1, noticeAt: "x", committedAt: "x" });
    // What it was before the rollout stays recorded (it may be drained by the rollout now).
    expect(t.record.hosts.c).toEqual({ batch: 1, original });
    expect(t.record.error).toBeUndefined();
    expect(t.record.finishedBatches).toEqual([0]);
    expect(t.record.owner).toBe("bob@ci");
    expect(t.message).toContain("b, c");
    // The input is left alone.
    expect(failed.hosts.b.failed).toBe(true);
  });
});

describe("control operations on the record", () => {
  const clock = { now: () => Date.parse("2026-04-13T09:00:00.000Z"), sleep: async () => undefined };

  it("write with the etag and emit the events of immediate transitions", async () => {
    const pool = new MemoryHostPoolRecords(record("paused"));
    const events: AnyEvent[] = [];
    const result = await cancelRollout({
      hostPool: pool,
      clock,
      by: "bob@ci",
      events: { emit: (e) => events.push(e) },
    });
    expect(result.changed).toBe(true);
    expect(pool.stored?.status).toBe("cancelled");
    expect(pool.stored?.control).toEqual({ action: "cancel", by: "bob@ci", at: "2026-04-13T09:00:00.000Z" });
    expect(events.map((e) => e.type)).toEqual(["rollout.cancelled", "rollout.finished"]);
  });

  it("re-read and re-apply on a concurrent change", async () => {
    const pool = new MemoryHostPoolRecords(record("running"));
    pool.interfereOnce = (r) => ({ ...r, heartbeat: "2026-04-13T08:59:00.000Z" });
    await pauseRollout({ hostPool: pool, clock, by: "bob@ci" });
    expect(pool.stored?.status).toBe("pausing");
    expect(pool.stored?.heartbeat).toBe("2026-04-13T08:59:00.000Z");
    expect(pool.writes).toBe(2);
  });

  it("refuse when there is no rollout", async () => {
    const pool = new MemoryHostPoolRecords(null);
    await expect(resumeRollout({ hostPool: pool, clock, by: "bob@ci" })).rejects.toThrow(
      /no rollout is recorded/,
    );
    await expect(retryRollout({ hostPool: pool, clock, by: "bob@ci" })).rejects.toBeInstanceOf(InputError);
  });
});
