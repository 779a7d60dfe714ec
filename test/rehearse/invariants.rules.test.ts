/**
 * The checker rule by rule, on small hand-written logs: each row is a log and the exact violations
 * it must produce (invariant, message, offending event) — or none, just inside a limit. The pool:
 * avd-0 .. avd-3, avd-3 in drain mode at the start, batch size 1, a 10-minute delay, originals kept.
 */
import { describe, expect, it } from "vitest";
import type { AnyEvent } from "../../automation/core/events";
import type { InvariantName, Violation } from "../../automation/sim/invariants";
import { checkInvariants } from "../../automation/sim/invariants";
import { parseScenario } from "../../automation/sim/scenario";
import { originalVmName } from "../../automation/sim/world";

const scenario = parseScenario({
  name: "rules",
  hostPool: { hosts: 4, drained: ["avd-3"] },
  update: { maxVmsRemoved: 1, logOffDelayMinutes: 10, deleteOriginalVm: false },
});
const HOSTS = ["avd-0", "avd-1", "avd-2", "avd-3"];
/** The same pool with batches of 2 and originals deleted. */
const pairs = parseScenario({
  name: "rules-2",
  hostPool: { hosts: 4, drained: ["avd-3"] },
  update: { maxVmsRemoved: 2, logOffDelayMinutes: 10, deleteOriginalVm: true },
});
const T0 = Date.parse("2026-04-13T08:00:00.000Z");
const t = (minute: number): string => new Date(T0 + minute * 60_000).toISOString();
type Body = AnyEvent extends infer E ? (E extends AnyEvent ? Omit<E, "t"> : never) : never;
const R = "rollout-rules";

/** A log from [minute, event] pairs (driver events get the rollout id). */
function log(...items: [number, Record<string, unknown>][]): AnyEvent[] {
  return items.map(([minute, body]) => {
    const type = String(body.type);
    const driver = !type.startsWith("world.") && !type.startsWith("driver.");
    return { t: t(minute), ...(driver ? { rollout: R } : {}), ...body } as unknown as AnyEvent;
  });
}
const started = (
  over: Partial<Extract<Body, { type: "rollout.started" }>> = {},
): Record<string, unknown> => ({
  type: "rollout.started",
  hosts: HOSTS,
  outOfDate: HOSTS,
  batchSize: 1,
  logOffDelayMinutes: 10,
  deleteOriginalVm: false,
  revision: "r2",
  ...over,
});
const available = (n: number) => ({
  type: "world.availability",
  available: n,
  accepting: n,
  freeSlots: 0,
  total: 4,
});
const outage = (host: string, fault: "outageStarted" | "outageEnded", vm = originalVmName(host)) => ({
  type: "world.fault",
  host,
  fault,
  vm,
});
const removed = (host: string) => ({ type: "host.removed", host });
const ready = (host: string, over: Record<string, unknown> = {}) => ({
  type: "host.ready",
  host,
  vm: `${host}-new`,
  allowNewSession: host !== "avd-3",
  powerState: "running",
  ...over,
});
const notified = (host: string, ids: string[], minute: number, delay = 10) => ({
  type: "host.notified",
  host,
  sessions: ids.length,
  sessionIds: ids,
  deadline: t(minute + delay),
});
const finished = (result = "succeeded") => ({ type: "rollout.finished", result });

const of = (events: AnyEvent[], invariant: InvariantName, s = scenario): Violation[] =>
  checkInvariants(events, s)
    .filter((v) => v.invariant === invariant)
    .map((v) => (v.index === undefined ? { invariant: v.invariant, message: v.message } : v));
const v = (invariant: InvariantName, message: string, index?: number): Violation =>
  index === undefined ? { invariant, message } : { invariant, message, index };

