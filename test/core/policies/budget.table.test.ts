/**
 * The capacity budget (spec 5.2), as tables: how many more hosts may leave, and which of the hosts
 * ready to leave go now, in plan order.
 */
import { describe, expect, it } from "vitest";
import { budgetLeft, countsForBudget, selectCommits } from "../../../automation/core/policies/budget";
import type { CommitCandidate } from "../../../automation/core/policies/budget";

describe("budgetLeft", () => {
  it.each([
    // baseline, in service now, batch size -> more hosts that may leave
    [10, 10, 3, 3],
    [10, 9, 3, 2],
    [10, 8, 3, 1],
    [10, 7, 3, 0],
    [10, 5, 3, 0], // over the budget (hosts down on their own): none, never negative
    [10, 12, 3, 3], // hosts that came up since do not add to the budget
    [1, 1, 5, 5], // a batch size larger than the pool is fine
    [0, 0, 1, 1],
  ])("baseline %i, %i in service, batch size %i -> %i", (baseline, inService, batchSize, left) => {
    expect(budgetLeft({ baseline, inService, batchSize })).toBe(left);
  });
});

describe("countsForBudget", () => {
  it.each([
    [true, "running", true],
    [false, "running", false], // in drain mode before the rollout: costs nothing
    [true, "deallocated", false], // deallocated before the rollout: costs nothing
    [false, "deallocated", false],
  ] as const)("allowNewSession %s, %s -> %s", (allowNewSession, powerState, counts) => {
    expect(countsForBudget({ allowNewSession, powerState })).toBe(counts);
  });
});

describe("selectCommits", () => {
  const c = (host: string, batch: number, ready = true, cost: 0 | 1 = 1): CommitCandidate => ({
    host,
    batch,
    cost,
    ready,
  });

  it.each<[string, CommitCandidate[], number, string[], string | null]>([
    ["every ready host of a batch within the budget", [c("a", 1), c("b", 1)], 2, ["a", "b"], null],
    [
      "the budget takes them in plan order; the first held back is named",
      [c("a", 1), c("b", 1), c("c", 1)],
      1,
      ["a"],
      "b",
    ],
    ["no budget: nobody leaves", [c("a", 1)], 0, [], "a"],
    ["a host that costs nothing goes whatever the budget", [c("a", 1, true, 0), c("b", 1)], 0, ["a"], "b"],
    [
      "a host not ready is skipped, and the rest of its batch still goes",
      [c("a", 1, false), c("b", 1)],
      2,
      ["b"],
      null,
    ],
    ["a host not ready is not 'held by the budget'", [c("a", 1, false)], 0, [], null],
    [
      "the next batch goes once every host of this one goes",
      [c("a", 1), c("b", 2), c("c", 2)],
      3,
      ["a", "b", "c"],
      null,
    ],
    [
      "the next batch waits for a host of this one that is not ready",
      [c("a", 1, false), c("b", 2)],
      3,
      [],
      null,
    ],
    [
      "the next batch waits for a host of this one held by the budget",
      [c("a", 1), c("b", 1), c("c", 2)],
      1,
      ["a"],
      "b",
    ],
    ["the next batch shares the budget that is left", [c("a", 1), c("b", 2), c("c", 2)], 2, ["a", "b"], "c"],
    ["only later batches: they may go", [c("d", 3), c("e", 3)], 1, ["d"], "e"],
    ["nothing to choose from", [], 3, [], null],
  ])("%s", (_name, candidates, budget, commit, held) => {
    expect(selectCommits(candidates, budget)).toEqual({ commit, heldByBudget: held });
  });
});
