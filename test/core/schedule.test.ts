import { describe, expect, it } from "vitest";
import {
  batchesDueForNotice,
  estimatingReplacementMs,
  projectSchedule,
  schedulingReplacementMs,
} from "../../automation/core/schedule";
import type { BatchProgress, ScheduleInput } from "../../automation/core/schedule";

const MIN = 60_000;
const untouched = (): BatchProgress => ({
  remaining: 3,
  noticedAt: null,
  committedAt: null,
  freed: false,
  finished: false,
});
const input = (batches: BatchProgress[], now: number, over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  batches,
  now,
  delayMs: 30 * MIN,
  replacementMs: 20 * MIN,
  strategy: "avd-rollout",
  ...over,
});

describe("projectSchedule", () => {
  it("chains batches: each notice starts a delay before the previous batch frees capacity", () => {
    const p = projectSchedule(input([untouched(), untouched(), untouched()], 0));
    expect(p.batches.map((b) => b.noticeAt / MIN)).toEqual([0, 20, 40]);
    expect(p.batches.map((b) => b.leaveAt / MIN)).toEqual([30, 50, 70]);
    expect(p.batches.map((b) => b.freeAt / MIN)).toEqual([50, 70, 90]);
    // W + P + (N-1 batches) * P
    expect(p.finishAt / MIN).toBe(30 + 20 + 2 * 20);
  });

  it("notices several batches ahead when the delay is longer than a replacement", () => {
    const p = projectSchedule(
      input([untouched(), untouched(), untouched(), untouched()], 0, { delayMs: 60 * MIN }),
    );
    // Batches 1, 2 and 3 are all under notice before batch 0 is back (at 80).
    expect(p.batches.map((b) => b.noticeAt / MIN)).toEqual([0, 20, 40, 60]);
    expect(p.finishAt / MIN).toBe(60 + 20 + 3 * 20);
  });

  it("uses actual notice and commit times, and never projects into the past", () => {
    const p = projectSchedule(
      input(
        [
          { remaining: 1, noticedAt: 0, committedAt: 30 * MIN, freed: false, finished: false },
          { remaining: 3, noticedAt: 20 * MIN, committedAt: null, freed: false, finished: false },
        ],
        60 * MIN, // batch 0 is running late (projected free at 50)
      ),
    );
    expect(p.batches[0].freeAt / MIN).toBe(60);
    expect(p.batches[1].leaveAt / MIN).toBe(60);
    expect(p.batches[1].freeAt / MIN).toBe(80);
  });

  it("azure strategy: a notice starts only once the previous batch is back", () => {
    const p = projectSchedule(input([untouched(), untouched()], 0, { strategy: "azure" }));
    expect(p.batches.map((b) => b.noticeAt / MIN)).toEqual([0, 50]);
    expect(p.finishAt / MIN).toBe(2 * (30 + 20));
  });
});

describe("batchesDueForNotice", () => {
  const none = () => false;

  it("notifies the initial host at once and the next batch only when due", () => {
    expect(batchesDueForNotice(input([untouched(), untouched()], 0), none)).toEqual([0]);
    const afterInitial: BatchProgress = {
      remaining: 1,
      noticedAt: 0,
      committedAt: null,
      freed: false,
      finished: false,
    };
    expect(batchesDueForNotice(input([afterInitial, untouched()], 19 * MIN), none)).toEqual([]);
    expect(batchesDueForNotice(input([afterInitial, untouched()], 20 * MIN), none)).toEqual([1]);
  });

  it("keeps several batches under notice when the delay is longer than a replacement", () => {
    // Step through time as the driver does, noticing each batch when it becomes due.
    const batches = [untouched(), untouched(), untouched(), untouched()];
    for (let now = 0; now <= 70 * MIN; now += MIN) {
      for (const i of batchesDueForNotice(input(batches, now, { delayMs: 60 * MIN }), none)) {
        batches[i] = { ...batches[i], noticedAt: now };
      }
    }
    expect(batches.map((b) => (b.noticedAt ?? -1) / MIN)).toEqual([0, 20, 40, 60]);
    // At 60 min the initial host has not even left service (it leaves at 60, is back at 80),
    // yet three later batches are under notice: their deadlines land at 80, 100 and 120.
  });

  it("keeps plan order: a blocked batch holds back the later ones", () => {
    expect(batchesDueForNotice(input([untouched(), untouched()], 100 * MIN), (i) => i === 0)).toEqual([]);
  });

  it("azure strategy waits until every earlier batch is finished", () => {
    const running: BatchProgress = {
      remaining: 1,
      noticedAt: 0,
      committedAt: 30 * MIN,
      freed: true,
      finished: false,
    };
    const finished: BatchProgress = {
      remaining: 0,
      noticedAt: 0,
      committedAt: 30 * MIN,
      freed: true,
      finished: true,
    };
    expect(batchesDueForNotice(input([running, untouched()], 60 * MIN, { strategy: "azure" }), none)).toEqual(
      [],
    );
    expect(
      batchesDueForNotice(input([finished, untouched()], 60 * MIN, { strategy: "azure" }), none),
    ).toEqual([1]);
  });
});

describe("replacement estimates", () => {
  it("schedules with the fastest observed replacement (an underestimate only gives users more time)", () => {
    expect(schedulingReplacementMs(undefined, 15 * MIN)).toBe(15 * MIN);
    expect(schedulingReplacementMs({ count: 2, minMs: 18 * MIN }, 15 * MIN)).toBe(18 * MIN);
  });
  it("estimates the finish with the mean", () => {
    expect(estimatingReplacementMs({ count: 0, totalMs: 0 }, 15 * MIN)).toBe(15 * MIN);
    expect(estimatingReplacementMs({ count: 2, totalMs: 50 * MIN }, 15 * MIN)).toBe(25 * MIN);
  });
});
