import { describe, expect, it } from "vitest";
import { DriverCrashedError, PortError } from "../../automation/core/errors";
import type { AnyEvent } from "../../automation/core/events";
import { RecordConflictError } from "../../automation/core/ports";
import type { RolloutRecord } from "../../automation/core/record";
import { PoolCapacity } from "../../automation/sim/poolCapacity";
import type { ScenarioInput } from "../../automation/sim/scenario";
import { parseScenario } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import {
  DEFAULT_START,
  DEPLOYED_REVISION,
  DESIRED_REVISION,
  SimulatedWorld,
  originalVmName,
} from "../../automation/sim/world";

const MINUTE = 60_000;
const quietUsers = { arrivalsPerHour: 0, disconnectedShare: 0, meanSessionMinutes: 100_000 };
const noJitter = { jitter: 0 };

function makeWorld(input: ScenarioInput) {
  const scenario = parseScenario({
    ...input,
    latency: { ...noJitter, ...input.latency },
    users: { ...quietUsers, ...input.users },
  });
  const clock = new VirtualClock(DEFAULT_START);
  const events: AnyEvent[] = [];
  const world = new SimulatedWorld(scenario, clock, { emit: (e) => events.push(e) });
  world.start();
  const ports = world.ports();
  const run = <T>(p: Promise<T>) => clock.runUntilSettled(p);
  return { scenario, clock, events, world, ports, run };
}

