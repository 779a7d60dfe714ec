/**
 * Steering arrivals away (spec 5.2-5.3) as tables: which hosts are drained — those whose turn has
 * come always, the others only while the hosts still accepting keep room for every user who will
 * need a seat, with a margin — and which accept again when room runs short. Session limit 10.
 */
import { describe, expect, it } from "vitest";
import { decideSteering, steeringMargin } from "../../../automation/core/policies/steering";
import type { SteeringHost, SteeringInput } from "../../../automation/core/policies/steering";

const h = (host: string, over: Partial<SteeringHost> = {}): SteeringHost => ({
  host,
  sessions: 0,
  accepting: true,
  turn: false,
  noticed: false,
  ...over,
});
const input = (hosts: SteeringHost[], over: Partial<SteeringInput> = {}): SteeringInput => ({
  maxSessionLimit: 10,
  freeSlots: 100,
  leavingSessions: 0,
  expectedArrivals: 0,
  imminentArrivals: 0,
  hosts,
  ...over,
});

describe("steeringMargin", () => {
  it.each([
    [0, 2],
    [19, 2],
    [20, 2],
    [21, 3],
    [100, 10],
    [101, 11],
  ])("need %i -> keep %i more", (need, margin) => {
    expect(steeringMargin(need)).toBe(margin);
  });
});

describe("decideSteering: draining", () => {
  it.each<[string, SteeringInput, string[]]>([
    [
      "a host whose turn has come is drained even with no room at all",
      input([h("a", { sessions: 5, turn: true, noticed: true })], { freeSlots: 5 }),
      ["a"],
    ],
    [
      "a host under notice is drained when the others keep room for its users and a margin",
      input([h("a", { sessions: 4, noticed: true })], { freeSlots: 6 + 6 }),
      ["a"],
    ],
    [
      "one slot less and it is not",
      input([h("a", { sessions: 4, noticed: true })], { freeSlots: 6 + 5 }),
      [],
    ],
    [
      "users of hosts already leaving need room too",
      input([h("a", { sessions: 4, noticed: true })], { freeSlots: 6 + 6, leavingSessions: 1 }),
      [],
    ],
    [
      "and the sign-ins expected meanwhile",
      input([h("a", { sessions: 4, noticed: true })], { freeSlots: 6 + 7, expectedArrivals: 1 }),
      ["a"],
    ],
    [
      "a host drained ahead of its notice: its free slots go, and its users will need seats when its notice comes",
      input([h("a", { sessions: 4 })], { freeSlots: 6 + 4 + 2 }),
      ["a"],
    ],
    [
      "... one seat short of that, it is not drained ahead",
      input([h("a", { sessions: 4 })], { freeSlots: 6 + 4 + 1 }),
      [],
    ],
    [
      "a host already in drain mode is not drained again",
      input([h("a", { accepting: false, turn: true })]),
      [],
    ],
    [
      "in order: the first that cannot be drained holds back the later ones",
      input([h("a", { sessions: 0, noticed: true }), h("b", { sessions: 9 })], { freeSlots: 10 + 1 }),
      [],
    ],
    [
      "a host whose turn has come is drained even listed after one that cannot be",
      input([h("a", { sessions: 9, noticed: true }), h("b", { turn: true }), h("c")], {
        freeSlots: 1 + 10 + 10,
        leavingSessions: 10,
      }),
      ["b"],
    ],
    [
      "room shared in order: each drained host's slots are gone for the next",
      input([h("a"), h("b"), h("c")], { freeSlots: 30 + 1 }),
      ["a", "b"],
    ],
    [
      "with one more slot, the third too",
      input([h("a"), h("b"), h("c")], { freeSlots: 30 + 2 }),
      ["a", "b", "c"],
    ],
  ])("%s", (_name, steering, drain) => {
    expect(decideSteering(steering)).toEqual({ drain, undrain: [] });
  });

  it("a drained host under notice displaces its users: the others need room for them", () => {
    const drainedUnderNotice = h("a", { sessions: 6, accepting: false, noticed: true });
    // b leaves 10 slots' worth of room only if the 6 users of a (and a margin of 2) still fit.
    expect(decideSteering(input([drainedUnderNotice, h("b")], { freeSlots: 10 + 8 }))).toEqual({
      drain: ["b"],
      undrain: [],
    });
    expect(decideSteering(input([drainedUnderNotice, h("b")], { freeSlots: 10 + 7 }))).toEqual({
      drain: [],
      undrain: [],
    });
  });
});

