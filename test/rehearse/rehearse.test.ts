import { describe, expect, it } from "vitest";
import { checkInvariants } from "../../automation/sim/invariants";
import type { RehearsalDriver } from "../../automation/sim/driverModule";
import { rehearse, rehearseWithDetails } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import { referenceDriver } from "./referenceDriver";

const small = parseScenario({
  name: "small",
  seed: 5,
  hostPool: { hosts: 9, deallocated: ["avd-4"], drained: ["avd-7"], sessionsPerHost: 5 },
  update: { maxVmsRemoved: 3, logOffDelayMinutes: 20 },
  faults: { armTransientRate: 0, registrationFailureRate: 0 },
});

describe("rehearse", () => {
  it("is deterministic for a scenario and seed, and the seed matters", async () => {
    const a = await rehearseWithDetails(small, { rolloutId: "r1" });
    const b = await rehearseWithDetails(small, { rolloutId: "r1" });
    expect(b.result).toEqual(a.result);
    expect(b.events).toEqual(a.events);
    const other = await rehearseWithDetails({ ...small, seed: 6 }, { rolloutId: "r1" });
    expect(other.events).not.toEqual(a.events);
    // Without a given id, each run's events carry their own rollout id: appended logs stay apart.
    const c = await rehearseWithDetails(small);
    const d = await rehearseWithDetails(small);
    const idOf = (events: typeof a.events) => events.find((e) => e.type === "rollout.started")?.rollout;
    expect(idOf(c.events)).toMatch(/^rollout-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(idOf(c.events)).not.toBe(idOf(d.events));
  });

  it("computes every figure from the world and the event log", async () => {
    const run = await rehearseWithDetails(small);
    const { result, events } = run;
    expect(result).toMatchObject({
      scenario: "small",
      strategy: "avd-rollout",
      result: "succeeded",
      hosts: 9,
      updated: 9,
      failed: [],
      crashes: 0,
    });
    const count = (predicate: (e: (typeof events)[number]) => boolean) => events.filter(predicate).length;
    expect(result.forcedSignOuts).toBe(count((e) => e.type === "world.session" && e.action === "loggedOff"));
    expect(result.stackUps).toBe(count((e) => e.type === "stack.up"));
    const availability = events.flatMap((e) => (e.type === "world.availability" ? [e.available] : []));
    expect(result.minAvailable).toBe(Math.min(...availability));
    const span = (Date.parse(events[events.length - 1].t) - Date.parse(events[0].t)) / 60_000;
    expect(result.makespanMinutes).toBeGreaterThanOrEqual(Math.floor(span * 10) / 10 - 0.1);
    expect(result.voluntarySignOuts).toBeLessThanOrEqual(
      count((e) => e.type === "world.session" && e.action === "signedOut"),
    );
    expect(checkInvariants(events, small)).toEqual([]);
    // Shape of spec section 9.
    expect(Object.keys(result)).toEqual([
      "scenario",
      "strategy",
      "result",
      "hosts",
      "updated",
      "failed",
      "makespanMinutes",
      "minAvailable",
      "forcedSignOuts",
      "voluntarySignOuts",
      "sessionsNotifiedTwice",
      "stackUps",
      "crashes",
      "shortNotices",
      "shortestNoticeMinutes",
      "refusedSignIns",
      "disruptedUsers",
      "batches",
    ]);
    expect(result.refusedSignIns).toBe(count((e) => e.type === "world.session" && e.action === "refused"));
    expect(result.shortNotices).toBe(0);
    expect(result.shortestNoticeMinutes).toBeGreaterThanOrEqual(20);
    const started = events.filter((e) => e.type === "batch.started");
    expect(result.batches.map((b) => b.batch)).toEqual(
      started.map((e) => (e.type === "batch.started" ? e.batch : -1)),
    );
    for (const batch of result.batches) expect(batch.end !== null && batch.end >= batch.start).toBe(true);
  });

  it("the azure strategy takes longer than avd-rollout on the same pool", async () => {
    const pool = parseScenario({
      name: "cmp",
      hostPool: { hosts: 12 },
      update: { maxVmsRemoved: 3 },
      latency: { jitter: 0 },
    });
    const fast = await rehearse(pool, { strategy: "avd-rollout" });
    const slow = await rehearse(pool, { strategy: "azure" });
    expect(slow.strategy).toBe("azure");
    expect(fast.result).toBe("succeeded");
    expect(slow.result).toBe("succeeded");
    expect(slow.makespanMinutes).toBeGreaterThan(fast.makespanMinutes);
  });

  it("resumes after every crash and reports the crashes it injected", async () => {
    const crashy = parseScenario({ ...small, name: "crashy", faults: { crashes: 3 } });
    const run = await rehearseWithDetails(crashy, { driver: referenceDriver });
    const crashed = run.events.filter((e) => e.type === "driver.crashed").length;
    expect(run.result.crashes).toBe(crashed);
    expect(crashed).toBeGreaterThan(0);
    expect(run.events.filter((e) => e.type === "driver.resumed")).toHaveLength(crashed);
    expect(run.result.result).toBe("succeeded");
    expect(checkInvariants(run.events, crashy)).toEqual([]);
  });

  it("passes unexpected driver errors through and explains a driver that never finishes", async () => {
    const broken: RehearsalDriver = {
      startRollout: async () => {
        throw new TypeError("driver bug");
      },
      continueRollout: async () => {
        throw new TypeError("driver bug");
      },
    };
    await expect(rehearse(small, { driver: broken })).rejects.toThrow("driver bug");
    const stuck: RehearsalDriver = {
      startRollout: async (deps) => {
        for (;;) await deps.ports.clock.sleep(60_000);
      },
      continueRollout: async () => ({ result: "nothingToDo", rollout: null, updated: [], failed: [] }),
    };
    await expect(
      rehearse(parseScenario({ hostPool: { hosts: 1 }, users: { arrivalsPerHour: 0 } }), { driver: stuck }),
    ).rejects.toThrow(/did not finish/);
  });
});
