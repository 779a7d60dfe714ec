import { describe, expect, it } from "vitest";
import { budgetLeft, selectCommits } from "../../../automation/core/policies/budget";
import type { CommitCandidate } from "../../../automation/core/policies/budget";

const c = (host: string, batch: number, cost: 0 | 1 = 1, ready = true): CommitCandidate => ({
  host,
  batch,
  cost,
  ready,
});

describe("budgetLeft: at most batchSize of the hosts serving at the start are out", () => {
  it.each([
    [10, 10, 3, 3],
    [10, 9, 3, 2],
    [10, 7, 3, 0],
    [10, 6, 3, 0], // a host down for its own reasons costs like one of ours: never negative
    [10, 11, 3, 3], // hosts that came up do not give more than the batch size
  ])("baseline %i, in service %i, batch %i -> %i", (baseline, inService, batchSize, left) => {
    expect(budgetLeft({ baseline, inService, batchSize })).toBe(left);
  });
});

describe("selectCommits: in plan order, as ready and as the budget allows", () => {
  it.each<[string, CommitCandidate[], number, string[], string | null]>([
    ["every ready host of the batch within budget", [c("a", 1), c("b", 1)], 2, ["a", "b"], null],
    ["one slot: the first in plan order", [c("a", 1), c("b", 1)], 1, ["a"], "b"],
    ["a host that costs nothing goes whatever the budget", [c("a", 1), c("b", 1, 0)], 0, ["b"], "a"],
    [
      "a host not ready holds its batch's later hosts? no: only later batches",
      [c("a", 1, 1, false), c("b", 1)],
      2,
      ["b"],
      null,
    ],
    [
      "the next batch waits until every host of this one has gone",
      [c("a", 1, 1, false), c("c", 2)],
      5,
      [],
      null,
    ],
    ["the next batch goes once this one is all going", [c("a", 1), c("c", 2)], 5, ["a", "c"], null],
    ["a host held by the budget holds the next batch", [c("a", 1), c("b", 1), c("c", 2, 0)], 1, ["a"], "b"],
  ])("%s", (_name, candidates, budget, commit, held) => {
    expect(selectCommits(candidates, budget)).toEqual({ commit, heldByBudget: held });
  });
});