describe("the log as a whole", () => {
  it("a log without rollout.started is one violation and nothing else is checked", () => {
    expect(checkInvariants(log([0, available(4)], [1, finished()]), scenario)).toEqual([
      v("finishedOnce", "no rollout.started event"),
    ]);
  });

  it("a log that starts with rollout.started is checked (no world events before it)", () => {
    expect(of(log([0, started()], [1, finished("failed")]), "finishedOnce")).toEqual([]);
  });

  it.each([
    [0, "expected one rollout.finished event, found 0"],
    [2, "expected one rollout.finished event, found 2"],
  ])("%i rollout.finished events", (count, message) => {
    const events = log(
      [0, started()],
      ...Array.from({ length: count }, (): [number, Record<string, unknown>] => [1, finished("failed")]),
    );
    expect(of(events, "finishedOnce")).toEqual([v("finishedOnce", message)]);
  });

  it("times must be valid and never go back", () => {
    const events = log([0, started()], [5, available(4)], [4, available(4)], [6, finished("failed")]);
    events.splice(2, 0, { ...events[1], t: "not a time" } as AnyEvent);
    expect(of(events, "timeOrder")).toEqual([
      v("timeOrder", 'event world.availability has no valid time "not a time"', 2),
      v("timeOrder", `event world.availability at ${t(4)} is earlier than the event before it`, 3),
    ]);
  });

  it("the parameters are the configuration's", () => {
    const events = log(
      [0, started({ batchSize: 2, logOffDelayMinutes: 9, deleteOriginalVm: true })],
      [1, finished("failed")],
    );
    expect(of(events, "parametersAsConfigured")).toEqual([
      v("parametersAsConfigured", "rollout.started has batchSize 2, the configuration 1", 0),
      v("parametersAsConfigured", "rollout.started has logOffDelayMinutes 9, the configuration 10", 0),
      v("parametersAsConfigured", "rollout.started has deleteOriginalVm true, the configuration false", 0),
    ]);
  });
});

