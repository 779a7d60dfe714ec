import { describe, expect, it } from "vitest";
import {
  batchesDueForNotice,
  estimatingReplacementMs,
  projectSchedule,
  schedulingReplacementMs,
  slotHasCome,
} from "../../../automation/core/policies/noticeSchedule";
import type { BatchState, ScheduleInput } from "../../../automation/core/policies/noticeSchedule";

const MIN = 60_000;
const untouched = (hosts = 3): BatchState => ({
  remaining: hosts,
  unnoticed: hosts,
  noticedAt: null,
  committedAt: null,
  freed: false,
  finished: false,
});
const noticed = (at: number, over: Partial<BatchState> = {}): BatchState => ({
  ...untouched(),
  unnoticed: 0,
  noticedAt: at,
  ...over,
});
const freed = (over: Partial<BatchState> = {}): BatchState =>
  noticed(0, { committedAt: 30 * MIN, freed: true, ...over });
const finished = (): BatchState => freed({ remaining: 0, finished: true });
const input = (batches: BatchState[], now: number, over: Partial<ScheduleInput> = {}): ScheduleInput => ({
  batches,
  now,
  delayMs: 30 * MIN,
  replacementMs: 20 * MIN,
  strategy: "avd-rollout",
  ...over,
});
const none = (): boolean => false;

describe("projectSchedule", () => {
  it("the initial host alone, then each notice a delay before the previous batch frees capacity: 2W + P + k*P", () => {
    const p = projectSchedule(input([untouched(1), untouched(), untouched(), untouched()], 0));
    // Batch 1 waits for the canary (free at 50), then its own delay; later batches overlap.
    expect(p.batches.map((b) => b.noticeAt / MIN)).toEqual([0, 50, 70, 90]);
    expect(p.batches.map((b) => b.leaveAt / MIN)).toEqual([30, 80, 100, 120]);
    expect(p.batches.map((b) => b.freeAt / MIN)).toEqual([50, 100, 120, 140]);
    expect(p.finishAt / MIN).toBe(2 * 30 + 20 + 3 * 20);
  });

  it("notices several batches ahead when the delay is longer than a replacement (after the canary)", () => {
    const p = projectSchedule(
      input([untouched(1), untouched(), untouched(), untouched()], 0, { delayMs: 60 * MIN }),
    );
    // Canary back at 80, batch 1 noticed then (back at 160); batch 2 at 160 - 60, batch 3 at 180 - 60:
    // from 120 on, three batches are under notice at once.
    expect(p.batches.map((b) => b.noticeAt / MIN)).toEqual([0, 80, 100, 120]);
    expect(p.finishAt / MIN).toBe(2 * 60 + 20 + 3 * 20);
  });

  it("uses actual notice and commit times, and never projects into the past", () => {
    const p = projectSchedule(
      input([noticed(0, { committedAt: 30 * MIN }), noticed(20 * MIN)], 60 * MIN), // batch 0 late
    );
    expect(p.batches[0].freeAt / MIN).toBe(60);
    expect(p.batches[1].leaveAt / MIN).toBe(60);
    expect(p.batches[1].freeAt / MIN).toBe(80);
  });

  it("a batch back in service keeps its actual notice and leave times; a committed one unnoticed left at once", () => {
    const p = projectSchedule(
      input(
        [
          freed({ noticedAt: 5 * MIN, committedAt: 35 * MIN }),
          freed({ noticedAt: null, committedAt: null }),
          noticed(0, { noticedAt: null, committedAt: 40 * MIN }),
        ],
        60 * MIN,
      ),
    );
    expect(p.batches[0]).toEqual({ noticeAt: 5 * MIN, leaveAt: 35 * MIN, freeAt: 60 * MIN });
    // No record of either: the projection says "now".
    expect(p.batches[1]).toEqual({ noticeAt: 60 * MIN, leaveAt: 60 * MIN, freeAt: 60 * MIN });
    // Committed without a notice (no sessions): its notice is its leaving.
    expect(p.batches[2]).toEqual({ noticeAt: 40 * MIN, leaveAt: 40 * MIN, freeAt: 60 * MIN });
  });

  it("azure strategy: a notice starts only once the previous batch is back", () => {
    const p = projectSchedule(input([untouched(1), untouched(), untouched()], 0, { strategy: "azure" }));
    expect(p.batches.map((b) => b.noticeAt / MIN)).toEqual([0, 50, 100]);
    expect(p.finishAt / MIN).toBe(3 * (30 + 20));
  });
});

