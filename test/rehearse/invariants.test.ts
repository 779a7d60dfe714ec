/**
 * The invariant checker must be able to fail, exactly at each limit: start from a valid log (the
 * reference driver on a small scenario), move one event just inside its limit (still valid) and
 * just outside it (a violation).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AnyEvent } from "../../automation/core/events";
import type { InvariantName } from "../../automation/sim/invariants";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import type { Scenario } from "../../automation/sim/scenario";
import { parseScenario } from "../../automation/sim/scenario";
import { originalVmName } from "../../automation/sim/world";
import { referenceDriver } from "./referenceDriver";

const MINUTE = 60_000;
const DELAY = 20 * MINUTE;
let scenario: Scenario;
let valid: AnyEvent[];

beforeAll(async () => {
  scenario = parseScenario({
    name: "checker",
    seed: 11,
    hostPool: { hosts: 7, deallocated: ["avd-3"], drained: ["avd-5"], sessionsPerHost: 4 },
    update: { maxVmsRemoved: 2, logOffDelayMinutes: 20, deleteOriginalVm: true },
    users: { arrivalsPerHour: 30, signOutAfterNotice: { probability: 0.3 } },
  });
  valid = (await rehearseWithDetails(scenario, { driver: referenceDriver })).events;
});

const clone = (): AnyEvent[] => valid.map((e) => ({ ...e }) as AnyEvent);
const shift = (t: string, ms: number): string => new Date(Date.parse(t) + ms).toISOString();
const names = (events: AnyEvent[], s = scenario): InvariantName[] => [
  ...new Set(checkInvariants(events, s).map((v) => v.invariant)),
];
function indexOf(events: AnyEvent[], predicate: (e: AnyEvent) => boolean, from = 0): number {
  const i = events.findIndex((e, j) => j >= from && predicate(e));
  if (i < 0) throw new Error("event not found in the valid log");
  return i;
}
/** Inserts `event` where its time belongs (after every event at or before it). */
function insert(events: AnyEvent[], event: AnyEvent): AnyEvent[] {
  const at = events.findIndex((e) => Date.parse(e.t) > Date.parse(event.t));
  events.splice(at < 0 ? events.length : at, 0, event);
  return events;
}
type Notified = Extract<AnyEvent, { type: "host.notified" }>;