describe("capacity", () => {
  it("the baseline is the last availability before the start; the floor is it minus the batch size", () => {
    const base = (): [number, Record<string, unknown>][] => [
      [0, available(5)],
      [0, available(4)],
      [0, { type: "world.session", host: "avd-0", user: "u", session: "1", action: "signedIn" }],
      [0, started()],
    ];
    expect(of(log(...base(), [1, available(3)]), "capacity")).toEqual([]);
    expect(of(log(...base(), [1, available(2)]), "capacity")).toEqual([
      v("capacity", "hosts serving fell to 2, below 4 at the start - 1 batch size", 4),
    ]);
  });

  it("a host drained at the start is free while it is out, and only then", () => {
    const events = log(
      [0, available(4)],
      [0, started()],
      [1, removed("avd-3")],
      [1, available(2)],
      [2, ready("avd-3")],
      [2, available(2)],
    );
    expect(of(events, "capacity")).toEqual([
      v("capacity", "hosts serving fell to 2, below 4 at the start - 1 batch size", 5),
    ]);
  });

  it("a host down on its own lowers the floor while it is down; back on a new VM it is no longer down", () => {
    const events = log(
      [0, available(4)],
      [0, started()],
      [1, outage("avd-2", "outageStarted")],
      [1, available(2)],
      [2, removed("avd-2")],
      [3, ready("avd-2")],
      [3, available(2)],
    );
    expect(of(events, "capacity")).toEqual([
      v("capacity", "hosts serving fell to 2, below 4 at the start - 1 batch size", 6),
    ]);
  });

  it("a host taken out while down stays down-on-its-own until it is back, even after its outage ends", () => {
    const events = log(
      [0, available(4)],
      [0, started()],
      [1, outage("avd-2", "outageStarted")],
      [1, available(3)],
      [2, removed("avd-2")],
      [3, outage("avd-2", "outageEnded")],
      [4, removed("avd-1")],
      [4, available(2)],
    );
    expect(of(events, "capacity")).toEqual([]);
  });

  it("a host that goes down while the rollout has it out was already counted: the floor stays", () => {
    const events = log(
      [0, available(4)],
      [0, started()],
      [1, removed("avd-1")],
      [1, available(3)],
      [2, outage("avd-1", "outageStarted")],
      [3, available(2)],
    );
    expect(of(events, "capacity")).toEqual([
      v("capacity", "hosts serving fell to 2, below 4 at the start - 1 batch size", 5),
    ]);
  });

  it("a host down since before the start does not lower the floor (the baseline never counted it)", () => {
    const events = log(
      [0, outage("avd-2", "outageStarted")],
      [0, available(3)],
      [0, started()],
      [1, removed("avd-1")],
      [1, available(1)],
    );
    expect(of(events, "capacity")).toEqual([
      v("capacity", "hosts serving fell to 1, below 3 at the start - 1 batch size", 4),
    ]);
  });

  it("the floor message says what it allowed for", () => {
    const events = log(
      [0, available(4)],
      [0, started()],
      [1, outage("avd-2", "outageStarted")],
      [1, removed("avd-3")],
      [1, available(0)],
    );
    expect(of(events, "capacity")).toEqual([
      v(
        "capacity",
        "hosts serving fell to 0, below 4 at the start - 1 batch size - 1 drained at the start - 1 down on their own",
        4,
      ),
    ]);
  });

  describe("a serving host leaves only within the budget, counting hosts down on their own", () => {
    const leaving = (...before: [number, Record<string, unknown>][]) =>
      log(
        [0, available(4)],
        [0, started()],
        ...before,
        [5, notified("avd-1", [], 5)],
        [20, removed("avd-1")],
      );
    const over = v(
      "capacity",
      "avd-1 left service with 1 host(s) out by the rollout and 1 down on their own: over the budget of 1",
      0,
    );
    const at = (events: AnyEvent[]) =>
      of(events, "capacity").map((x) => ({ ...x, index: events[x.index as number].type }));

    it.each<[string, [number, Record<string, unknown>][], boolean]>([
      ["down since before its notice", [[4, outage("avd-2", "outageStarted")]], true],
      ["down since the very moment of its notice", [[5, outage("avd-2", "outageStarted")]], true],
      ["down only after its notice (the driver had decided)", [[6, outage("avd-2", "outageStarted")]], false],
      [
        "back before it leaves",
        [
          [4, outage("avd-2", "outageStarted")],
          [19, outage("avd-2", "outageEnded")],
        ],
        false,
      ],
      [
        "back on a new VM before it leaves",
        [
          [4, outage("avd-2", "outageStarted")],
          [19, ready("avd-2")],
        ],
        false,
      ],
      [
        "back on the same VM: still down",
        [
          [4, outage("avd-2", "outageStarted")],
          [19, ready("avd-2", { vm: originalVmName("avd-2") })],
        ],
        true,
      ],
      ["a host drained at the start costs nothing down", [[4, outage("avd-3", "outageStarted")]], false],
      [
        "still down whatever else happens to it meanwhile",
        [
          [4, outage("avd-2", "outageStarted")],
          [6, { type: "world.session", host: "avd-2", user: "u", session: "9", action: "signedIn" }],
          [7, { type: "world.fault", host: "avd-2", fault: "drainReverted" }],
        ],
        true,
      ],
    ])("another host %s", (_name, before, violated) => {
      const events = leaving(...before);
      expect(at(events)).toEqual(violated ? [{ ...over, index: "host.removed" }] : []);
    });

    it("its notice, not an earlier drain, is when the driver decided", () => {
      const events = log(
        [0, available(4)],
        [0, started()],
        [2, { type: "host.drained", host: "avd-1", reason: "ahead" }],
        [4, outage("avd-2", "outageStarted")],
        [5, notified("avd-1", [], 5)],
        [20, removed("avd-1")],
      );
      expect(at(events)).toEqual([{ ...over, index: "host.removed" }]);
    });

    it("its first notice, not a later one to sessions that arrived, is when the driver decided", () => {
      const events = log(
        [0, available(4)],
        [0, started()],
        [5, notified("avd-1", [], 5)],
        [6, outage("avd-2", "outageStarted")],
        [8, notified("avd-1", ["7"], 8)],
        [20, removed("avd-1")],
      );
      expect(at(events)).toEqual([]);
    });

    it("a drain that reverted is not an outage", () => {
      const events = log(
        [0, available(4)],
        [0, started()],
        [4, { type: "world.fault", host: "avd-2", fault: "drainReverted" }],
        [5, notified("avd-1", [], 5)],
        [20, removed("avd-1")],
      );
      expect(at(events)).toEqual([]);
    });

    it("a host down since before the start was not serving then: it costs nothing", () => {
      const events = log(
        [0, outage("avd-2", "outageStarted")],
        [0, { type: "world.session", host: "avd-2", user: "u", session: "9", action: "signedIn" }],
        [0, available(3)],
        [0, started()],
        [1, outage("avd-2", "outageEnded")],
        [5, notified("avd-1", [], 5)],
        [5, notified("avd-2", [], 5)],
        [20, removed("avd-2")],
        [20, removed("avd-1")],
      );
      expect(at(events)).toEqual([]);
    });

    it("a host down before the start but back by then, or only drain-reverted, was serving: it counts", () => {
      for (const before of [
        [outage("avd-2", "outageStarted"), outage("avd-2", "outageEnded")],
        [{ type: "world.fault", host: "avd-2", fault: "drainReverted" }],
      ]) {
        const events = log(
          ...before.map((e): [number, Record<string, unknown>] => [0, e]),
          [0, available(4)],
          [0, started()],
          [5, notified("avd-1", [], 5)],
          [5, notified("avd-2", [], 5)],
          [20, removed("avd-2")],
          [20, removed("avd-1")],
        );
        expect(at(events)).toEqual([
          {
            ...v(
              "capacity",
              "avd-1 left service with 2 host(s) out by the rollout and 0 down on their own: over the budget of 1",
            ),
            index: "host.removed",
          },
        ]);
      }
    });

    it("a host drained at the start leaves whatever the budget", () => {
      const events = log(
        [0, available(4)],
        [0, started()],
        [4, outage("avd-2", "outageStarted")],
        [5, notified("avd-1", [], 5)],
        [6, removed("avd-1")],
        [7, removed("avd-3")],
      );
      expect(at(events).map((x) => x.message)).toEqual([
        "avd-1 left service with 1 host(s) out by the rollout and 1 down on their own: over the budget of 1",
      ]);
    });

    it("counts hosts of ours that are out (a deallocation starts it too), not those taken out while down", () => {
      const events = log(
        [0, available(4)],
        [0, started()],
        [1, outage("avd-0", "outageStarted")],
        [2, removed("avd-0")],
        [5, notified("avd-2", [], 5)],
        [10, { type: "vm.deallocated", host: "avd-2", vm: originalVmName("avd-2") }],
        [11, notified("avd-1", [], 11)],
        [20, removed("avd-1")],
      );
      expect(at(events)).toEqual([
        {
          ...v(
            "capacity",
            "avd-1 left service with 2 host(s) out by the rollout and 0 down on their own: over the budget of 1",
          ),
          index: "host.removed",
        },
      ]);
    });

    it("is checked on a driver's own log too (no world availability)", () => {
      const events = log([0, started()], [1, removed("avd-0")], [2, removed("avd-1")]);
      expect(at(events)).toEqual([
        {
          ...v(
            "capacity",
            "avd-1 left service with 2 host(s) out by the rollout and 0 down on their own: over the budget of 1",
          ),
          index: "host.removed",
        },
      ]);
    });
  });
});

