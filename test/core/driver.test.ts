/**
 * The driver on the simulated world: scheduling, per-host flow, failures, control, lease and
 * crash-resume. Invariants are checked with the simulation's checker on every run.
 */
import { describe, expect, it } from "vitest";
import { cancelRollout, pauseRollout, resumeRollout, retryRollout } from "../../automation/core/control";
import { continueRollout, startRollout } from "../../automation/core/driver";
import { BusyError } from "../../automation/core/errors";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import type { ScenarioInput } from "../../automation/sim/scenario";
import { MIN, OWNER, request, simulate } from "./simHarness";

const jitterFree = (over: Partial<ScenarioInput["latency"]> = {}) => ({
  deallocateMinutes: 2,
  vmCreateMinutes: 5,
  extensionsMinutes: 10,
  registrationMinutes: 3,
  deleteMinutes: 2,
  jitter: 0,
  ...over,
});

function lowerBound(hosts: number, batch: number, delay: number, replace: number): number {
  return delay + replace + Math.ceil((hosts - 1) / batch) * replace;
}

describe("scheduling", () => {
  it("finishes within 1.10x of W + P + ceil((N-1)/B)*P on a jitter-free pool, keeping every invariant", async () => {
    const scenario = parseScenario({
      name: "bound",
      hostPool: { hosts: 31, sessionsPerHost: 4 },
      update: { maxVmsRemoved: 5, logOffDelayMinutes: 30 },
      latency: jitterFree(),
    });
    const run = await rehearseWithDetails(scenario);
    expect(run.result.result).toBe("succeeded");
    expect(run.result.updated).toBe(31);
    expect(checkInvariants(run.events, scenario)).toEqual([]);
    const bound = lowerBound(31, 5, 30, 20);
    expect(run.result.makespanMinutes).toBeGreaterThanOrEqual(bound - 1);
    expect(run.result.makespanMinutes).toBeLessThanOrEqual(1.1 * bound);
  });

  it("is at least twice as fast as the azure strategy, which it reproduces (no overlap, full delay)", async () => {
    const scenario = parseScenario({
      name: "compare",
      hostPool: { hosts: 41 },
      update: { maxVmsRemoved: 5, logOffDelayMinutes: 30 },
      latency: jitterFree(),
    });
    const ours = await rehearseWithDetails(scenario);
    const azure = await rehearseWithDetails(scenario, { strategy: "azure" });
    expect(checkInvariants(azure.events, scenario)).toEqual([]);
    expect(azure.result.result).toBe("succeeded");
    expect(azure.result.makespanMinutes).toBeGreaterThanOrEqual(2 * ours.result.makespanMinutes);
    // Azure: a batch is notified only after the previous one finished, and always waits the delay.
    const finished = new Map<number, number>();
    for (const e of azure.events) if (e.type === "batch.finished") finished.set(e.batch, Date.parse(e.t));
    for (const e of azure.events) {
      if (e.type === "batch.started" && e.batch > 0)
        expect(Date.parse(e.t)).toBeGreaterThanOrEqual(finished.get(e.batch - 1) ?? Infinity);
    }
    const notified = new Map<string, number>();
    for (const e of azure.events) {
      if (e.type === "host.notified" && !notified.has(e.host)) notified.set(e.host, Date.parse(e.t));
      if (e.type === "host.drained")
        expect(Date.parse(e.t) - (notified.get(e.host) ?? 0)).toBeGreaterThanOrEqual(30 * MIN);
    }
  });

  it("starts the next batch's notice during the initial host's replacement, so its deadline lands when capacity frees", async () => {
    const sim = simulate({ hostPool: { hosts: 7 }, update: { maxVmsRemoved: 3 }, latency: jitterFree() });
    const outcome = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(outcome.result).toBe("succeeded");
    const initialReady = sim.ofType("host.ready").find((e) => e.host === "avd-0");
    const batch1Notice = sim.ofType("host.notified").find((e) => e.host === "avd-1");
    const batch1Drained = sim.ofType("host.drained").find((e) => e.host === "avd-1");
    if (!initialReady || !batch1Notice || !batch1Drained) throw new Error("missing events");
    expect(Date.parse(batch1Notice.t)).toBeLessThan(Date.parse(initialReady.t));
    // Never before its deadline; and no later than a step after the initial host is back.
    expect(Date.parse(batch1Drained.t)).toBeGreaterThanOrEqual(Date.parse(batch1Notice.deadline));
    expect(Date.parse(batch1Drained.t) - Date.parse(initialReady.t)).toBeLessThanOrEqual(MIN);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("keeps several batches under notice when the delay is longer than a replacement", async () => {
    const sim = simulate({
      hostPool: { hosts: 9 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 60 },
      latency: jitterFree(),
    });
    await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    const initialReady = sim.ofType("host.ready").find((e) => e.host === "avd-0");
    const noticedBefore = new Set(
      sim
        .ofType("host.notified")
        .filter((e) => Date.parse(e.t) < Date.parse(initialReady?.t ?? ""))
        .map((e) => e.host),
    );
    // Batches 1 and 2 (avd-1..avd-4) are under notice before the initial host is back.
    expect([...noticedBefore].sort()).toEqual(
      expect.arrayContaining(["avd-0", "avd-1", "avd-2", "avd-3", "avd-4"]),
    );
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("proceeds early when the sessions are gone, and never signs anyone out early", async () => {
    const sim = simulate({
      hostPool: { hosts: 4, sessionsPerHost: 3 },
      users: {
        signOutAfterNotice: { probability: 1, meanMinutes: 1 },
        arrivalsPerHour: 0,
        disconnectedShare: 0,
      },
      update: { maxVmsRemoved: 3, logOffDelayMinutes: 60 },
      latency: jitterFree(),
    });
    await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    const drained = sim.ofType("host.drained").find((e) => e.host === "avd-0");
    expect(sim.minutesOf(drained ?? sim.events[0])).toBeLessThan(30);
    expect(sim.ofType("host.signedOut").every((e) => e.forced === 0)).toBe(true);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("notifies sessions that arrive during the wait, once each, with the time that remains", async () => {
    const sim = simulate({
      seed: 3,
      hostPool: { hosts: 6, sessionsPerHost: 2, loadBalancer: "DepthFirst" },
      users: { arrivalsPerHour: 120, signOutAfterNotice: { probability: 0 }, signBackIn: 0 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 30 },
      latency: jitterFree(),
    });
    await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    const notices = sim.ofType("host.notified");
    const late = notices.filter((e, i) => notices.findIndex((n) => n.host === e.host) !== i);
    expect(late.length).toBeGreaterThan(0);
    for (const e of late) {
      const first = notices.find((n) => n.host === e.host);
      expect(e.deadline).toBe(first?.deadline);
    }
    expect(sim.world.stats.sessionsNotifiedTwice).toBe(0);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });
});

describe("per-host flow", () => {
  it("restores drain mode and power state and keeps deallocated originals when deleteOriginalVm is false", async () => {
    const sim = simulate({
      hostPool: { hosts: 6, deallocated: ["avd-2"], drained: ["avd-4"] },
      update: { maxVmsRemoved: 2, deleteOriginalVm: false },
      latency: jitterFree(),
    });
    const outcome = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(outcome.result).toBe("succeeded");
    const ready = new Map(sim.ofType("host.ready").map((e) => [e.host, e]));
    expect(ready.get("avd-2")).toMatchObject({ powerState: "deallocated", allowNewSession: true });
    expect(ready.get("avd-4")).toMatchObject({ powerState: "running", allowNewSession: false });
    expect(ready.get("avd-1")).toMatchObject({ powerState: "running", allowNewSession: true });
    expect(sim.ofType("vm.retained")).toHaveLength(6);
    expect(sim.ofType("vm.deleted")).toHaveLength(0);
    const sessionHosts = await sim.ports.hostPool.listSessionHosts();
    expect(sessionHosts.find((s) => s.name.startsWith("avd-4."))?.allowNewSession).toBe(false);
    for (const e of sim.ofType("vm.retained")) {
      const original = sim.events.find((x) => x.type === "vm.deallocated" && x.vm === e.vm);
      if (e.host !== "avd-2") expect(original).toBeDefined();
    }
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("deletes originals when deleteOriginalVm is true", async () => {
    const sim = simulate({
      hostPool: { hosts: 4 },
      update: { maxVmsRemoved: 3, deleteOriginalVm: true },
      latency: jitterFree(),
    });
    await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(
      sim
        .ofType("vm.deleted")
        .map((e) => e.host)
        .sort(),
    ).toEqual(["avd-0", "avd-1", "avd-2", "avd-3"]);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("re-running a finished rollout does nothing", async () => {
    const sim = simulate({ hostPool: { hosts: 3 }, latency: jitterFree() });
    await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    const again = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(again).toEqual({ result: "nothingToDo", rollout: null, updated: [], failed: [] });
  });
});

describe("failures", () => {
  it("retries transient registration failures and ARM throttling per host, bounded", async () => {
    const scenario = parseScenario({
      seed: 11,
      hostPool: { hosts: 12 },
      update: { maxVmsRemoved: 3 },
      faults: { registrationFailureRate: 0.3, armTransientRate: 0.05 },
    });
    const run = await rehearseWithDetails(scenario);
    const retries = run.events.filter((e) => e.type === "host.retry");
    expect(retries.length).toBeGreaterThan(0);
    // A host fails only after its bounded attempts (5 by default) are used up.
    for (const failed of run.events.filter((e) => e.type === "host.failed")) {
      const attempts = retries.filter((e) => e.host === failed.host).map((e) => e.attempt);
      expect(Math.max(...attempts)).toBe(5);
    }
    expect(run.result.updated + run.result.failed.length).toBeLessThanOrEqual(12);
    expect(checkInvariants(run.events, scenario)).toEqual([]);
  });

  it("an initial host that keeps failing fails the rollout with the pool otherwise untouched; retry resumes", async () => {
    const sim = simulate({
      hostPool: { hosts: 5 },
      update: { maxVmsRemoved: 2 },
      faults: { registrationFailureRate: 1 },
      latency: jitterFree(),
    });
    const failed = await sim.run(
      startRollout(sim.deps({ tuning: { maxAttempts: 2 } }), request(sim.scenario)),
    );
    expect(failed).toMatchObject({ result: "failed", failed: ["avd-0"], updated: [] });
    expect(sim.ofType("host.failed").map((e) => e.host)).toEqual(["avd-0"]);
    const touched = sim.events.filter(
      (e) =>
        (e.type === "host.drained" || e.type === "host.removed" || e.type === "stack.up") &&
        ("host" in e ? e.host !== "avd-0" : e.hosts.some((h) => h !== "avd-0")),
    );
    expect(touched).toEqual([]);
    expect(sim.ofType("rollout.finished").map((e) => e.result)).toEqual(["failed"]);

    // A second start is refused: the failed rollout holds the pool until retried or cancelled.
    await expect(sim.run(startRollout(sim.deps(), request(sim.scenario)))).rejects.toThrow(/retry/);

    sim.scenario.faults.registrationFailureRate = 0;
    await sim.run(retryRollout({ hostPool: sim.ports.hostPool, clock: sim.clock, by: OWNER }));
    const retried = await sim.run(continueRollout(sim.deps()));
    expect(retried.result).toBe("succeeded");
    expect(retried.updated).toHaveLength(5);
  });

  it("a failed host lets its batch finish, then stops; succeeded hosts are never redone", async () => {
    const sim = simulate({ hostPool: { hosts: 7 }, update: { maxVmsRemoved: 3 }, latency: jitterFree() });
    // Registration fails for good once the initial host is done.
    const up = sim.ports.stack.up.bind(sim.ports.stack);
    sim.ports.stack.up = async (batch) => {
      if (batch.index === 1) sim.scenario.faults.registrationFailureRate = 1;
      return up(batch);
    };
    const outcome = await sim.run(
      startRollout(sim.deps({ tuning: { maxAttempts: 1 } }), request(sim.scenario)),
    );
    expect(outcome.result).toBe("failed");
    expect(outcome.updated).toEqual(["avd-0"]);
    expect(outcome.failed.sort()).toEqual(["avd-1", "avd-2", "avd-3"]);
    // Nothing of batch 2 left service.
    expect(
      sim
        .ofType("host.drained")
        .map((e) => e.host)
        .sort(),
    ).toEqual(["avd-0", "avd-1", "avd-2", "avd-3"]);

    sim.scenario.faults.registrationFailureRate = 0;
    sim.ports.stack.up = up;
    await sim.run(retryRollout({ hostPool: sim.ports.hostPool, clock: sim.clock, by: OWNER }));
    const before = sim.events.length;
    const retried = await sim.run(continueRollout(sim.deps()));
    expect(retried.result).toBe("succeeded");
    const redone = sim.events
      .slice(before)
      .filter((e) => "host" in e && e.host === "avd-0" && e.type.startsWith("host."));
    expect(redone).toEqual([]);
  });
});

describe("control", () => {
  it("pause lets the in-flight batch finish, resume continues", async () => {
    const sim = simulate({ hostPool: { hosts: 7 }, update: { maxVmsRemoved: 3 }, latency: jitterFree() });
    const operator = sim.operatorPorts();
    sim.clock.schedule(
      60 * MIN,
      () => void pauseRollout({ hostPool: operator.hostPool, clock: sim.clock, by: "op@desk" }),
    );
    const paused = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(paused.result).toBe("paused");
    // At 60 min batch 1 was in flight (drained at ~50): it finished; batch 2 never left service.
    expect(paused.updated.sort()).toEqual(["avd-0", "avd-1", "avd-2", "avd-3"]);
    expect(sim.ofType("host.drained").some((e) => ["avd-4", "avd-5", "avd-6"].includes(e.host))).toBe(false);
    expect(sim.ofType("rollout.paused")).toHaveLength(1);
    // A paused rollout can only be resumed or cancelled.
    await expect(
      sim.run(retryRollout({ hostPool: operator.hostPool, clock: sim.clock, by: "op@desk" })),
    ).rejects.toThrow(/resumed or cancelled/);

    await sim.run(
      resumeRollout({ hostPool: operator.hostPool, clock: sim.clock, by: OWNER, events: sim.sink }),
    );
    const done = await sim.run(continueRollout(sim.deps()));
    expect(done.result).toBe("succeeded");
    expect(done.updated).toHaveLength(7);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("cancel lets the in-flight batch finish and keeps completed hosts updated", async () => {
    const sim = simulate({ hostPool: { hosts: 7 }, update: { maxVmsRemoved: 3 }, latency: jitterFree() });
    const operator = sim.operatorPorts();
    sim.clock.schedule(
      60 * MIN,
      () => void cancelRollout({ hostPool: operator.hostPool, clock: sim.clock, by: "op@desk" }),
    );
    const outcome = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(outcome.result).toBe("cancelled");
    expect(outcome.updated.sort()).toEqual(["avd-0", "avd-1", "avd-2", "avd-3"]);
    expect(sim.ofType("rollout.finished").map((e) => e.result)).toEqual(["cancelled"]);
    // The pool is free again: a new start plans the rest.
    const next = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(next.result).toBe("succeeded");
    expect(next.updated.sort()).toEqual(["avd-4", "avd-5", "avd-6"]);
  });

  it("a scheduled start sleeps until its time", async () => {
    const sim = simulate({ hostPool: { hosts: 3 }, latency: jitterFree() });
    const startAt = new Date(sim.clock.now() + 120 * MIN).toISOString();
    const running = startRollout(sim.deps(), { ...request(sim.scenario), startAt });
    const record = await sim.run(
      (async () => {
        await sim.clock.sleep(MIN);
        return (await sim.operatorPorts().hostPool.readRecord()).record;
      })(),
    );
    expect(record?.status).toBe("scheduled");
    const outcome = await sim.run(running);
    expect(outcome.result).toBe("succeeded");
    const started = sim.ofType("rollout.started")[0];
    expect(sim.minutesOf(started)).toBe(120);
    expect(Math.min(...sim.ofType("host.notified").map((e) => sim.minutesOf(e)))).toBeGreaterThanOrEqual(120);
  });

  it("one rollout per pool: a second start is refused naming the holder and since when", async () => {
    const sim = simulate({ hostPool: { hosts: 3 }, latency: jitterFree() });
    const first = startRollout(sim.deps(), request(sim.scenario));
    const second = (async () => {
      await sim.clock.sleep(10 * MIN);
      return startRollout(
        { ports: sim.operatorPorts(), events: sim.sink, owner: "other@ci" },
        request(sim.scenario),
      );
    })();
    const refused = await sim.run(
      second.then(
        () => null,
        (e: unknown) => e,
      ),
    );
    expect(refused).toBeInstanceOf(BusyError);
    expect(String(refused)).toContain(OWNER);
    expect(String(refused)).toContain("since 2026-04-13T08:00:00.000Z");
    expect((await sim.run(first)).result).toBe("succeeded");
  });

  it("another machine takes over a crashed driver's lease only once its heartbeat is stale", async () => {
    const sim = simulate({ hostPool: { hosts: 3 }, latency: jitterFree() });
    const crashed = startRollout(sim.deps(), request(sim.scenario));
    sim.clock.schedule(10 * MIN, () => sim.world.crashCurrent());
    await sim.run(
      crashed.then(
        () => null,
        (e: unknown) => e,
      ),
    );
    const other = { ports: sim.world.ports(), events: sim.sink, owner: "other@ci" };
    await expect(sim.run(continueRollout(other))).rejects.toBeInstanceOf(BusyError);
    await sim.run(sim.clock.sleep(6 * MIN));
    const outcome = await sim.run(continueRollout(other));
    expect(outcome.result).toBe("succeeded");
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });
});

describe("crash-resume", () => {
  it.each([1, 2, 3, 4, 5, 6])(
    "loses no host, re-notifies nobody and shortens no notice (seed %i)",
    async (seed) => {
      const scenario = parseScenario({
        name: `crashes-${seed}`,
        seed,
        hostPool: { hosts: 9, deallocated: ["avd-5"], drained: ["avd-7"] },
        update: { maxVmsRemoved: 3, deleteOriginalVm: seed % 2 === 0 },
        faults: { crashes: 6 },
      });
      const run = await rehearseWithDetails(scenario);
      expect(run.result.result).toBe("succeeded");
      expect(run.result.updated).toBe(9);
      expect(run.result.crashes).toBeGreaterThan(0);
      expect(checkInvariants(run.events, scenario)).toEqual([]);
    },
  );
});