describe("decideSteering: room ran short", () => {
  it("the hosts drained ahead furthest from leaving accept again first, until there is room", () => {
    const steering = input(
      [
        h("a", { sessions: 5, accepting: false, noticed: true }),
        h("b", { sessions: 2, accepting: false }),
        h("c", { sessions: 2, accepting: false }),
      ],
      { freeSlots: 0 },
    );
    // a's 5 users need room: c (8 slots) is enough.
    expect(decideSteering(steering)).toEqual({ drain: [], undrain: ["c"] });
    expect(decideSteering({ ...steering, leavingSessions: 4 })).toEqual({ drain: [], undrain: ["c", "b"] });
  });

  it("a host under notice accepts again only when the others cannot even take the expected sign-ins", () => {
    const noticedHost = h("a", { sessions: 5, accepting: false, noticed: true });
    expect(
      decideSteering(input([noticedHost], { freeSlots: 3, expectedArrivals: 3, imminentArrivals: 3 })),
    ).toEqual({
      drain: [],
      undrain: [],
    });
    expect(
      decideSteering(input([noticedHost], { freeSlots: 2, expectedArrivals: 3, imminentArrivals: 3 })),
    ).toEqual({
      drain: [],
      undrain: ["a"],
    });
  });

  it("never a host whose turn has come; and hosts whose turn came are still drained", () => {
    const steering = input(
      [
        h("a", { sessions: 5, accepting: false, noticed: true, turn: true }),
        h("b", { turn: true, noticed: true }),
        h("c", { sessions: 1, accepting: false }),
      ],
      { freeSlots: 0, expectedArrivals: 1 },
    );
    expect(decideSteering(steering)).toEqual({ drain: ["b"], undrain: ["c"] });
  });
});

describe("decideSteering: every rule counts (rows the mutation run asked for)", () => {
  const drainedAhead = (host: string, sessions: number) => h(host, { sessions, accepting: false });
  it.each<[string, SteeringInput, string[]]>([
    // Draining b ahead needs its 10 slots plus room for c's 5 users and the margin: 10 + 5 + 2.
    [
      "users of a host already drained ahead count in the room to drain another",
      input([drainedAhead("c", 5), h("b")], { freeSlots: 16 }),
      [],
    ],
    ["... and with that room it is drained", input([drainedAhead("c", 5), h("b")], { freeSlots: 17 }), ["b"]],
    // a cannot be drained ahead (17 needed); b, under notice, could (12) but waits: plan order.
    [
      "once a host is held back, later ones wait even when they would fit",
      input([drainedAhead("c", 5), h("a"), h("b", { noticed: true })], { freeSlots: 13 }),
      [],
    ],
    // a drained ahead keeps its 5 users (room for them later), b under notice needs only its own.
    [
      "a host drained ahead adds its users to what later hosts ahead need, not to the displaced",
      input([h("a", { sessions: 5 }), h("b", { noticed: true })], { freeSlots: 17 }),
      ["a", "b"],
    ],
    [
      "two hosts drained ahead: the second needs room for the first one's users too",
      input([h("a", { sessions: 5 }), h("b")], { freeSlots: 21 }),
      ["a"],
    ],
    [
      "... one slot more and both go",
      input([h("a", { sessions: 5 }), h("b")], { freeSlots: 22 }),
      ["a", "b"],
    ],
  ])("%s", (_, steering, drain) => {
    expect(decideSteering(steering)).toEqual({ drain, undrain: [] });
  });

  it("room short: only hosts drained ahead accept again — never one accepting already, nor one whose turn came", () => {
    const short = { freeSlots: 3, expectedArrivals: 5 };
    // x accepts already (its slots are in freeSlots): letting it "accept again" would add nothing.
    expect(decideSteering(input([drainedAhead("y", 0), h("x")], short))).toEqual({
      drain: [],
      undrain: ["y"],
    });
    // z is drained because its turn came (due for notice): it stays drained.
    expect(decideSteering(input([h("z", { accepting: false, turn: true })], short))).toEqual({
      drain: [],
      undrain: [],
    });
  });
});
