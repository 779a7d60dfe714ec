import { describe, expect, it } from "vitest";
import { estimateProgress, percentOf } from "../../automation/core/progress";
import type { BatchState } from "../../automation/core/policies/noticeSchedule";

const MIN = 60_000;

describe("estimateProgress", () => {
  it("counts completed, failed, in-flight (with phases) and pending hosts", () => {
    const batches: BatchState[] = [
      { remaining: 0, unnoticed: 0, noticedAt: 0, committedAt: 30 * MIN, freed: true, finished: true },
      {
        remaining: 2,
        unnoticed: 0,
        noticedAt: 20 * MIN,
        committedAt: 50 * MIN,
        freed: false,
        finished: false,
      },
      { remaining: 1, unnoticed: 1, noticedAt: null, committedAt: null, freed: false, finished: false },
    ];
    const p = estimateProgress({
      now: 60 * MIN,
      total: 5,
      completed: 1,
      failed: 1,
      inFlight: { b: "registering", c: "noticed" },
      batches,
      delayMs: 30 * MIN,
      replacementMs: 20 * MIN,
      strategy: "avd-rollout",
    });
    expect(p).toMatchObject({ total: 5, completed: 1, failed: 1, inProgress: 2, pending: 1, percent: 20 });
    expect(p.inFlight).toEqual({ b: "registering", c: "noticed" });
    // Batch 1 frees at 70; batch 2's notice already due (70 - 30 < now): leaves at 90, back at 110.
    expect(p.etaMs).toBe(50 * MIN);
    expect(p.estimatedFinish).toBe(new Date(110 * MIN).toISOString());
  });

  it("has no ETA once nothing remains, and 100 percent only when all are done", () => {
    const p = estimateProgress({
      now: 0,
      total: 1,
      completed: 1,
      failed: 0,
      inFlight: {},
      batches: [],
      delayMs: 0,
      replacementMs: MIN,
      strategy: "azure",
    });
    expect(p.etaMs).toBeNull();
    expect(p.percent).toBe(100);
    expect(percentOf(99, 100)).toBe(99);
    expect(percentOf(0, 0)).toBe(100);
  });
});