describe("plan order and the canary", () => {
  it("outOfDate in natural order, listing every host", () => {
    const events = log([0, started({ outOfDate: ["avd-0", "avd-2", "avd-1"] })], [1, finished("failed")]);
    expect(of(events, "naturalOrder")).toEqual([
      v("naturalOrder", "outOfDate is not in natural order: avd-0, avd-2, avd-1", 0),
      v("naturalOrder", "outOfDate lists 3 hosts; every one of the 4 hosts is out of date", 0),
    ]);
  });

  it("batches start in order, with the plan's hosts; a host is noticed only in its started batch", () => {
    const events = log(
      [0, started()],
      [0, { type: "batch.started", batch: 0, hosts: ["avd-0"] }],
      [1, { type: "batch.started", batch: 2, hosts: ["avd-2"] }],
      [2, { type: "batch.started", batch: 1, hosts: ["avd-2"] }],
      [3, notified("avd-3", [], 3)],
      [4, notified("avd-9", [], 4)],
    );
    expect(of(events, "naturalOrder")).toEqual([
      v("naturalOrder", "batch 1 started after batch 2", 3),
      v("naturalOrder", "batch 1 has hosts [avd-2], expected [avd-1]", 3),
      v("naturalOrder", "avd-3 was notified before its batch 3 started", 4),
      v("naturalOrder", "avd-9 was notified before its batch ? started", 5),
    ]);
  });

  it("a batch's hosts are listed as the plan has them", () => {
    const events = log([0, started()], [1, { type: "batch.started", batch: 1, hosts: ["avd-1", "avd-3"] }]);
    expect(of(events, "naturalOrder", pairs)).toEqual([
      v("naturalOrder", "batch 1 has hosts [avd-1, avd-3], expected [avd-1, avd-2]", 1),
    ]);
  });

  it("after a crash only the last batch's start may be reported again, not an earlier one's", () => {
    const events = log(
      [0, started()],
      [0, { type: "batch.started", batch: 0, hosts: ["avd-0"] }],
      [1, { type: "batch.started", batch: 1, hosts: ["avd-1"] }],
      [2, { type: "driver.crashed" }],
      [3, { type: "batch.started", batch: 0, hosts: ["avd-0"] }],
    );
    expect(of(events, "naturalOrder")).toEqual([v("naturalOrder", "batch 0 started after batch 1", 4)]);
  });

  it("a batch's start reported again after a crash is fine, once", () => {
    const again: [number, Record<string, unknown>] = [
      1,
      { type: "batch.started", batch: 0, hosts: ["avd-0"] },
    ];
    const events = log(
      [0, started()],
      [0, { type: "batch.started", batch: 0, hosts: ["avd-0"] }],
      [1, { type: "driver.crashed" }],
      again,
      again,
    );
    expect(of(events, "naturalOrder")).toEqual([v("naturalOrder", "batch 0 started after batch 0", 4)]);
  });

  it("nothing but the initial host until it is back: named by host or hosts", () => {
    const events = log(
      [0, started()],
      [1, { type: "host.drained", host: "avd-1" }],
      [1, { type: "host.drained", host: "avd-0" }],
      [1, ready("avd-2")],
      [2, { type: "stack.up", batch: 0, hosts: ["avd-0", "avd-1"] }],
      [2, { type: "stack.up", batch: 0, hosts: ["avd-0"] }],
      [3, { type: "batch.started", batch: 1, hosts: ["avd-1"] }],
      [4, ready("avd-0")],
      [5, { type: "host.drained", host: "avd-1" }],
    );
    expect(of(events, "initialFirstAndAlone")).toEqual([
      v("initialFirstAndAlone", "host.drained avd-1 before the initial host avd-0 was back in service", 1),
      v("initialFirstAndAlone", "host.ready avd-2 before the initial host avd-0 was back in service", 3),
      v("initialFirstAndAlone", "stack.up avd-0, avd-1 before the initial host avd-0 was back in service", 4),
      v("initialFirstAndAlone", "batch.started avd-1 before the initial host avd-0 was back in service", 6),
    ]);
  });

  it("if the initial host never comes back, nothing else is ever touched", () => {
    const events = log(
      [0, started()],
      [50, { type: "host.drained", host: "avd-2" }],
      [60, finished("failed")],
    );
    expect(of(events, "initialFirstAndAlone")).toHaveLength(1);
  });
});

