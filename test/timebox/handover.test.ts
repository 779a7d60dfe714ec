/**
 * A time-boxed run of the driver (DriverDeps.runUntil) on the simulated pool: what it does past
 * its time box, how it hands over, and how the next run — another machine — takes over.
 */
import { describe, expect, it } from "vitest";
import { continueRollout, startRollout } from "../../automation/core/driver";
import { BusyError } from "../../automation/core/errors";
import type { AnyEvent } from "../../automation/core/events";
import type { Ports } from "../../automation/core/ports";
import type { RolloutRecord } from "../../automation/core/record";
import { RECORD_TAG } from "../../automation/sim/simulatedPorts";
import { MIN, request, simulate, type Sim } from "../core/simHarness";

/** The record as stored on the pool now. */
function storedRecord(sim: Sim): RolloutRecord {
  return JSON.parse(sim.world.tags().tags[RECORD_TAG] as string) as RolloutRecord;
}

/** Ports of a new driver generation whose every record write is kept (with the time it was made). */
function recordingPorts(sim: Sim, writes: { at: number; record: RolloutRecord }[]): Ports {
  const ports = sim.world.ports();
  const writeRecord = ports.hostPool.writeRecord.bind(ports.hostPool);
  ports.hostPool.writeRecord = (record, etag) => {
    if (record) writes.push({ at: sim.clock.now(), record: structuredClone(record) });
    return writeRecord(record, etag);
  };
  return ports;
}

const at = (event: AnyEvent): number => Date.parse(event.t);

