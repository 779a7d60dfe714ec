/**
 * The driver in pools that do not behave: session hosts it does not manage, a host of its own
 * that goes down during the rollout, a host whose drain mode keeps turning itself back off, and
 * one whose sessions survive a forced sign-out. Every run keeps every promise (the checker), and
 * a rollout that cannot proceed says why.
 */
import { describe, expect, it } from "vitest";
import type { AnyEvent } from "../../automation/core/events";
import type { RolloutRecord } from "../../automation/core/record";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import type { RehearsalRun } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import type { ScenarioInput } from "../../automation/sim/scenario";
import { RECORD_TAG } from "../../automation/sim/simulatedPorts";

const MINUTE = 60_000;
const jitterFree = { jitter: 0 };

async function rehearsal(
  input: ScenarioInput,
): Promise<RehearsalRun & { scenario: ReturnType<typeof parseScenario> }> {
  const scenario = parseScenario({ latency: jitterFree, ...input });
  const run = await rehearseWithDetails(scenario);
  expect(checkInvariants(run.events, scenario)).toEqual([]);
  return { ...run, scenario };
}

const ofType = <T extends AnyEvent["type"]>(events: readonly AnyEvent[], type: T) =>
  events.filter((e): e is Extract<AnyEvent, { type: T }> => e.type === type);
const minutesOf = (events: readonly AnyEvent[], e: AnyEvent) =>
  (Date.parse(e.t) - Date.parse(events[0].t)) / MINUTE;
const recordOf = (run: RehearsalRun) =>
  JSON.parse(run.world.tags().tags[RECORD_TAG] as string) as RolloutRecord;

describe("a pool holding session hosts this stack does not manage", () => {
  it("rolls out around them: never touches them, nor counts them in its budget", async () => {
    const run = await rehearsal({
      hostPool: { hosts: 6, sessionsPerHost: 4, unmanaged: { available: 2, drained: 1, down: 2 } },
      update: { maxVmsRemoved: 1 },
    });
    expect(run.result).toMatchObject({ result: "succeeded", hosts: 6, updated: 6 });
    const unmanaged = ["other-0", "other-1", "other-2", "other-3", "other-4"];
    const driverEvents = run.events.filter((e) => !e.type.startsWith("world."));
    const touching = driverEvents.filter((e) => unmanaged.some((h) => JSON.stringify(e).includes(`"${h}`)));
    expect(touching).toEqual([]);
    expect(ofType(run.events, "rollout.started")[0].hosts).toEqual([
      "avd-0",
      "avd-1",
      "avd-2",
      "avd-3",
      "avd-4",
      "avd-5",
    ]);
    // Two unmanaged hosts are down and two more serve: a budget that counted them would hold.
    expect(ofType(run.events, "rollout.blocked")).toEqual([]);
    expect(recordOf(run).baselineAvailable).toBe(6);
    expect(run.world.stats.maxInitialHostsOut).toBe(1);
    // Their drain mode is as it was.
    const allow = unmanaged.map((h) => run.world.host(h)?.sessionHost?.allowNewSession);
    expect(allow).toEqual([true, true, false, true, true]);
  });

  it("takes as long as the same pool without them", async () => {
    const base = {
      hostPool: { hosts: 6, sessionsPerHost: 4 },
      update: { maxVmsRemoved: 2 },
      users: { arrivalsPerHour: 0 },
    };
    const alone = await rehearsal(base);
    const shared = await rehearsal({
      ...base,
      hostPool: { ...base.hostPool, unmanaged: { down: 3, available: 2 } },
    });
    expect(shared.result.makespanMinutes).toBeLessThanOrEqual(alone.result.makespanMinutes);
  });
});

