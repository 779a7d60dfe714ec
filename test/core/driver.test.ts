/**
 * The driver on the simulated world: scheduling, per-host flow, failures, control, lease and
 * crash-resume. Invariants are checked with the simulation's checker on every run.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cancelRollout, pauseRollout, resumeRollout, retryRollout } from "../../automation/core/control";
import { continueRollout, startRollout } from "../../automation/core/driver";
import { BusyError, PortError } from "../../automation/core/errors";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { loadScenarioFile, parseScenario } from "../../automation/sim/scenario";
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

/** The initial host alone (notice, replacement), then the next notice, then one replacement per batch. */
function lowerBound(hosts: number, batch: number, delay: number, replace: number): number {
  return 2 * delay + replace + Math.ceil((hosts - 1) / batch) * replace;
}

describe("scheduling", () => {
  it("finishes within 1.10x of 2W + P + ceil((N-1)/B)*P when no user holds it back, keeping every invariant", async () => {
    // Sessions that end on their own within minutes and nobody arriving: no user needs a seat elsewhere.
    const scenario = parseScenario({
      name: "bound",
      hostPool: { hosts: 31, sessionsPerHost: 4, loadBalancer: "DepthFirst" },
      users: { meanSessionMinutes: 10, arrivalsPerHour: 0 },
      update: { maxVmsRemoved: 5, logOffDelayMinutes: 30 },
      latency: jitterFree(),
    });
    const run = await rehearseWithDetails(scenario);
    expect(run.result.result).toBe("succeeded");
    expect(run.result.updated).toBe(31);
    expect(checkInvariants(run.events, scenario)).toEqual([]);
    // Hosts that empty early leave early, so it can even beat the bound; never by more than the notices.
    const bound = lowerBound(31, 5, 30, 20);
    expect(run.result.makespanMinutes).toBeGreaterThanOrEqual(bound - 2 * 30);
    expect(run.result.makespanMinutes).toBeLessThanOrEqual(1.1 * bound);
  });

  it("is much faster than the azure strategy, which it reproduces (no overlap, drain at notice, full delay)", async () => {
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
    expect(azure.result.makespanMinutes).toBeGreaterThanOrEqual(1.15 * ours.result.makespanMinutes);
    // Azure: a batch is notified only after the previous one finished, and always waits the delay.
    const finished = new Map<number, number>();
    for (const e of azure.events) if (e.type === "batch.finished") finished.set(e.batch, Date.parse(e.t));
    for (const e of azure.events) {
      if (e.type === "batch.started" && e.batch > 0)
        expect(Date.parse(e.t)).toBeGreaterThanOrEqual(finished.get(e.batch - 1) ?? Infinity);
    }
    const notified = new Map<string, number>();
    const drained = new Map<string, number>();
    for (const e of azure.events) {
      if (e.type === "host.notified" && !notified.has(e.host)) notified.set(e.host, Date.parse(e.t));
      if (e.type === "host.drained") drained.set(e.host, Date.parse(e.t));
      if (e.type === "host.removed")
        expect(Date.parse(e.t) - (notified.get(e.host) ?? 0)).toBeGreaterThanOrEqual(30 * MIN);
    }
    // The service steers new sessions away from a host as soon as its notice starts.
    for (const [host, at] of drained) expect(at).toBeLessThanOrEqual(notified.get(host) ?? -1);
  });

  it("in a DepthFirst pool, tells fewer users twice than the azure strategy: a notice ahead of turn waits for room on updated hosts", async () => {
    // DepthFirst sends a sign-in to the fullest host with room: users sent away early land on hosts
    // still to be updated (they are fuller) and would be told again. Busy pool, users who come back.
    const scenario = loadScenarioFile(join(__dirname, "../../scenarios/faults-and-crashes.json"));
    const ours = await rehearseWithDetails(scenario);
    const azure = await rehearseWithDetails(scenario, { strategy: "azure" });
    expect(checkInvariants(ours.events, scenario)).toEqual([]);
    expect(ours.result.sessionsNotifiedTwice).toBeLessThanOrEqual(azure.result.sessionsNotifiedTwice);
    expect(ours.result.forcedSignOuts).toBeLessThanOrEqual(azure.result.forcedSignOuts);
    expect(ours.result.makespanMinutes).toBeLessThan(azure.result.makespanMinutes);
  });

  it("touches no other host before the initial host is back, then notices the next batch at once", async () => {
    const sim = simulate({ hostPool: { hosts: 7 }, update: { maxVmsRemoved: 3 }, latency: jitterFree() });
    const outcome = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(outcome.result).toBe("succeeded");
    const initialReady = sim.ofType("host.ready").find((e) => e.host === "avd-0");
    if (!initialReady) throw new Error("missing host.ready of the initial host");
    const before = sim.events.filter(
      (e) =>
        Date.parse(e.t) < Date.parse(initialReady.t) &&
        "host" in e &&
        e.host !== "avd-0" &&
        !e.type.startsWith("world."),
    );
    expect(before).toEqual([]);
    const batch1Notice = sim.ofType("host.notified").find((e) => e.host === "avd-1");
    if (!batch1Notice) throw new Error("missing notice of batch 1");
    expect(Date.parse(batch1Notice.t) - Date.parse(initialReady.t)).toBeLessThanOrEqual(MIN);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("keeps several batches under notice when the delay is longer than a replacement", async () => {
    // Room for everyone on the updated initial host: every old host can be drained ahead, so
    // DepthFirst sends returning users to updated hosts and nobody is told twice.
    const sim = simulate({
      hostPool: { hosts: 7, sessionsPerHost: 2, maxSessionsPerHost: 50, loadBalancer: "DepthFirst" },
      users: { arrivalsPerHour: 0 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 60 },
      latency: jitterFree(),
    });
    await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    const batch1Ready = sim.ofType("host.ready").find((e) => e.host === "avd-1");
    const noticedBefore = new Set(
      sim
        .ofType("host.notified")
        .filter((e) => Date.parse(e.t) < Date.parse(batch1Ready?.t ?? ""))
        .map((e) => e.host),
    );
    // With room to steer them, batches 2 and 3 are under notice (and drained) before batch 1 is back.
    expect([...noticedBefore].sort()).toEqual(
      expect.arrayContaining(["avd-0", "avd-1", "avd-2", "avd-3", "avd-4", "avd-5", "avd-6"]),
    );
    const drainedAtNotice = sim.ofType("host.drained").filter((e) => e.reason !== "commit");
    expect(drainedAtNotice.map((e) => e.host)).toEqual(
      expect.arrayContaining(["avd-3", "avd-4", "avd-5", "avd-6"]),
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
    // avd-0 left service once its users had left (about a minute), long before its 60-minute notice ran out.
    const removed = sim.ofType("host.removed").find((e) => e.host === "avd-0");
    if (!removed) throw new Error("avd-0 never left service");
    expect(sim.minutesOf(removed)).toBeGreaterThan(0);
    expect(sim.minutesOf(removed)).toBeLessThan(30);
    expect(sim.ofType("host.signedOut").every((e) => e.forced === 0)).toBe(true);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
  });

  it("re-asserts a drain an agent upgrade turned off; who signed in meanwhile gets a notice and a full delay of their own", async () => {
    const sim = simulate({
      seed: 3,
      hostPool: { hosts: 6, sessionsPerHost: 2 },
      users: {
        arrivalsPerHour: 240,
        meanSessionMinutes: 240,
        signOutAfterNotice: { probability: 0 },
        signBackIn: 0,
      },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 30 },
      latency: jitterFree(),
    });
    const fqdn = "avd-1.contoso.local";
    let reopenedAt = 0;
    const running = startRollout(sim.deps(), request(sim.scenario));
    // Once avd-1 is drained under notice, its drain mode keeps flipping back off for ten minutes
    // (an agent upgrade): sign-ins land on it in between the driver's re-assertions.
    const flip = (): void => {
      if (reopenedAt === 0 && sim.ofType("host.drained").some((e) => e.host === "avd-1"))
        reopenedAt = sim.clock.now();
      if (reopenedAt > 0) sim.world.setAllowNewSession(fqdn, true);
      if (reopenedAt === 0 || sim.clock.now() < reopenedAt + 10 * MIN) sim.clock.schedule(5_000, flip);
    };
    sim.clock.schedule(5_000, flip);
    expect((await sim.run(running)).result).toBe("succeeded");
    expect(reopenedAt).toBeGreaterThan(0);
    const notices = sim.ofType("host.notified").filter((e) => e.host === "avd-1");
    expect(notices.length).toBeGreaterThan(1);
    const [first, ...later] = notices;
    for (const e of later) {
      expect(e.sessionIds.some((id) => first.sessionIds.includes(id))).toBe(false);
      expect(Date.parse(e.deadline)).toBe(Date.parse(e.t) + 30 * MIN);
    }
    expect(sim.ofType("host.drained").filter((e) => e.host === "avd-1").length).toBeGreaterThan(1);
    expect(sim.world.stats.sessionsRenotified).toBe(0);
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
      seed: 1,
      hostPool: { hosts: 12 },
      update: { maxVmsRemoved: 3 },
      faults: { registrationFailureRate: 0.5, armTransientRate: 0.05 },
    });
    const run = await rehearseWithDetails(scenario, { tuning: { maxAttempts: 3 } });
    const retries = run.events.filter((e) => e.type === "host.retry");
    const failures = run.events.filter((e) => e.type === "host.failed");
    // Both happen in this run: hosts that succeed after a retry, and one that runs out of attempts.
    expect(run.result.result).toBe("failed");
    expect(failures.length).toBeGreaterThan(0);
    const retried = new Set(retries.map((e) => e.host));
    expect([...retried].some((host) => run.result.failed.includes(host))).toBe(true);
    expect([...retried].some((host) => !run.result.failed.includes(host))).toBe(true);
    // A host fails only once its 3 attempts are used up: its retries announce attempts 2 and 3.
    for (const failed of failures) {
      const attempts = retries.filter((e) => e.host === failed.host).map((e) => e.attempt);
      expect(Math.max(...attempts), failed.host).toBe(3);
    }
    // No host is ever tried a fourth time.
    for (const e of retries) expect(e.attempt).toBeLessThanOrEqual(3);
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
    // No other host was touched in any way: no notice, no drain, nothing.
    const touched = sim.events.filter(
      (e) =>
        !e.type.startsWith("world.") &&
        (("host" in e && e.host !== "avd-0") ||
          ("hosts" in e && e.type !== "rollout.started" && (e.hosts ?? []).some((h) => h !== "avd-0"))),
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

  it("backs a host off for at least the Retry-After the service asked for", async () => {
    const sim = simulate({ hostPool: { hosts: 3 }, update: { maxVmsRemoved: 2 }, latency: jitterFree() });
    const list = sim.ports.hostPool.listUserSessions.bind(sim.ports.hostPool);
    let throttled = 0;
    sim.ports.hostPool.listUserSessions = async (name) => {
      // The initial host's notice is throttled once, for 20 minutes.
      if (name?.startsWith("avd-0.") && throttled++ === 0)
        throw new PortError(
          "transient",
          `hostPool.listUserSessions(${name})`,
          "429 TooManyRequests",
          "TooManyRequests",
          { retryAfterMs: 20 * MIN },
        );
      return list(name);
    };
    await sim.run(startRollout(sim.deps({ tuning: { baseBackoffMs: MIN } }), request(sim.scenario)));
    const retry = sim.ofType("host.retry").find((e) => e.host === "avd-0");
    const notice = sim.ofType("host.notified").find((e) => e.host === "avd-0");
    if (!retry || !notice) throw new Error("missing events");
    expect(Date.parse(notice.t) - Date.parse(retry.t)).toBeGreaterThanOrEqual(20 * MIN);
    expect(checkInvariants(sim.events, sim.scenario)).toEqual([]);
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
        .ofType("host.removed")
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
      90 * MIN,
      () => void pauseRollout({ hostPool: operator.hostPool, clock: sim.clock, by: "op@desk" }),
    );
    const paused = await sim.run(startRollout(sim.deps(), request(sim.scenario)));
    expect(paused.result).toBe("paused");
    // At 90 min batch 1 was out of service (since ~80): it finished; batch 2 never left service.
    expect(paused.updated.sort()).toEqual(["avd-0", "avd-1", "avd-2", "avd-3"]);
    expect(sim.ofType("host.removed").some((e) => ["avd-4", "avd-5", "avd-6"].includes(e.host))).toBe(false);
    // Whatever the rollout drained of batch 2 accepts again.
    const sessionHosts = await sim.run(sim.ports.hostPool.listSessionHosts());
    for (const name of ["avd-4", "avd-5", "avd-6"])
      expect(sessionHosts.find((h) => h.name.startsWith(`${name}.`))?.allowNewSession).toBe(true);
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
      90 * MIN,
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