describe("the notice promise", () => {
  const signIn = (host: string, session: string): Record<string, unknown> => ({
    type: "world.session",
    host,
    user: `u${session}`,
    session,
    action: "signedIn",
  });
  const loggedOff = (host: string, session: string): Record<string, unknown> => ({
    type: "world.session",
    host,
    user: `u${session}`,
    session,
    action: "loggedOff",
  });

  it("forced sign-outs: exactly the delay after the session's first notice, not before, never without one", () => {
    const events = log(
      [0, started()],
      [0, signIn("avd-0", "1")],
      [0, signIn("avd-0", "2")],
      [0, signIn("avd-0", "3")],
      [1, notified("avd-0", ["1", "2"], 1)],
      [5, notified("avd-0", ["3"], 5)],
      [11, loggedOff("avd-0", "1")],
      [14.5, loggedOff("avd-0", "3")],
      [15, { type: "host.signedOut", host: "avd-0", forced: 1, sessionIds: ["2"] }],
      [15, { type: "host.signedOut", host: "avd-0", forced: 1, sessionIds: ["4"] }],
      [15, { type: "host.signedOut", host: "avd-0", forced: 0 }],
      [16, signIn("avd-1", "4")],
      [17, loggedOff("avd-1", "4")],
    );
    expect(of(events, "noticeRespected")).toEqual([
      v(
        "noticeRespected",
        "session 3 on avd-0 was signed out by force 9.500 min after its notice, before the 10 min delay",
        7,
      ),
      v("noticeRespected", "host.signedOut avd-0 signed session 4 out before its notice ran out", 9),
      v("noticeRespected", "session 4 on avd-1 was signed out by force without any notice", 12),
    ]);
  });

  it("only forced sign-outs of known sessions count: users leaving, refused sign-ins, unknown sessions", () => {
    const events = log(
      [0, started()],
      [0, signIn("avd-0", "1")],
      [1, notified("avd-0", ["1"], 1)],
      [2, { type: "world.session", host: "avd-0", user: "u1", session: "1", action: "signedOut" }],
      [3, { type: "world.session", host: null, user: "u2", action: "refused" }],
      [4, loggedOff("avd-1", "77")],
    );
    expect(of(events, "noticeRespected")).toEqual([
      v("noticeRespected", "session 77 on avd-1 was signed out by force without any notice", 5),
    ]);
  });

  it("a sign-out counts from the first notice listing the session, not a resumed confirmation", () => {
    const events = log(
      [0, started()],
      [0, signIn("avd-0", "1")],
      [1, notified("avd-0", ["1"], 1)],
      [5, { ...notified("avd-0", ["1"], 5), resumed: true }],
      [11, { type: "host.signedOut", host: "avd-0", forced: 1, sessionIds: ["1"] }],
    );
    expect(of(events, "noticeRespected")).toEqual([]);
  });

  it("a notice states the full delay and counts what it lists", () => {
    const events = log(
      [0, started()],
      [1, notified("avd-0", ["1"], 1, 9.99)],
      [2, { ...notified("avd-0", ["2"], 2), sessions: 2 }],
    );
    expect(of(events, "noticeRespected")).toEqual([
      v(
        "noticeRespected",
        `host avd-0 notified at ${t(1)} with deadline ${t(10.99)}, less than the 10 min delay`,
        1,
      ),
      v("noticeRespected", "host.notified avd-0 counts 2 sessions but lists 1", 2),
    ]);
  });

  it("a session listed twice, except by a resumed driver's confirmation", () => {
    const events = log(
      [0, started()],
      [1, notified("avd-0", ["1"], 1)],
      [2, { ...notified("avd-0", ["1"], 2), resumed: true }],
      [3, notified("avd-0", ["1"], 3)],
    );
    expect(of(events, "noSessionNotifiedTwice")).toEqual([
      v("noSessionNotifiedTwice", `session 1 on avd-0 was notified again at ${t(3)}`, 3),
    ]);
  });
});