describe("a time-boxed run", () => {
  it("hands over: the lease is released, and another machine's run takes over at once", async () => {
    const sim = simulate({
      hostPool: { hosts: 6, sessionsPerHost: 3 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 20 },
    });
    const runUntil = sim.clock.now() + 30 * MIN;
    const first = await sim.run(
      startRollout(sim.deps({ owner: "pipeline-run-1", runUntil }), request(sim.scenario)),
    );
    expect(first.result).toBe("handover");
    const released = storedRecord(sim);
    expect(released).toMatchObject({ status: "running", owner: "pipeline-run-1" });
    expect(released.releasedAt).toBe(released.heartbeat);
    const handovers = sim.ofType("rollout.handover");
    expect(handovers).toHaveLength(1);
    expect(handovers[0].reason).toContain("avd-rollout continue");

    // The heartbeat is fresh, yet another owner continues at once: the lease was released.
    const second = sim.run(
      continueRollout({ ports: sim.world.ports(), events: sim.sink, owner: "pipeline-run-2" }),
    );
    await sim.clock.advance(MIN);
    expect(storedRecord(sim)).toMatchObject({ owner: "pipeline-run-2" });
    expect(storedRecord(sim).releasedAt).toBeUndefined();
    // A third one while the second holds the lease is refused (exit 3 in the CLI).
    await expect(
      sim.run(continueRollout({ ports: sim.world.ports(), events: sim.sink, owner: "pipeline-run-3" })),
    ).rejects.toBeInstanceOf(BusyError);
    expect((await second).result).toBe("succeeded");
    expect(sim.ofType("rollout.finished")).toMatchObject([{ result: "succeeded" }]);
  });

  it("takes no host out of service past its time box, and lets at most one up end after it", async () => {
    const sim = simulate({
      hostPool: { hosts: 12, sessionsPerHost: 4 },
      update: { maxVmsRemoved: 3, logOffDelayMinutes: 10 },
    });
    const writes: { at: number; record: RolloutRecord }[] = [];
    const boxes: { from: number; until: number; to: number }[] = [];
    let outcome = "handover";
    for (let run = 1; outcome === "handover"; run++) {
      const from = sim.clock.now();
      const until = from + 25 * MIN;
      const deps = {
        ports: recordingPorts(sim, writes),
        events: sim.sink,
        owner: `run-${run}`,
        runUntil: until,
      };
      const result = await sim.run(
        run === 1 ? startRollout(deps, request(sim.scenario)) : continueRollout(deps),
      );
      boxes.push({ from, until, to: sim.clock.now() });
      outcome = result.result;
      await sim.run(sim.clock.sleep(7 * MIN));
    }
    expect(outcome).toBe("succeeded");
    expect(boxes.length).toBeGreaterThan(3);
    const boxOf = (time: number) => boxes.find((b) => b.from <= time && time <= b.to);
    // Every commit (a host leaving service) was made before the end of its run's time box.
    const commits = new Set<string>();
    for (const write of writes)
      for (const entry of Object.values(write.record.hosts))
        if (entry.committedAt) commits.add(entry.committedAt);
    expect(commits.size).toBeGreaterThan(0);
    for (const committedAt of commits) {
      const box = boxOf(Date.parse(committedAt));
      expect(box, committedAt).toBeDefined();
      expect(Date.parse(committedAt)).toBeLessThan(box?.until ?? 0);
    }
    // At most one `up` per run is still running or starts after the time box.
    for (const box of boxes) {
      const ups = sim.ofType("stack.up").filter((e) => at(e) >= box.from && at(e) <= box.to);
      const finishes = sim.ofType("stack.upFinished").filter((e) => at(e) >= box.from && at(e) <= box.to);
      const pastBox = finishes.filter((e) => at(e) >= box.until);
      expect(pastBox.length).toBeLessThanOrEqual(1);
      expect(ups.filter((e) => at(e) >= box.until).length).toBeLessThanOrEqual(1);
      // Every up a run started also ended in it: no run leaves an `up` running behind it.
      expect(finishes).toHaveLength(ups.length);
    }
  });

  it("brings hosts it took out back before it hands over: their up may start past the time box", async () => {
    // No delay: the initial host leaves service at once and is deallocated 2 minutes later,
    // after the time box ended at 1 minute.
    const sim = simulate({
      hostPool: { hosts: 3, sessionsPerHost: 2 },
      update: { maxVmsRemoved: 1, logOffDelayMinutes: 0 },
      latency: { jitter: 0 },
    });
    const start = sim.clock.now();
    const outcome = await sim.run(
      startRollout(sim.deps({ owner: "run-1", runUntil: start + MIN }), request(sim.scenario)),
    );
    expect(outcome.result).toBe("handover");
    const [up] = sim.ofType("stack.up");
    expect(up.hosts).toEqual(["avd-0"]);
    expect(at(up)).toBeGreaterThan(start + MIN);
    // The initial host is back in service before the run ended: nothing waits deallocated.
    const [ready] = sim.ofType("host.ready");
    expect(ready.host).toBe("avd-0");
    expect(at(ready)).toBeLessThanOrEqual(at(sim.ofType("rollout.handover")[0]));
    expect(sim.ofType("stack.up")).toHaveLength(1);
    // Nothing else was touched: the next batch waits for the next run.
    expect(sim.ofType("host.notified").map((e) => e.host)).toEqual(["avd-0"]);
    const rest = await sim.run(
      continueRollout({ ports: sim.world.ports(), events: sim.sink, owner: "run-2" }),
    );
    expect(rest.result).toBe("succeeded");
  });

  it("of a scheduled rollout that starts after its time box hands the wait over", async () => {
    const sim = simulate({ hostPool: { hosts: 2 }, update: { maxVmsRemoved: 1, logOffDelayMinutes: 5 } });
    const start = sim.clock.now();
    const startAt = new Date(start + 3 * 60 * MIN).toISOString();
    const first = await sim.run(
      startRollout(sim.deps({ owner: "run-1", runUntil: start + 50 * MIN }), {
        ...request(sim.scenario),
        startAt,
      }),
    );
    expect(first.result).toBe("handover");
    expect(sim.clock.now()).toBeLessThan(start + 51 * MIN);
    expect(storedRecord(sim)).toMatchObject({ status: "scheduled", owner: "run-1" });
    expect(storedRecord(sim).releasedAt).toBeDefined();
    expect(sim.ofType("rollout.started")).toEqual([]);

    // A run later on, still before the start, hands over again; one after it rolls out.
    await sim.run(sim.clock.sleep(60 * MIN));
    const second = await sim.run(
      continueRollout({
        ports: sim.world.ports(),
        events: sim.sink,
        owner: "run-2",
        runUntil: sim.clock.now() + 50 * MIN,
      }),
    );
    expect(second.result).toBe("handover");
    await sim.run(sim.clock.sleep(60 * MIN));
    const third = await sim.run(
      continueRollout({
        ports: sim.world.ports(),
        events: sim.sink,
        owner: "run-3",
        runUntil: sim.clock.now() + 600 * MIN,
      }),
    );
    expect(third.result).toBe("succeeded");
    const [started] = sim.ofType("rollout.started");
    expect(at(started)).toBeGreaterThanOrEqual(Date.parse(startAt));
    expect(sim.ofType("rollout.handover")).toHaveLength(2);
  });
});
