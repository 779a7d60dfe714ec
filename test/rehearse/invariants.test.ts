/**
 * The invariant checker must be able to fail: start from a valid log (the reference driver on a
 * small scenario) and break one promise at a time.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AnyEvent } from "../../automation/core/events";
import type { InvariantName } from "../../automation/sim/invariants";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import type { Scenario } from "../../automation/sim/scenario";
import { parseScenario } from "../../automation/sim/scenario";
import { referenceDriver } from "./referenceDriver";

const MINUTE = 60_000;
let scenario: Scenario;
let valid: AnyEvent[];

beforeAll(async () => {
  scenario = parseScenario({
    name: "checker",
    seed: 11,
    hostPool: { hosts: 7, deallocated: ["avd-3"], drained: ["avd-5"], sessionsPerHost: 4 },
    update: { maxVmsRemoved: 2, logOffDelayMinutes: 20, deleteOriginalVm: true },
    users: { arrivalsPerHour: 30 },
  });
  valid = (await rehearseWithDetails(scenario, { driver: referenceDriver })).events;
});

const clone = (): AnyEvent[] => valid.map((e) => ({ ...e }) as AnyEvent);
const at = (e: AnyEvent, ms: number): string => new Date(Date.parse(e.t) + ms).toISOString();
const names = (events: AnyEvent[], s = scenario): InvariantName[] => [
  ...new Set(checkInvariants(events, s).map((v) => v.invariant)),
];
function indexOf(events: AnyEvent[], predicate: (e: AnyEvent) => boolean): number {
  const i = events.findIndex(predicate);
  if (i < 0) throw new Error("event not found in the valid log");
  return i;
}

describe("checkInvariants", () => {
  it("finds nothing in a valid log", () => {
    expect(checkInvariants(valid, scenario)).toEqual([]);
    expect(valid.some((e) => e.type === "world.session" && e.action === "loggedOff")).toBe(true);
  });

  it("catches capacity below (available at start - batch size)", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.drained");
    events.splice(i + 1, 0, {
      t: events[i].t,
      type: "world.availability",
      available: 1,
      accepting: 1,
      freeSlots: 5,
      total: 7,
    });
    expect(names(events)).toContain("capacity");
  });

  it("catches a forced sign-out before the delay", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.notified" && e.host === "avd-1");
    events.splice(i + 1, 0, {
      t: at(events[i], 0),
      type: "world.session",
      host: "avd-1",
      user: "u@x",
      action: "loggedOff",
    });
    expect(names(events)).toContain("noticeRespected");
  });

  it("catches a notice whose deadline is shorter than the delay", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.notified");
    const e = events[i];
    if (e.type === "host.notified") e.deadline = at(e, 5 * MINUTE - 20 * MINUTE);
    expect(names(events)).toContain("noticeRespected");
  });

  it("catches another host leaving service before the initial host is ready", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.drained" && e.host === "avd-0");
    events.splice(i + 1, 0, { t: events[i].t, type: "host.drained", rollout: "r", host: "avd-1" });
    expect(names(events)).toContain("initialFirstAndAlone");
  });

  it("catches batches out of natural order or with the wrong hosts", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "batch.started" && e.batch === 1);
    const e = events[i];
    if (e.type === "batch.started") e.hosts = ["avd-1", "avd-10"];
    expect(names(events)).toContain("naturalOrder");
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
    if (e.type === "host.ready") e.allowNewSession = true;
    const j = indexOf(events, (x) => x.type === "host.ready" && x.host === "avd-3");
    const d = events[j];
    if (d.type === "host.ready") d.powerState = "running";
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

  it("catches progress going backwards", () => {
    const events = clone();
    const i = events.map((e) => e.type).lastIndexOf("rollout.progress");
    events.splice(i + 1, 0, {
      t: events[i].t,
      type: "rollout.progress",
      rollout: "r",
      completed: 1,
      total: 7,
      percent: 14,
    });
    expect(names(events)).toContain("progressMonotonic");
  });

  it("catches a completed host being worked on again", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.ready" && e.host === "avd-0");
    events.splice(i + 1, 0, { t: events[i].t, type: "host.drained", rollout: "r", host: "avd-0" });
    expect(names(events)).toContain("completedNeverRedone");
  });

  it("catches sessions notified twice (a second notice with more sessions than arrived)", () => {
    const events = clone();
    const i = indexOf(events, (e) => e.type === "host.notified" && e.sessions > 0);
    const e = events[i];
    if (e.type !== "host.notified") throw new Error("unreachable");
    events.splice(i + 1, 0, { ...e, t: at(e, MINUTE) });
    expect(names(events)).toContain("noSessionNotifiedTwice");
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