describe("stack updates", () => {
  const up = (batch: number, hosts: string[]): [number, Record<string, unknown>] => [
    1,
    { type: "stack.up", batch, hosts },
  ];
  it("one per batch, plus one per retry of its hosts and one per crash; never another batch's hosts", () => {
    const events = log(
      [0, started()],
      up(1, ["avd-1"]),
      up(1, ["avd-1"]),
      [2, { type: "host.retry", host: "avd-1", attempt: 2 }],
      up(1, ["avd-1"]),
      up(2, ["avd-2", "avd-3"]),
    );
    expect(of(events, "stackUpsPerBatch")).toEqual([
      v("stackUpsPerBatch", "stack.up of batch 2 includes hosts of other batches: avd-3", 5),
      v("stackUpsPerBatch", "batch 1 ran stack.up 3 times; allowed 1 + 1 retries + 0 crashes"),
    ]);
    const crashed = log([0, started()], up(1, ["avd-1"]), [1, { type: "driver.crashed" }], up(1, ["avd-1"]));
    expect(of(crashed, "stackUpsPerBatch")).toEqual([]);
    const retriedOnce = log(
      [0, started()],
      up(1, ["avd-1"]),
      [2, { type: "host.retry", host: "avd-1", attempt: 2 }],
      up(1, ["avd-1"]),
    );
    expect(of(retriedOnce, "stackUpsPerBatch")).toEqual([]);
    const strays = log([0, started()], up(1, ["avd-1", "avd-2", "avd-3"]));
    expect(of(strays, "stackUpsPerBatch")).toEqual([
      v("stackUpsPerBatch", "stack.up of batch 1 includes hosts of other batches: avd-2, avd-3", 1),
    ]);
    const retriedElsewhere = log(
      [0, started()],
      [1, { type: "host.retry", host: "avd-9", attempt: 2 }],
      up(1, ["avd-1"]),
      up(1, ["avd-1"]),
    );
    expect(of(retriedElsewhere, "stackUpsPerBatch")).toEqual([
      v("stackUpsPerBatch", "batch 1 ran stack.up 2 times; allowed 1 + 0 retries + 0 crashes"),
    ]);
  });
});