describe("SimulatedWorld: initial state", () => {
  it("models hosts, VM generations, registration and the ledger", async () => {
    const { world, ports, run, events } = makeWorld({
      hostPool: { hosts: 4, deallocated: ["avd-1"], drained: ["avd-2"], sessionsPerHost: 3 },
    });
    const hosts = await run(ports.hostPool.listSessionHosts());
    expect(hosts.map((h) => h.name)).toEqual([
      "avd-0.contoso.local",
      "avd-1.contoso.local",
      "avd-2.contoso.local",
      "avd-3.contoso.local",
    ]);
    const byName = Object.fromEntries(hosts.map((h) => [h.name.split(".")[0], h]));
    expect(byName["avd-0"]).toMatchObject({ status: "Available", allowNewSession: true, sessions: 3 });
    expect(byName["avd-1"]).toMatchObject({ status: "Shutdown", allowNewSession: true, sessions: 0 });
    expect(byName["avd-2"]).toMatchObject({ status: "Available", allowNewSession: false, sessions: 3 });
    const deployed = await run(ports.stack.readDeployedHosts());
    expect(deployed).toHaveLength(4);
    for (const d of deployed) {
      expect(d.vmName).toMatch(new RegExp(`^${d.host}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d$`));
      expect(d.vmName).toBe(originalVmName(d.host));
      expect(d.revision).toBe(DEPLOYED_REVISION);
      expect(d.vmResourceId).toMatch(/\/providers\/Microsoft\.Compute\/virtualMachines\//);
      // Session hosts are matched to VMs by resource id, not name.
      expect(hosts.find((h) => h.resourceId.toLowerCase() === d.vmResourceId.toLowerCase())).toBeDefined();
    }
    expect((await run(ports.stack.readDesired())).revision).toBe(DESIRED_REVISION);
    expect(await run(ports.compute.getPowerState(byName["avd-1"].resourceId))).toBe("deallocated");
    expect(events.find((e) => e.type === "world.availability")).toMatchObject({
      type: "world.availability",
      available: 3, // avd-2 is drained but serves its users
      accepting: 2,
      freeSlots: 2 * (12 - 3),
      total: 4,
    });
    expect(world.availableCount()).toBe(3);
  });

  it("gives a share of sessions the Disconnected state", () => {
    const { world } = makeWorld({
      hostPool: { hosts: 20, sessionsPerHost: 10 },
      users: { disconnectedShare: 0.3 },
    });
    const sessions = world.userSessions();
    const disconnected = sessions.filter((s) => s.sessionState === "Disconnected").length;
    expect(sessions).toHaveLength(200);
    expect(disconnected).toBeGreaterThan(30);
    expect(disconnected).toBeLessThan(90);
  });
});

describe("load balancing and users", () => {
  it("chooses hosts breadth-first or depth-first, lowest index on ties, never over the limit", () => {
    type H = { index: number; sessions: number; accepting: boolean };
    const hosts: H[] = [
      { index: 0, sessions: 3, accepting: true },
      { index: 1, sessions: 1, accepting: true },
      { index: 2, sessions: 5, accepting: true },
      { index: 3, sessions: 1, accepting: true },
      { index: 4, sessions: 0, accepting: false },
    ];
    const pool = (loadBalancer: "BreadthFirst" | "DepthFirst", limit: number) => {
      const capacity = new PoolCapacity<H>(limit, loadBalancer, (h) => ({
        serving: true,
        accepting: h.accepting,
        sessions: h.sessions,
      }));
      for (const h of hosts) capacity.update(h);
      return capacity;
    };
    expect(pool("BreadthFirst", 6).choose()?.index).toBe(1);
    expect(pool("BreadthFirst", 6).choose(hosts[1])?.index).toBe(3);
    expect(pool("DepthFirst", 6).choose()?.index).toBe(2);
    expect(pool("DepthFirst", 5).choose()?.index).toBe(0);
    expect(pool("DepthFirst", 1).choose()).toBeNull();
    // Counts follow each change, host by host.
    const capacity = pool("BreadthFirst", 6);
    expect(capacity.current).toEqual({ available: 5, accepting: 4, freeSlots: 3 + 5 + 1 + 5 });
    hosts[1].sessions = 6;
    capacity.update(hosts[1]);
    expect(capacity.current.freeSlots).toBe(3 + 1 + 5);
    expect(capacity.choose()?.index).toBe(3);
    hosts[3].accepting = false;
    capacity.update(hosts[3]);
    expect(capacity.current).toEqual({ available: 5, accepting: 3, freeSlots: 3 + 1 });
    expect(capacity.choose()?.index).toBe(0);
  });

  it("signs arriving users in through the load balancer onto available hosts only", async () => {
    for (const loadBalancer of ["BreadthFirst", "DepthFirst"] as const) {
      const { world, clock } = makeWorld({
        hostPool: { hosts: 4, sessionsPerHost: 0, maxSessionsPerHost: 5, loadBalancer, drained: ["avd-3"] },
        users: { arrivalsPerHour: 60 },
      });
      await clock.advance(8 * 60 * MINUTE);
      const counts = [0, 1, 2, 3].map((i) => world.host(`avd-${i}`)?.sessions.size ?? 0);
      expect(counts[3]).toBe(0);
      if (loadBalancer === "BreadthFirst")
        expect(Math.max(...counts.slice(0, 3)) - Math.min(...counts.slice(0, 3))).toBeLessThanOrEqual(1);
      else expect(counts[0]).toBe(5);
      expect(counts.every((c) => c <= 5)).toBe(true);
    }
  });

  it("users sign out after a notice and sign back in on another host; disconnected ones cannot react", async () => {
    const { world, ports, run, clock, events } = makeWorld({
      hostPool: { hosts: 3, sessionsPerHost: 4 },
      users: { signOutAfterNotice: { probability: 1, meanMinutes: 5 }, signBackIn: 1 },
    });
    const target = "avd-0.contoso.local";
    const host0 = world.host("avd-0");
    if (!host0) throw new Error("no host");
    [...host0.sessions.values()][0].state = "Disconnected";
    for (const s of await run(ports.hostPool.listUserSessions(target)))
      await run(ports.hostPool.sendMessage(target, s.id, "t", "b"));
    await clock.advance(120 * MINUTE);
    expect(host0.sessions.size).toBe(1);
    expect(world.stats.voluntarySignOuts).toBe(3);
    const others = (world.host("avd-1")?.sessions.size ?? 0) + (world.host("avd-2")?.sessions.size ?? 0);
    expect(others).toBe(8 + 3);
    const actions = events
      .filter((e) => e.type === "world.session")
      .map((e) => (e.type === "world.session" ? e.action : ""));
    expect(actions.filter((a) => a === "signedOut")).toHaveLength(3);
    // Notifying the users again on their new hosts counts as notified twice.
    for (const name of ["avd-1", "avd-2"]) {
      const fqdn = `${name}.contoso.local`;
      for (const s of await run(ports.hostPool.listUserSessions(fqdn)))
        await run(ports.hostPool.sendMessage(fqdn, s.id, "t", "b"));
    }
    expect(world.stats.sessionsNotifiedTwice).toBe(3);
  });

  it("forced sign-outs, drain and removal", async () => {
    const { world, ports, run, events } = makeWorld({ hostPool: { hosts: 2, sessionsPerHost: 3 } });
    const fqdn = "avd-1.contoso.local";
    const [first] = await run(ports.hostPool.listUserSessions(fqdn));
    await run(ports.hostPool.signOut(fqdn, first.id));
    await run(ports.hostPool.signOut(fqdn, first.id)); // already gone: success
    expect(world.stats.forcedSignOuts).toBe(1);
    await run(ports.hostPool.setDrainMode(fqdn, true));
    // Drained, it still serves its users; it takes no new ones.
    expect(world.availableCount()).toBe(2);
    expect(world.stats.maxInitialHostsOut).toBe(0);
    expect(events.at(-1)).toMatchObject({ type: "world.availability", available: 2, accepting: 1 });
    await run(ports.hostPool.removeSessionHost(fqdn));
    expect(world.availableCount()).toBe(1);
    expect(world.stats.maxInitialHostsOut).toBe(1);
    await run(ports.hostPool.removeSessionHost(fqdn));
    expect(world.stats.forcedSignOuts).toBe(3);
    expect((await run(ports.hostPool.listSessionHosts())).map((h) => h.name)).toEqual([
      "avd-0.contoso.local",
    ]);
    await expect(run(ports.hostPool.setDrainMode(fqdn, false))).rejects.toMatchObject({ kind: "notFound" });
  });
});

describe("compute and stack with the latency model", () => {
  it("replaces a host: deallocate, up (create + extensions + registration), delete the original", async () => {
    const { world, ports, run, clock } = makeWorld({ hostPool: { hosts: 2, sessionsPerHost: 0 } });
    const start = clock.now();
    const original = (await run(ports.stack.readDeployedHosts())).find((d) => d.host === "avd-0");
    if (!original) throw new Error("no ledger entry");
    await run(ports.hostPool.setDrainMode("avd-0.contoso.local", true));
    await run(ports.hostPool.removeSessionHost("avd-0.contoso.local"));
    await run(ports.compute.deallocate(original.vmResourceId));
    expect(clock.now() - start).toBe(2 * MINUTE);
    expect(await run(ports.compute.getPowerState(original.vmResourceId))).toBe("deallocated");
    await run(ports.hostPool.ensureRegistrationToken(120));
    expect(await run(ports.stack.preview({ index: 0, hosts: ["avd-0"] }))).toEqual({
      outsideBatchChanges: [],
      batchChanges: ["avd-0: virtualMachine replace"],
    });
    const result = await run(ports.stack.up({ index: 0, hosts: ["avd-0"] }));
    expect(result).toEqual({ result: "succeeded" });
    expect(clock.now() - start).toBe(20 * MINUTE);
    const updated = (await run(ports.stack.readDeployedHosts())).find((d) => d.host === "avd-0");
    expect(updated?.revision).toBe(DESIRED_REVISION);
    // The generation's name is fixed when its VM is created (after deallocate 2 + vmCreate 5 minutes).
    expect(updated?.vmName).toBe("avd-0-2026-04-13T08-07-00");
    const sessionHost = (await run(ports.hostPool.listSessionHosts())).find(
      (h) => h.name === "avd-0.contoso.local",
    );
    expect(sessionHost).toMatchObject({
      status: "Available",
      allowNewSession: true,
      resourceId: updated?.vmResourceId,
    });
    // An up of a finished host changes nothing and takes no time.
    const before = clock.now();
    expect(await run(ports.stack.up({ index: 0, hosts: ["avd-0"] }))).toEqual({ result: "succeeded" });
    expect(clock.now()).toBe(before);
    await run(ports.compute.deleteVm(original.vmResourceId));
    expect(clock.now() - before).toBe(2 * MINUTE);
    expect(await run(ports.compute.getPowerState(original.vmResourceId))).toBe("notFound");
    await run(ports.compute.deleteVm(original.vmResourceId));
    expect(world.stats.stackUps).toBe(2);
  });

  it("registration needs a token and a removed old session host", async () => {
    const { ports, run } = makeWorld({ hostPool: { hosts: 1, sessionsPerHost: 0 } });
    const noToken = await run(ports.stack.up({ index: 0, hosts: ["avd-0"] }));
    expect(noToken.failedHosts?.["avd-0"]).toMatch(/InvalidRegistrationToken/);
    await run(ports.hostPool.ensureRegistrationToken(60));
    const stillRegistered = await run(ports.stack.up({ index: 0, hosts: ["avd-0"] }));
    expect(stillRegistered.failedHosts?.["avd-0"]).toMatch(/SessionHostAlreadyExists/);
  });

  it("injects AgentRegistrationFailureGeneric; a retry re-runs the extensions on the same VM", async () => {
    const { world, ports, run, clock } = makeWorld({
      hostPool: { hosts: 1, sessionsPerHost: 0 },
      faults: { registrationFailureRate: 1 },
    });
    await run(ports.hostPool.removeSessionHost("avd-0.contoso.local"));
    await run(ports.hostPool.ensureRegistrationToken(600));
    const first = await run(ports.stack.up({ index: 0, hosts: ["avd-0"] }));
    expect(first.result).toBe("failed");
    expect(first.failedHosts?.["avd-0"]).toMatch(/^AgentRegistrationFailureGeneric/);
    const vmName = world.ledgerEntry("avd-0")?.vmName;
    expect(world.sessionHosts()).toHaveLength(0);
    world.scenario.faults.registrationFailureRate = 0;
    const t = clock.now();
    expect(await run(ports.stack.up({ index: 0, hosts: ["avd-0"] }))).toEqual({ result: "succeeded" });
    expect(clock.now() - t).toBe(13 * MINUTE);
    expect(world.ledgerEntry("avd-0")?.vmName).toBe(vmName);
    expect(world.sessionHosts()[0].status).toBe("Available");
  });

  it("applies jitter within the configured share", () => {
    const { world } = makeWorld({ latency: { jitter: 0.5, vmCreateMinutes: 10 } });
    for (let i = 0; i < 200; i++) {
      const ms = world.latency("vmCreateMinutes");
      expect(ms).toBeGreaterThanOrEqual(5 * MINUTE);
      expect(ms).toBeLessThanOrEqual(15 * MINUTE);
    }
  });

  it("fails ARM calls transiently at the fault rate, without applying them", async () => {
    const { world, ports, run } = makeWorld({ hostPool: { hosts: 1 }, faults: { armTransientRate: 1 } });
    const error = await run(ports.hostPool.setDrainMode("avd-0.contoso.local", true)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({ kind: "transient", code: "TooManyRequests" });
    expect(world.host("avd-0")?.sessionHost?.allowNewSession).toBe(true);
    // The stack is not an ARM call of the driver's: Pulumi retries those itself.
    await expect(run(ports.stack.readDeployedHosts())).resolves.toHaveLength(1);
  });

  it("stores the rollout record with optimistic concurrency", async () => {
    const { ports, run } = makeWorld({ hostPool: { hosts: 1 } });
    expect(await run(ports.hostPool.readRecord())).toEqual({ record: null, etag: null });
    const record = { version: 2, id: "r1", status: "running", hosts: {} } as unknown as RolloutRecord;
    const etag = await run(ports.hostPool.writeRecord(record, null));
    expect(await run(ports.hostPool.readRecord())).toEqual({ record, etag });
    // What was written cannot change unwritten.
    expect(() => {
      (record as { status: string }).status = "failed";
    }).toThrow(TypeError);
    await expect(run(ports.hostPool.writeRecord(record, null))).rejects.toBeInstanceOf(RecordConflictError);
    const cleared = await run(ports.hostPool.writeRecord(null, etag));
    expect(await run(ports.hostPool.readRecord())).toEqual({ record: null, etag: cleared });
  });
});

describe("crash generations", () => {
  it("a crash rejects every pending and later call and sleep of the generation; world operations go on", async () => {
    const { world, ports, run, clock, events } = makeWorld({ hostPool: { hosts: 2, sessionsPerHost: 0 } });
    const vm = world.ledgerEntry("avd-1")?.vmResourceId ?? "";
    const deallocating = ports.compute.deallocate(vm);
    const sleeping = ports.clock.sleep(10 * MINUTE).catch((e: unknown) => e);
    clock.schedule(MINUTE, () => world.crashCurrent());
    await expect(run(deallocating)).rejects.toBeInstanceOf(DriverCrashedError);
    expect(await run(sleeping)).toBeInstanceOf(DriverCrashedError);
    await expect(run(ports.hostPool.listSessionHosts())).rejects.toBeInstanceOf(DriverCrashedError);
    expect(events.filter((e) => e.type === "driver.crashed")).toHaveLength(1);
    expect(world.crashCount).toBe(1);
    // The deallocation started before the crash completes in the world.
    await clock.advance(5 * MINUTE);
    expect(world.vm(vm)?.powerState).toBe("deallocated");
    const next = world.ports();
    await expect(run(next.compute.getPowerState(vm))).resolves.toBe("deallocated");
  });

  it("plans crashes from the seed, at times and at calls", async () => {
    const { world, clock } = makeWorld({ hostPool: { hosts: 10 }, faults: { crashes: 6 } });
    const limit = clock.now() + 3 * 24 * 60 * MINUTE;
    // A stand-in driver: polls every minute; each crash is followed by a fresh generation.
    while (clock.now() < limit && world.crashCount < 6) {
      const ports = world.ports();
      await clock
        .runUntilSettled(
          (async () => {
            for (;;) {
              await ports.hostPool.listSessionHosts();
              await ports.clock.sleep(MINUTE);
            }
          })(),
          { untilMs: limit },
        )
        .catch((error: unknown) => {
          if (!(error instanceof DriverCrashedError) && !(error instanceof RangeError)) throw error;
        });
    }
    expect(world.crashCount).toBe(6);
    expect(world.portCallCount).toBeGreaterThan(0);
  });
});