describe("batchesDueForNotice", () => {
  it.each<[string, BatchState[], number, Partial<ScheduleInput>, number[]]>([
    ["the initial host at once", [untouched(1), untouched()], 0, {}, [0]],
    [
      "a due batch whose notice has not started holds the next back, even when replacements take no time",
      [freed(), untouched(), untouched()],
      50 * MIN,
      { replacementMs: 0 },
      [1],
    ],
    [
      "nothing else while the canary is out",
      [noticed(0, { committedAt: 30 * MIN }), untouched()],
      45 * MIN,
      {},
      [],
    ],
    ["the next batch once the canary is back", [freed(), untouched()], 50 * MIN, {}, [1]],
    [
      "a batch not yet due waits",
      [finished(), noticed(50 * MIN, { committedAt: 80 * MIN }), untouched()],
      60 * MIN,
      {},
      [],
    ],
    [
      "a batch due a delay before capacity frees",
      [finished(), noticed(50 * MIN, { committedAt: 80 * MIN }), untouched()],
      70 * MIN,
      {},
      [2],
    ],
    [
      "a partly noticed batch stays due, and one not started holds later ones back",
      [finished(), noticed(50 * MIN, { unnoticed: 1 }), untouched(), untouched()],
      200 * MIN,
      {},
      [1, 2],
    ],
    [
      "azure: not before the previous batch finished",
      [freed(), untouched()],
      60 * MIN,
      { strategy: "azure" },
      [],
    ],
    ["azure: once it finished", [finished(), untouched()], 60 * MIN, { strategy: "azure" }, [1]],
    [
      "finished and fully noticed batches are skipped",
      [finished(), noticed(0), untouched()],
      500 * MIN,
      {},
      [2],
    ],
  ])("%s", (_name, batches, now, over, expected) => {
    expect(batchesDueForNotice(input(batches, now, over), none)).toEqual(expected);
  });

  it("keeps plan order: a blocked batch holds back the later ones", () => {
    const batches = [finished(), untouched(), untouched()];
    expect(batchesDueForNotice(input(batches, 500 * MIN), (i) => i === 1)).toEqual([]);
    expect(batchesDueForNotice(input(batches, 500 * MIN), (i) => i === 2)).toEqual([1]);
  });

  it("steps through time as the driver does: notices follow capacity, one delay ahead", () => {
    const batches = [untouched(1), untouched(), untouched()];
    const noticedAt: number[] = [];
    for (let now = 0; now <= 200 * MIN; now += MIN) {
      // The world: a batch leaves at its deadline and is back a replacement later.
      batches.forEach((b, i) => {
        if (b.noticedAt !== null && b.committedAt === null && now >= b.noticedAt + 30 * MIN)
          batches[i] = { ...b, committedAt: now };
        const c = batches[i].committedAt;
        if (c !== null && now >= c + 20 * MIN) batches[i] = { ...batches[i], freed: true };
      });
      for (const i of batchesDueForNotice(input(batches, now), none)) {
        batches[i] = { ...batches[i], noticedAt: now, unnoticed: 0 };
        noticedAt[i] = now / MIN;
      }
    }
    expect(noticedAt).toEqual([0, 50, 70]);
  });
});

describe("slotHasCome", () => {
  it("only once every earlier batch is back in service", () => {
    expect(slotHasCome([freed(), freed(), untouched()], 2)).toBe(true);
    expect(slotHasCome([freed(), noticed(0), untouched()], 2)).toBe(false);
    expect(slotHasCome([untouched()], 0)).toBe(true);
  });
});

describe("replacement estimates", () => {
  it("schedules with the fastest observed replacement (an underestimate only gives users more time)", () => {
    expect(schedulingReplacementMs(undefined, 15 * MIN)).toBe(15 * MIN);
    expect(schedulingReplacementMs({ count: 2, minMs: 18 * MIN }, 15 * MIN)).toBe(18 * MIN);
    // From the very first host replaced on.
    expect(schedulingReplacementMs({ count: 1, minMs: 21 * MIN }, 15 * MIN)).toBe(21 * MIN);
    expect(schedulingReplacementMs({ count: 0, minMs: 21 * MIN }, 15 * MIN)).toBe(15 * MIN);
    expect(schedulingReplacementMs({ count: 1 }, 15 * MIN)).toBe(15 * MIN);
  });
  it("estimates the finish with the mean", () => {
    expect(estimatingReplacementMs({ count: 0, totalMs: 0 }, 15 * MIN)).toBe(15 * MIN);
    expect(estimatingReplacementMs({ count: 2, totalMs: 50 * MIN }, 15 * MIN)).toBe(25 * MIN);
    expect(estimatingReplacementMs({ count: 1, totalMs: 22 * MIN }, 15 * MIN)).toBe(22 * MIN);
    expect(estimatingReplacementMs(undefined, 15 * MIN)).toBe(15 * MIN);
  });
});