describe("a host of the stack that goes down during the rollout", () => {
  it("holds the budget while down: the rollout waits, says why every 10 minutes, and carries on once it is back", async () => {
    const run = await rehearsal({
      hostPool: { hosts: 5, sessionsPerHost: 3 },
      update: { maxVmsRemoved: 1, logOffDelayMinutes: 20 },
      faults: { outages: [{ host: "avd-4", atMinutes: 10, minutes: 120 }] },
    });
    expect(run.result.result).toBe("succeeded");
    const blocked = ofType(run.events, "rollout.blocked");
    expect(blocked.length).toBeGreaterThanOrEqual(8);
    for (const e of blocked) {
      expect(e.waitingFor).toBe("budget");
      expect(e.reason).toMatch(
        /budget of 1 host\(s\).*down for reasons of their own: avd-4\. Bring them back/,
      );
      expect(minutesOf(run.events, e)).toBeGreaterThanOrEqual(10);
      expect(minutesOf(run.events, e)).toBeLessThan(130);
    }
    expect(new Set(blocked.map((e) => e.since)).size).toBe(1);
    const gaps = blocked.slice(1).map((e, i) => minutesOf(run.events, e) - minutesOf(run.events, blocked[i]));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(10);
    // Nothing but the initial host left service while avd-4 was down; the next one once it was back.
    const removed = ofType(run.events, "host.removed").map(
      (e) => [e.host, minutesOf(run.events, e)] as const,
    );
    expect(removed.filter(([host, at]) => at > 10 && at < 130 && host !== "avd-0")).toEqual([]);
    expect(removed.filter(([, at]) => at >= 130).length).toBeGreaterThan(0);
    expect(recordOf(run).blocked).toBeUndefined();
  });

  it("down when its notice starts and back before it leaves: counts again (found by the property tests)", async () => {
    // PROPERTY_SEED=2112993254 shrunk to this: avd-3 down from the start for 40 minutes, noticed at
    // 39; it used to count as out for good, so avd-2 never left and the rollout stalled silently.
    const run = await rehearsal({
      hostPool: { hosts: 4, maxSessionsPerHost: 1, sessionsPerHost: 0 },
      users: { signOutAfterNotice: { probability: 0 }, arrivalsPerHour: 0, signBackIn: 0 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 1 },
      faults: { armTransientRate: 0.01, outages: [{ host: "avd-3", atMinutes: 0, minutes: 40 }] },
    });
    expect(run.result).toMatchObject({ result: "succeeded", updated: 4 });
  });

  it("a rehearsal with a host that stays down and holds the budget gives up at its limit saying why", async () => {
    const scenario = parseScenario({
      latency: jitterFree,
      hostPool: { hosts: 3 },
      update: { maxVmsRemoved: 1 },
      users: { arrivalsPerHour: 0 },
      faults: { outages: [{ host: "avd-2", atMinutes: 5 }] },
    });
    await expect(rehearseWithDetails(scenario)).rejects.toThrow(
      /did not finish .*rollout record status running.*; it waits: avd-0 is ready to leave service, but the budget of 1 host\(s\) out of service is used up by hosts that are down for reasons of their own: avd-2\./,
    );
  });

  it("costs nothing when it is its own turn: a down host is replaced like any other", async () => {
    const run = await rehearsal({
      hostPool: { hosts: 3 },
      update: { maxVmsRemoved: 2 },
      faults: { outages: [{ host: "avd-2", atMinutes: 5 }] },
    });
    expect(run.result).toMatchObject({ result: "succeeded", updated: 3 });
    expect(run.world.host("avd-2")?.sessionHost?.vm.hung).toBe(false);
  });
});

describe("a host that never drains", () => {
  it("drain mode that keeps turning itself back off: re-asserted, and whoever signs in meanwhile gets a full notice of their own", async () => {
    const run = await rehearsal({
      seed: 1,
      hostPool: { hosts: 6, sessionsPerHost: 0, maxSessionsPerHost: 500 },
      users: { arrivalsPerHour: 120, meanSessionMinutes: 100_000, signOutAfterNotice: { probability: 0 } },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 30 },
      faults: { drainReverts: ["avd-2"] },
    });
    expect(run.result.result).toBe("succeeded");
    const reverts = ofType(run.events, "world.fault").filter((e) => e.host === "avd-2");
    expect(reverts.length).toBeGreaterThan(10);
    const notices = ofType(run.events, "host.notified").filter((e) => e.host === "avd-2");
    expect(notices.length).toBeGreaterThan(5);
    // It left service only once the last of those notices had run out.
    const removed = ofType(run.events, "host.removed").find((e) => e.host === "avd-2");
    if (!removed) throw new Error("avd-2 never left the pool");
    const lastDeadline = Math.max(
      ...notices.filter((e) => e.sessions > 0).map((e) => Date.parse(e.deadline)),
    );
    expect(Date.parse(removed.t)).toBeGreaterThanOrEqual(lastDeadline);
    expect(run.result.shortNotices).toBe(0);
    // Nothing was down: the rollout never claimed to wait for the budget (it once did, in the step
    // whose own commits used the budget up).
    expect(ofType(run.events, "rollout.blocked")).toEqual([]);
  });

  it("sessions that survive their forced sign-out: signed out once, then the host is removed by force", async () => {
    const run = await rehearsal({
      hostPool: { hosts: 4, sessionsPerHost: 3 },
      users: { meanSessionMinutes: 100_000, signOutAfterNotice: { probability: 0 }, arrivalsPerHour: 0 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 30 },
      faults: { stuckSessions: ["avd-3"] },
    });
    expect(run.result).toMatchObject({ result: "succeeded", updated: 4 });
    const ignored = ofType(run.events, "world.fault").filter((e) => e.host === "avd-3");
    const signedOut = ofType(run.events, "host.signedOut").filter((e) => e.host === "avd-3");
    expect(signedOut).toHaveLength(1);
    // Every session it signed out ignored it, once (no second sign-out loop).
    expect(ignored.length).toBeGreaterThanOrEqual(3);
    expect(ignored.map((e) => e.session).sort()).toEqual([...(signedOut[0].sessionIds ?? [])].sort());
    const removed = ofType(run.events, "host.removed").find((e) => e.host === "avd-3");
    expect(removed?.t).toBe(signedOut[0].t);
    expect(run.result.shortNotices).toBe(0);
  });
});
