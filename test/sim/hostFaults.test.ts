/**
 * The world's hosts that do not behave (automation/sim/scenarioHosts.ts): session hosts the stack
 * does not manage, outages, drain mode that turns itself back off, sessions that survive a
 * forced sign-out — and the scenario fields that ask for them.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import type { AnyEvent } from "../../automation/core/events";
import type { ScenarioInput } from "../../automation/sim/scenario";
import { parseScenario } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import {
  DEFAULT_START,
  DRAIN_REVERT_MS,
  SimulatedWorld,
  UNMANAGED_RESOURCE_GROUP,
} from "../../automation/sim/world";

const MINUTE = 60_000;

function makeWorld(input: ScenarioInput) {
  const scenario = parseScenario({
    ...input,
    latency: { jitter: 0, ...input.latency },
    users: { arrivalsPerHour: 0, disconnectedShare: 0, meanSessionMinutes: 100_000, ...input.users },
  });
  const clock = new VirtualClock(DEFAULT_START);
  const events: AnyEvent[] = [];
  const world = new SimulatedWorld(scenario, clock, { emit: (e) => events.push(e) });
  world.start();
  const ports = world.ports();
  const run = <T>(p: Promise<T>) => clock.runUntilSettled(p);
  const faults = () => events.filter((e) => e.type === "world.fault");
  return { scenario, clock, events, world, ports, run, faults };
}

function inputError(raw: unknown): string {
  try {
    parseScenario(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("session hosts the stack does not manage", () => {
  const pool = {
    hostPool: { hosts: 3, sessionsPerHost: 2, unmanaged: { available: 2, drained: 1, down: 1 } },
  };

  it("are in the host pool, with sessions and VMs of their own, but never in the stack", async () => {
    const { world, ports, run } = makeWorld(pool);
    const sessionHosts = await run(ports.hostPool.listSessionHosts());
    const byName = Object.fromEntries(sessionHosts.map((h) => [h.name.split(".")[0], h]));
    expect(Object.keys(byName)).toEqual([
      "avd-0",
      "avd-1",
      "avd-2",
      "other-0",
      "other-1",
      "other-2",
      "other-3",
    ]);
    expect(byName["other-0"]).toMatchObject({ status: "Available", allowNewSession: true, sessions: 2 });
    expect(byName["other-2"]).toMatchObject({ status: "Available", allowNewSession: false, sessions: 2 });
    expect(byName["other-3"]).toMatchObject({ status: "NoHeartbeat", allowNewSession: true, sessions: 0 });
    expect(byName["other-0"].resourceId).toContain(`/resourceGroups/${UNMANAGED_RESOURCE_GROUP}/`);
    expect(await run(ports.compute.getPowerState(byName["other-3"].resourceId))).toBe("running");

    const deployed = await run(ports.stack.readDeployedHosts());
    expect(deployed.map((d) => d.host)).toEqual(["avd-0", "avd-1", "avd-2"]);
    expect((await run(ports.stack.readDesired())).hosts).toEqual(["avd-0", "avd-1", "avd-2"]);
    expect(world.hostNames()).toEqual(["avd-0", "avd-1", "avd-2"]);
    const up = await run(ports.stack.up({ index: 1, hosts: ["other-0"] }));
    expect(up).toMatchObject({ result: "failed", error: expect.stringContaining("other-0") });
  });

  it("count in the pool's capacity: serving, accepting and free slots", () => {
    const { events } = makeWorld(pool);
    const first = events.find((e) => e.type === "world.availability");
    // Managed 3 + unmanaged available 2 + drained 1 serve; the down one does not. Slots: 5 x (12 - 2).
    expect(first).toMatchObject({ available: 6, accepting: 5, freeSlots: 50, total: 7 });
  });

  it("take sign-ins through the load balancer like any accepting host", async () => {
    const { world, clock, run } = makeWorld({
      hostPool: { hosts: 1, sessionsPerHost: 0, unmanaged: { available: 1 } },
      users: { arrivalsPerHour: 120 },
    });
    await run(clock.sleep(30 * MINUTE));
    expect(world.host("other-0")?.sessions.size).toBeGreaterThan(0);
    expect(world.host("avd-0")?.sessions.size).toBeGreaterThan(0);
  });
});

describe("faults of the stack's own hosts", () => {
  it("an outage takes a host out of service (NoHeartbeat) and back, reported as world.fault", async () => {
    const { clock, ports, run, faults, events } = makeWorld({
      hostPool: { hosts: 2 },
      faults: { outages: [{ host: "avd-1", atMinutes: 10, minutes: 30 }] },
    });
    const statusAt = async (minute: number) => {
      await run(clock.sleep(DEFAULT_START + minute * MINUTE - clock.now()));
      return (await run(ports.hostPool.listSessionHosts())).find((h) => h.name.startsWith("avd-1."))?.status;
    };
    expect(await statusAt(9)).toBe("Available");
    expect(await statusAt(10)).toBe("NoHeartbeat");
    expect(await statusAt(39)).toBe("NoHeartbeat");
    expect(await statusAt(40)).toBe("Available");
    expect(faults().map((e) => [e.t, e.type === "world.fault" && e.fault])).toEqual([
      [new Date(DEFAULT_START + 10 * MINUTE).toISOString(), "outageStarted"],
      [new Date(DEFAULT_START + 40 * MINUTE).toISOString(), "outageEnded"],
    ]);
    const available = events.flatMap((e) => (e.type === "world.availability" ? [e.available] : []));
    expect(available).toEqual([2, 1, 2]);
  });

  it("an outage without an end lasts", async () => {
    const { clock, ports, run } = makeWorld({
      hostPool: { hosts: 2 },
      faults: { outages: [{ host: "avd-0", atMinutes: 0 }] },
    });
    await run(clock.sleep(10_000 * MINUTE));
    const avd0 = (await run(ports.hostPool.listSessionHosts())).find((h) => h.name.startsWith("avd-0."));
    expect(avd0?.status).toBe("NoHeartbeat");
  });

  it("drain mode that turns itself back off, on the original VM only, each time it is set", async () => {
    const { clock, ports, run, faults, world } = makeWorld({
      hostPool: { hosts: 2 },
      faults: { drainReverts: ["avd-1"] },
    });
    const allow = async () =>
      (await run(ports.hostPool.listSessionHosts())).find((h) => h.name.startsWith("avd-1."))
        ?.allowNewSession;
    await run(ports.hostPool.setDrainMode("avd-1.contoso.local", true));
    expect(await allow()).toBe(false);
    await run(clock.sleep(DRAIN_REVERT_MS - 1));
    expect(await allow()).toBe(false);
    await run(clock.sleep(1));
    expect(await allow()).toBe(true);
    await run(ports.hostPool.setDrainMode("avd-1.contoso.local", true));
    await run(clock.sleep(DRAIN_REVERT_MS));
    expect(await allow()).toBe(true);
    expect(faults()).toHaveLength(2);
    // Other hosts keep their drain mode.
    await run(ports.hostPool.setDrainMode("avd-0.contoso.local", true));
    await run(clock.sleep(10 * MINUTE));
    expect(world.host("avd-0")?.sessionHost?.allowNewSession).toBe(false);
  });

  it("sessions that survive a forced sign-out, until the host leaves the pool", async () => {
    const { ports, run, faults, world, events } = makeWorld({
      hostPool: { hosts: 2, sessionsPerHost: 2 },
      faults: { stuckSessions: ["avd-0"] },
    });
    const [session] = await run(ports.hostPool.listUserSessions("avd-0.contoso.local"));
    await run(ports.hostPool.signOut("avd-0.contoso.local", session.id));
    expect(world.host("avd-0")?.sessions.has(session.id)).toBe(true);
    expect(faults()).toEqual([
      expect.objectContaining({ host: "avd-0", fault: "signOutIgnored", session: session.id }),
    ]);
    const [other] = await run(ports.hostPool.listUserSessions("avd-1.contoso.local"));
    await run(ports.hostPool.signOut("avd-1.contoso.local", other.id));
    expect(world.host("avd-1")?.sessions.has(other.id)).toBe(false);
    await run(ports.hostPool.removeSessionHost("avd-0.contoso.local"));
    const ended = events.filter(
      (e) => e.type === "world.session" && e.session === session.id && e.action === "loggedOff",
    );
    expect(ended).toHaveLength(1);
  });
});

describe("scenario fields for hosts that do not behave", () => {
  it("default to none", () => {
    const s = parseScenario({});
    expect(s.hostPool.unmanaged).toEqual({ available: 0, drained: 0, down: 0, vmNamePrefix: "other" });
    expect(s.faults).toMatchObject({ outages: [], drainReverts: [], stuckSessions: [] });
  });

  it.each([
    [{ hostPool: { unmanaged: { available: -1 } } }, /hostPool\.unmanaged\.available = -1 .*0 or more/],
    [{ hostPool: { unmanaged: { down: 1.5 } } }, /hostPool\.unmanaged\.down = 1\.5 .*whole number/],
    [{ hostPool: { unmanaged: { spare: 1 } } }, /unknown field hostPool\.unmanaged\.spare/],
    [
      { hostPool: { unmanaged: { vmNamePrefix: "avd" } } },
      /unmanaged\.vmNamePrefix = "avd" .*stack's own prefix/,
    ],
    [
      { faults: { outages: [{ host: "avd-99", atMinutes: 5 }] } },
      /faults\.outages\[0\]\.host = "avd-99" .*avd-0 \.\. avd-19/,
    ],
    [{ faults: { outages: [{ host: "avd-1", atMinutes: -5 }] } }, /faults\.outages\[0\]\.atMinutes = -5/],
    [
      { faults: { outages: [{ host: "avd-1", atMinutes: 5, minutes: 0 }] } },
      /outages\[0\]\.minutes = 0 .*stays down/,
    ],
    [{ faults: { outages: [{ host: "avd-1" }] } }, /faults\.outages\[0\]\.atMinutes/],
    [{ faults: { drainReverts: ["avd-1", "avd-1"] } }, /faults\.drainReverts\[1\] = "avd-1" is listed twice/],
    [
      { faults: { stuckSessions: ["other-0"] } },
      /faults\.stuckSessions\[0\] = "other-0" .*not a host of the pool/,
    ],
  ])("refuses %j naming the field, the value and the fix", (raw, pattern) => {
    expect(inputError(raw)).toMatch(pattern);
  });

  it("count unmanaged serving hosts in the steady load", () => {
    const base = { hostPool: { hosts: 10, sessionsPerHost: 6 }, users: { arrivalsPerHour: 60 } };
    const withOthers = {
      ...base,
      hostPool: { ...base.hostPool, unmanaged: { available: 5, drained: 5, down: 3 } },
    };
    // 60 sessions / 60 per hour = 60 min; with 10 more serving hosts, 120 sessions.
    expect(parseScenario(base).users.meanSessionMinutes).toBe(60);
    expect(parseScenario(withOthers).users.meanSessionMinutes).toBe(120);
  });
});
