import { describe, expect, it } from "vitest";
import { decideSteering, steeringMargin } from "../../../automation/core/policies/steering";
import type { SteeringHost, SteeringInput } from "../../../automation/core/policies/steering";

const h = (host: string, over: Partial<SteeringHost> = {}): SteeringHost => ({
  host,
  sessions: 4,
  accepting: true,
  turn: false,
  noticed: true,
  ...over,
});
const input = (over: Partial<SteeringInput>): SteeringInput => ({
  maxSessionLimit: 10,
  freeSlots: 100,
  leavingSessions: 0,
  expectedArrivals: 10,
  imminentArrivals: 2,
  hosts: [],
  ...over,
});

describe("decideSteering", () => {
  it("drains hosts in plan order while the accepting hosts keep room for their users and the arrivals", () => {
    // Each host takes its 6 free slots out of the pool and puts its 4 users in need.
    const hosts = [h("a"), h("b"), h("c")];
    // After a: free 94, need 4 + 10 (+2 margin) = 16. After b: 88 vs 8 + 10 + 2. After c: 82 vs 22 + 3.
    expect(decideSteering(input({ hosts })).drain).toEqual(["a", "b", "c"]);
    expect(decideSteering(input({ hosts, freeSlots: 30 })).drain).toEqual(["a"]);
    // Exactly at the edge: free after = need + margin.
    const need = 4 + 10;
    expect(
      decideSteering(input({ hosts: [h("a")], freeSlots: 6 + need + steeringMargin(need) })).drain,
    ).toEqual(["a"]);
    expect(
      decideSteering(input({ hosts: [h("a")], freeSlots: 6 + need + steeringMargin(need) - 1 })).drain,
    ).toEqual([]);
  });

  it("counts users who are leaving (committed hosts) in the need", () => {
    expect(decideSteering(input({ hosts: [h("a")], freeSlots: 40, leavingSessions: 16 })).drain).toEqual([
      "a",
    ]);
    expect(decideSteering(input({ hosts: [h("a")], freeSlots: 40, leavingSessions: 18 })).drain).toEqual([]);
  });

  it("drains a host whose turn has come whatever the room (as the service does)", () => {
    expect(decideSteering(input({ hosts: [h("a", { turn: true })], freeSlots: 0 })).drain).toEqual(["a"]);
  });

  it("draining a host ahead of its notice asks room for its users too; keeping it drained does not", () => {
    // Drain: free after (40 - 1) must cover 9 users + 10 arrivals + margin 2.
    expect(
      decideSteering(input({ hosts: [h("a", { noticed: false, sessions: 9 })], freeSlots: 22 })).drain,
    ).toEqual(["a"]);
    expect(
      decideSteering(input({ hosts: [h("a", { noticed: false, sessions: 9 })], freeSlots: 21 })).drain,
    ).toEqual([]);
    // Keep: only the users who will leave (none under notice) and the arrivals must fit.
    const kept = decideSteering(
      input({ hosts: [h("a", { noticed: false, sessions: 9, accepting: false })], freeSlots: 10 }),
    );
    expect(kept).toEqual({ drain: [], undrain: [] });
    const short = decideSteering(
      input({ hosts: [h("a", { noticed: false, sessions: 9, accepting: false })], freeSlots: 9 }),
    );
    expect(short.undrain).toEqual(["a"]);
  });

  it("when room runs short, lets those drained ahead accept again first, furthest first", () => {
    const hosts = [
      h("a", { accepting: false }),
      h("b", { accepting: false, noticed: false }),
      h("c", { accepting: false, noticed: false }),
    ];
    // need = 4 (a's users) + 10 arrivals = 14; free 5: c gives 6 -> 11, b gives 6 -> 17.
    expect(decideSteering(input({ hosts, freeSlots: 5 }))).toEqual({ drain: [], undrain: ["c", "b"] });
  });

  it("lets a host under notice accept again only when sign-ins are about to be refused", () => {
    const hosts = [h("a", { accepting: false }), h("b", { accepting: false })];
    expect(decideSteering(input({ hosts, freeSlots: 2 })).undrain).toEqual([]);
    expect(decideSteering(input({ hosts, freeSlots: 1 })).undrain).toEqual(["b"]);
    // ...and never one whose turn has come.
    expect(
      decideSteering(input({ hosts: [h("a", { accepting: false, turn: true })], freeSlots: 0 })).undrain,
    ).toEqual([]);
  });
});