describe("checkInvariants", () => {
  it("finds nothing in a valid log that has every kind of event in it", () => {
    expect(checkInvariants(valid, scenario)).toEqual([]);
    const types = new Set(valid.map((e) => e.type));
    for (const type of [
      "host.notified",
      "host.signedOut",
      "host.drained",
      "host.ready",
      "vm.deleted",
      "rollout.progress",
    ])
      expect(types.has(type as AnyEvent["type"])).toBe(true);
    expect(valid.some((e) => e.type === "world.session" && e.action === "loggedOff")).toBe(true);
  });

  describe("capacity: serving hosts >= serving at the start - batch size", () => {
    const baseline = (): number => {
      const started = valid.findIndex((e) => e.type === "rollout.started");
      const last = valid
        .slice(0, started)
        .filter((e) => e.type === "world.availability")
        .at(-1);
      return last?.type === "world.availability" ? last.available : -1;
    };
    const withAvailable = (available: number): AnyEvent[] => {
      const events = clone();
      const i = indexOf(events, (e) => e.type === "host.notified" && e.host === "avd-1");
      events.splice(i + 1, 0, {
        t: events[i].t,
        type: "world.availability",
        available,
        accepting: 1,
        freeSlots: 5,
        total: 7,
      });
      return events;
    };
    it("holds exactly at the floor", () => {
      expect(names(withAvailable(baseline() - 2))).not.toContain("capacity");
    });
    it("breaks one below it", () => {
      expect(names(withAvailable(baseline() - 3))).toContain("capacity");
    });
    it("lets a host drained at the start be out on top of the budget, but not another", () => {
      const events = clone();
      const removed = indexOf(events, (e) => e.type === "host.removed" && e.host === "avd-5");
      const t = events[removed].t;
      events.splice(removed + 1, 0, {
        t,
        type: "world.availability",
        available: baseline() - 3,
        accepting: 1,
        freeSlots: 5,
        total: 7,
      });
      expect(names(events)).not.toContain("capacity");
      events.splice(removed + 2, 0, {
        t,
        type: "world.availability",
        available: baseline() - 4,
        accepting: 1,
        freeSlots: 5,
        total: 7,
      });
      expect(names(events)).toContain("capacity");
    });
  });

  describe("capacity with hosts down on their own (world.fault outages)", () => {
    const at = (iso: string): string => new Date(iso).toISOString();
    const outage = (t: string, host: string, fault: "outageStarted" | "outageEnded"): AnyEvent => ({
      t: at(t),
      type: "world.fault",
      host,
      fault,
    });
    const availability = (t: string, available: number): AnyEvent => ({
      t: at(t),
      type: "world.availability",
      available,
      accepting: 1,
      freeSlots: 5,
      total: 7,
    });
    // The valid log: 6 hosts serving at the start (avd-3 deallocated), batch size 2, so a floor of 4;
    // batch 1 (avd-1, avd-2) is noticed at 08:40:30 and leaves at 09:00:30 and 09:02:37.
    it("lowers the floor by one for a host serving at the start that is down, not more", () => {
      const down = insert(
        insert(clone(), outage("2026-04-13T08:30:00Z", "avd-6", "outageStarted")),
        outage("2026-04-13T08:35:00Z", "avd-6", "outageEnded"),
      );
      expect(names(insert([...down], availability("2026-04-13T08:31:00Z", 3)))).not.toContain("capacity");
      expect(names(insert([...down], availability("2026-04-13T08:31:00Z", 2)))).toContain("capacity");
      expect(names(insert(clone(), availability("2026-04-13T08:31:00Z", 3)))).toContain("capacity");
      expect(names(insert([...down], availability("2026-04-13T08:35:00Z", 3)))).toContain("capacity");
    });
    it("counts a host down since before a notice against the budget when that host leaves service", () => {
      // avd-1 leaves with 1 of ours + avd-6 down = 2 (the budget); avd-2 would make it 3.
      const before = insert(clone(), outage("2026-04-13T08:40:00Z", "avd-6", "outageStarted"));
      const violations = checkInvariants(before, scenario).filter((v) => v.invariant === "capacity");
      expect(violations).toHaveLength(1);
      expect(violations[0].message).toMatch(
        /^avd-2 left service with 2 host\(s\) out by the rollout and 1 down/,
      );
      // Down only after the notices went out: the driver had decided; not held against it.
      const after = insert(clone(), outage("2026-04-13T08:40:31Z", "avd-6", "outageStarted"));
      expect(names(after)).not.toContain("capacity");
      // Back before avd-2 left: fine.
      const back = insert([...before], outage("2026-04-13T09:01:00Z", "avd-6", "outageEnded"));
      expect(names(back)).not.toContain("capacity");
      // The outage of a VM the host no longer runs: avd-0 is back on its new generation by 08:39.
      const replaced = insert(clone(), {
        ...outage("2026-04-13T08:10:00Z", "avd-0", "outageStarted"),
        vm: originalVmName("avd-0"),
      } as AnyEvent);
      expect(names(replaced)).not.toContain("capacity");
      // A host drained at the start costs nothing down or out.
      const drained = insert(clone(), outage("2026-04-13T08:40:00Z", "avd-5", "outageStarted"));
      expect(names(drained)).not.toContain("capacity");
    });
  });

  describe("parameters: the rollout runs with the policy it was configured with", () => {
    type Started = Extract<AnyEvent, { type: "rollout.started" }>;
    const withStarted = (over: Partial<Started>): AnyEvent[] =>
      clone().map((e) => (e.type === "rollout.started" ? ({ ...e, ...over } as AnyEvent) : e));
    it.each([
      [{ batchSize: 3 }],
      [{ batchSize: 1 }],
      [{ logOffDelayMinutes: 19 }],
      [{ deleteOriginalVm: false }],
    ])("catches %j", (over) => {
      expect(names(withStarted(over))).toContain("parametersAsConfigured");
    });
    it("checks the promises against the configuration, not the driver's claim", () => {
      // A driver that says it runs with batch size 3 is still held to 2.
      const events = insert(withStarted({ batchSize: 3 }), availability3());
      expect(names(events)).toContain("capacity");
    });
    const availability3 = (): AnyEvent => ({
      t: "2026-04-13T08:41:00.000Z",
      type: "world.availability",
      available: 3,
      accepting: 1,
      freeSlots: 5,
      total: 7,
    });
  });

  describe("notice: per session, from its own notice, no slack", () => {
    /** A forced sign-out of a session the log shows notified, `afterNoticeMs` after that notice. */
    const forcedAfter = (afterNoticeMs: number): AnyEvent[] => {
      const events = clone();
      const notice = events[indexOf(events, (e) => e.type === "host.notified" && e.sessions > 0)] as Notified;
      const id = notice.sessionIds[0];
      const ended = events.filter(
        (e) => !(e.type === "world.session" && e.session === id && e.action !== "signedIn"),
      );
      return insert(ended, {
        t: shift(notice.t, afterNoticeMs),
        type: "world.session",
        host: notice.host,
        user: "u@x",
        session: id,
        action: "loggedOff",
      });
    };
    it("allows a forced sign-out exactly the delay after the session's notice", () => {
      expect(names(forcedAfter(DELAY))).not.toContain("noticeRespected");
    });
    it("catches one a millisecond earlier", () => {
      expect(names(forcedAfter(DELAY - 1))).toContain("noticeRespected");
    });
    it("catches a forced sign-out of a session no notice listed", () => {
      const events = clone();
      const signIn = events.find(
        (e) => e.type === "world.session" && e.action === "signedIn" && e.host === "avd-6",
      );
      if (signIn?.type !== "world.session" || !signIn.session) throw new Error("no sign-in on avd-6");
      const notices = events.map((e) =>
        e.type === "host.notified"
          ? {
              ...e,
              sessionIds: e.sessionIds.filter((id) => id !== signIn.session),
              sessions: e.sessionIds.filter((id) => id !== signIn.session).length,
            }
          : e,
      );
      const forced = notices.filter(
        (e) => !(e.type === "world.session" && e.session === signIn.session && e.action !== "signedIn"),
      );
      insert(forced, { ...signIn, t: shift(signIn.t, 2 * DELAY), action: "loggedOff" });
      expect(names(forced)).toContain("noticeRespected");
    });
    it("checks the deadline a notice states: exactly the delay is fine, a millisecond less is not", () => {
      const events = clone();
      const i = indexOf(events, (e) => e.type === "host.notified");
      const notice = events[i] as Notified;
      events[i] = { ...notice, deadline: shift(notice.t, DELAY) };
      expect(names(events)).not.toContain("noticeRespected");
      events[i] = { ...notice, deadline: shift(notice.t, DELAY - 1) };
      expect(names(events)).toContain("noticeRespected");
    });
    it("checks a host.signedOut against each session's notice", () => {
      const events = clone();
      const notice = events[indexOf(events, (e) => e.type === "host.notified" && e.sessions > 0)] as Notified;
      const early = [...events];
      insert(early, {
        t: shift(notice.t, DELAY - 1),
        type: "host.signedOut",
        rollout: notice.rollout,
        host: notice.host,
        forced: 1,
        sessionIds: [notice.sessionIds[0]],
      });
      expect(names(early)).toContain("noticeRespected");
    });
    it("catches a session listed by a second notice, but not a resumed driver's confirmation", () => {
      const events = clone();
      const i = indexOf(events, (e) => e.type === "host.notified" && e.sessions > 0);
      const notice = events[i] as Notified;
      const again = { ...notice, t: shift(notice.t, MINUTE), deadline: shift(notice.t, MINUTE + DELAY) };
      expect(names(insert(clone(), again))).toContain("noSessionNotifiedTwice");
      expect(names(insert(clone(), { ...again, resumed: true }))).not.toContain("noSessionNotifiedTwice");
    });
    it("catches a notice whose count disagrees with the sessions it lists", () => {
      const events = clone();
      const i = indexOf(events, (e) => e.type === "host.notified" && e.sessions > 0);
      events[i] = { ...(events[i] as Notified), sessions: (events[i] as Notified).sessions + 1 };
      expect(names(events)).toContain("noticeRespected");
    });
  });

  describe("the initial host is a canary: nothing else is touched before it is back", () => {
    for (const type of [
      "host.notified",
      "host.drained",
      "host.undrained",
      "host.signedOut",
      "host.removed",
    ] as const) {
      it(`catches ${type} of another host before the initial host is ready`, () => {
        const events = clone();
        const i = indexOf(events, (e) => e.type === "host.drained" && e.host === "avd-0");
        const rollout = (events[i] as Extract<AnyEvent, { type: "host.drained" }>).rollout;
        const base = { t: events[i].t, rollout, host: "avd-1" };
        const event =
          type === "host.notified"
            ? { ...base, type, sessions: 0, sessionIds: [], deadline: shift(events[i].t, DELAY) }
            : type === "host.signedOut"
              ? { ...base, type, forced: 0 }
              : { ...base, type };
        events.splice(i + 1, 0, event as AnyEvent);
        expect(names(events)).toContain("initialFirstAndAlone");
      });
    }
    it("allows the next batch right after the initial host is ready", () => {
      const events = clone();
      const ready = indexOf(events, (e) => e.type === "host.ready" && e.host === "avd-0");
      const started = indexOf(events, (e) => e.type === "batch.started" && e.batch === 1);
      expect(started).toBeGreaterThan(ready);
      expect(names(events)).not.toContain("initialFirstAndAlone");
    });
  });

  describe("plan order", () => {
    it("catches batches with the wrong hosts", () => {
      const events = clone();
      const i = indexOf(events, (e) => e.type === "batch.started" && e.batch === 1);
      const e = events[i];
      if (e.type === "batch.started") events[i] = { ...e, hosts: ["avd-1", "avd-10"] };
      expect(names(events)).toContain("naturalOrder");
    });
    it("allows a batch's start reported again only after a driver crash (it died before recording it)", () => {
      const i = indexOf(valid, (e) => e.type === "batch.started" && e.batch === 1);
      const again = { ...valid[i] } as AnyEvent;
      expect(names(insert(clone(), again))).toContain("naturalOrder");
      const crashed = insert(clone(), { t: valid[i].t, type: "driver.crashed" });
      expect(names(insert(crashed, again))).not.toContain("naturalOrder");
    });
    it("catches a host noticed before its batch started", () => {
      const events = clone();
      const i = indexOf(events, (e) => e.type === "batch.started" && e.batch === 2);
      const notice = events[
        indexOf(events, (e) => e.type === "host.notified" && e.host === "avd-1")
      ] as Notified;
      events.splice(i, 0, {
        ...notice,
        host: "avd-3",
        t: events[i].t,
        deadline: shift(events[i].t, DELAY),
        sessions: 0,
        sessionIds: [],
      });
      expect(names(events)).toContain("naturalOrder");
    });
  });

  it("catches extra stack.up runs of a batch", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "stack.up" && e.batch === 1);
    events.splice(i + 1, 0, { ...(events[i] as AnyEvent) }, { ...(events[i] as AnyEvent) });
    expect(names(events)).toContain("stackUpsPerBatch");
  });

  it("catches drain mode or power state not restored, and lost hosts", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.ready" && e.host === "avd-5");
    const e = events[i];
    if (e.type === "host.ready") events[i] = { ...e, allowNewSession: true };
    const j = indexOf(events, (x) => x.type === "host.ready" && x.host === "avd-3");
    const d = events[j];
    if (d.type === "host.ready") events[j] = { ...d, powerState: "running" };
    expect(checkInvariants(events, scenario).filter((v) => v.invariant === "hostsEndUpdated")).toHaveLength(
      2,
    );
    const lost = clone().filter((x) => !(x.type === "host.ready" && x.host === "avd-6"));
    expect(names(lost)).toContain("hostsEndUpdated");
  });

  it("catches originals handled against the policy", () => {
    const events = clone().map((e) =>
      e.type === "vm.deleted" && e.host === "avd-2" ? ({ ...e, type: "vm.retained" } as AnyEvent) : e,
    );
    expect(names(events)).toContain("originalsPerPolicy");
  });

  describe("progress only goes forward", () => {
    const lastProgress = (): {
      events: AnyEvent[];
      i: number;
      e: Extract<AnyEvent, { type: "rollout.progress" }>;
    } => {
      const events = clone();
      const i = events.map((e) => e.type).lastIndexOf("rollout.progress");
      return { events, i, e: events[i] as Extract<AnyEvent, { type: "rollout.progress" }> };
    };
    it("catches the percent dropping by one", () => {
      const { events, i, e } = lastProgress();
      events.splice(i + 1, 0, { ...e, percent: e.percent - 1 });
      expect(names(events)).toContain("progressMonotonic");
    });
    it("catches completed hosts dropping by one", () => {
      const { events, i, e } = lastProgress();
      events.splice(i + 1, 0, { ...e, completed: e.completed - 1 });
      expect(names(events)).toContain("progressMonotonic");
    });
    it("accepts the same progress reported again", () => {
      const { events, i, e } = lastProgress();
      events.splice(i + 1, 0, { ...e });
      expect(names(events)).not.toContain("progressMonotonic");
    });
  });

  it("catches a completed host being worked on again", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.ready" && e.host === "avd-0");
    const rollout = (events[i] as Extract<AnyEvent, { type: "host.ready" }>).rollout;
    events.splice(i + 1, 0, { t: events[i].t, type: "host.drained", rollout, host: "avd-0" });
    expect(names(events)).toContain("completedNeverRedone");
  });

  it("catches events out of time order and a missing finish", () => {
    const events = clone();
    events.splice(5, 0, {
      t: "2020-01-01T00:00:00.000Z",
      type: "world.availability",
      available: 5,
      accepting: 5,
      freeSlots: 20,
      total: 7,
    });
    expect(names(events)).toContain("timeOrder");
    expect(names(clone().filter((e) => e.type !== "rollout.finished"))).toContain("finishedOnce");
  });
});