describe("outcomes", () => {
  const allReady = (): [number, Record<string, unknown>][] =>
    HOSTS.map((h, i): [number, Record<string, unknown>] => [10 + i, ready(h)]);
  const retained = (): [number, Record<string, unknown>][] =>
    HOSTS.map((h, i): [number, Record<string, unknown>] => [
      10 + i,
      { type: "vm.retained", host: h, vm: originalVmName(h) },
    ]);

  it("a succeeded rollout: every host ready on a new VM with its drain mode and power state, originals kept", () => {
    expect(
      of(log([0, started()], ...allReady(), ...retained(), [20, finished()]), "hostsEndUpdated"),
    ).toEqual([]);
    const events = log(
      [0, started()],
      [5, { type: "host.failed", host: "avd-1", error: "x" }],
      [10, ready("avd-0", { vm: originalVmName("avd-0") })],
      [11, ready("avd-2", { allowNewSession: false, powerState: "deallocated" })],
      [12, ready("avd-3", { allowNewSession: true })],
      [20, finished()],
    );
    expect(of(events, "hostsEndUpdated")).toEqual([
      v("hostsEndUpdated", `host avd-0 was declared ready on its original VM ${originalVmName("avd-0")}`, 2),
      v("hostsEndUpdated", "host avd-1 never became ready although the rollout succeeded"),
      v("hostsEndUpdated", "host avd-2 ended with allowNewSession=false, it started with true", 3),
      v("hostsEndUpdated", "host avd-2 ended deallocated, it started running", 3),
      v("hostsEndUpdated", "host avd-3 ended with allowNewSession=true, it started with false", 4),
      v("hostsEndUpdated", "rollout succeeded with failed hosts avd-1"),
    ]);
  });

  it("judges a host by its first ready; a host that failed and was retried to ready is fine", () => {
    const events = log(
      [0, started()],
      [5, { type: "host.failed", host: "avd-1", error: "x" }],
      [6, { type: "host.failed", host: "avd-2", error: "x" }],
      [7, { type: "host.failed", host: "avd-0", error: "x" }],
      ...allReady().slice(1),
      [15, ready("avd-0", { allowNewSession: false })],
      [30, finished()],
    );
    expect(of(events, "hostsEndUpdated")).toEqual([
      v("hostsEndUpdated", "host avd-0 ended with allowNewSession=false, it started with true", 7),
    ]);
    const twice = log(
      [0, started()],
      ...allReady(),
      [16, ready("avd-0", { allowNewSession: false })],
      [20, finished()],
    );
    expect(of(twice, "hostsEndUpdated")).toEqual([]);
    expect(of(twice, "completedNeverRedone")).toEqual([
      v("completedNeverRedone", "host.ready for avd-0 after it was ready", 5),
    ]);
    const stillFailed = log(
      [0, started()],
      [5, { type: "host.failed", host: "avd-1", error: "x" }],
      [6, { type: "host.failed", host: "avd-2", error: "x" }],
      [20, finished()],
    );
    expect(of(stillFailed, "hostsEndUpdated").map((x) => x.message)).toContain(
      "rollout succeeded with failed hosts avd-1, avd-2",
    );
  });

  it("with deleteOriginalVm, each original is deleted", () => {
    const events = log(
      [0, started({ batchSize: 2, deleteOriginalVm: true })],
      ...allReady(),
      [15, { type: "vm.deleted", host: "avd-0", vm: originalVmName("avd-0") }],
      [15, { type: "vm.deleted", host: "avd-1", vm: originalVmName("avd-1") }],
      [15, { type: "vm.deleted", host: "avd-2", vm: originalVmName("avd-2") }],
      [15, { type: "vm.retained", host: "avd-3", vm: originalVmName("avd-3") }],
      [20, finished()],
    );
    expect(of(events, "originalsPerPolicy", pairs)).toEqual([
      v(
        "originalsPerPolicy",
        `vm.retained of ${originalVmName("avd-3")} although deleteOriginalVm is true`,
        8,
      ),
      v("originalsPerPolicy", "the original VM of avd-3 has no vm.deleted event"),
    ]);
  });

  it("a failed rollout need not have every host ready, nor every original handled", () => {
    const events = log(
      [0, started()],
      [5, { type: "host.failed", host: "avd-1", error: "x" }],
      [10, ready("avd-0")],
      [20, finished("failed")],
    );
    expect(of(events, "hostsEndUpdated")).toEqual([]);
    expect(of(events, "originalsPerPolicy")).toEqual([]);
  });

  it("originals per policy: kept here (deleteOriginalVm false), never the new generation deleted", () => {
    const events = log(
      [0, started()],
      ...allReady(),
      [15, { type: "vm.deleted", host: "avd-0", vm: originalVmName("avd-0") }],
      [15, { type: "vm.deleted", host: "avd-1", vm: "avd-1-new" }],
      [15, { type: "vm.retained", host: "avd-2", vm: "some-other-vm" }],
      [15, { type: "vm.retained", host: "avd-2", vm: "avd-2-new" }],
      [15, { type: "vm.deallocated", host: "avd-1", vm: originalVmName("avd-1") }],
      [15, { type: "vm.retained", host: "avd-3", vm: originalVmName("avd-3") }],
      [20, finished()],
    );
    expect(of(events, "originalsPerPolicy")).toEqual([
      v(
        "originalsPerPolicy",
        `vm.deleted of ${originalVmName("avd-0")} although deleteOriginalVm is false`,
        5,
      ),
      v("originalsPerPolicy", "vm.deleted of avd-1-new, the new generation of avd-1", 6),
      v("originalsPerPolicy", "the original VM of avd-0 has no vm.retained event"),
      v("originalsPerPolicy", "the original VM of avd-1 has no vm.retained event"),
      v("originalsPerPolicy", "the original VM of avd-2 has no vm.retained event"),
    ]);
  });

  it("a completed host is never worked on again", () => {
    const events = log(
      [0, started()],
      [1, ready("avd-0")],
      [2, { type: "host.removed", host: "avd-0" }],
      [3, { type: "vm.deallocated", host: "avd-0", vm: "x" }],
    );
    expect(of(events, "completedNeverRedone")).toEqual([
      v("completedNeverRedone", "host.removed for avd-0 after it was ready", 2),
    ]);
  });
});

describe("progress", () => {
  const progress = (completed: number, percent: number, total = 4) => ({
    type: "rollout.progress",
    completed,
    total,
    percent,
  });
  it("starts anywhere from 0, never goes back, never over the total", () => {
    expect(
      of(
        log([0, started()], [1, progress(0, 0)], [2, progress(0, 0)], [3, progress(4, 100)]),
        "progressMonotonic",
      ),
    ).toEqual([]);
    const events = log(
      [0, started()],
      [1, progress(2, 50)],
      [2, progress(1, 49)],
      [3, progress(5, 100)],
      [4, progress(4, 101)],
    );
    expect(of(events, "progressMonotonic")).toEqual([
      v("progressMonotonic", "progress went back to 1 hosts from 2", 2),
      v("progressMonotonic", "progress went back to 49% from 50%", 2),
      v("progressMonotonic", "progress 5/4 (100%) is over the total", 3),
      v("progressMonotonic", "progress went back to 4 hosts from 5", 4),
      v("progressMonotonic", "progress 4/4 (101%) is over the total", 4),
    ]);
  });
});
