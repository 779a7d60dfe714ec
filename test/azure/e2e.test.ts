/**
 * End-to-end rehearsal over real HTTP: the rollout driver (automation/core/driver.ts) updates a
 * 6-host pool in batches of 2 where the HostPool and Compute ports are the Azure SDK adapters
 * talking HTTPS to the ARM emulator, and the Stack port and the clock are the simulated ones —
 * all over one SimulatedWorld. The invariant checker (automation/sim/invariants.ts) must find
 * nothing, and the emulator must have seen no request off the REST specification.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzurePorts } from "../../automation/azure/createAzurePorts";
import { startRollout } from "../../automation/core/driver";
import { InputError } from "../../automation/core/errors";
import type { AnyEvent, EventSink } from "../../automation/core/events";
import { checkInvariants } from "../../automation/sim/invariants";
import { parseScenario } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import { DEFAULT_START, DESIRED_REVISION, SimulatedWorld } from "../../automation/sim/world";
import { emulatorCredential } from "./emulator/credential";
import { startArmEmulator, type ArmEmulator } from "./emulator/server";
import { WorldBackend } from "./emulator/world-backend";
import { fastAdapterTuning } from "./support/adapterTuning";
import { heldCompute, heldHostPool } from "./support/heldPorts";

const scenario = parseScenario({
  name: "e2e-over-emulator",
  seed: 5,
  hostPool: { hosts: 6, vmNamePrefix: "avd", sessionsPerHost: 2, deallocated: ["avd-4"], drained: ["avd-5"] },
  users: { arrivalsPerHour: 6, signOutAfterNotice: { probability: 0.5, meanMinutes: 4 } },
  update: { maxVmsRemoved: 2, logOffDelayMinutes: 10, deleteOriginalVm: true },
  latency: { jitter: 0.1 },
});

describe("end-to-end rehearsal through the Azure adapters and the ARM emulator", () => {
  let emulator: ArmEmulator;
  let world: SimulatedWorld;
  let backend: WorldBackend;
  const events: AnyEvent[] = [];

  beforeAll(async () => {
    const clock = new VirtualClock(DEFAULT_START);
    const sink: EventSink = { emit: (event) => events.push(event) };
    world = new SimulatedWorld(scenario, clock, sink, { hostPoolName: "hp-e2e" });
    backend = new WorldBackend(world);
    emulator = await startArmEmulator({ backend, pageSize: 4 });
  });
  afterAll(async () => {
    world.stop();
    await emulator.close();
  });

  it("rolls the pool out in batches and keeps every invariant", async () => {
    const clock = world.clock;
    const azure = createAzurePorts({
      subscriptionId: world.subscriptionId,
      hostPool: { name: world.hostPoolName, resourceGroupName: backend.resourceGroupName },
      credential: emulatorCredential(),
      endpoint: emulator.url,
      pipelineOptions: { tlsOptions: { ca: emulator.ca } },
      tuning: fastAdapterTuning(() => clock.now(), { retryWaits: [] }),
    });
    const simulated = world.ports();
    const ports = {
      hostPool: heldHostPool(azure.hostPool, clock),
      compute: heldCompute(azure.compute, clock),
      stack: simulated.stack,
      clock: simulated.clock,
    };
    // Throttling and a 5xx along the way: the adapters must ride them out.
    emulator.faults.inject({
      routes: ["SessionHosts_List"],
      skip: 3,
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 1 } },
    });
    emulator.faults.inject({
      routes: ["UserSessions_ListByHostPool"],
      skip: 5,
      times: 1,
      action: { kind: "status", status: 503 },
    });

    world.start();
    const outcome = await clock.runUntilSettled(
      startRollout(
        {
          ports,
          events: { emit: (event) => world.emit(event) },
          owner: "e2e@emulator",
          tuning: { pollIntervalMs: 60_000 },
        },
        { batchSize: 2, logOffDelayMinutes: 10, deleteOriginalVm: true },
      ),
      { untilMs: DEFAULT_START + 7 * 24 * 3600_000 },
    );
    world.stop();

    expect(outcome.result).toBe("succeeded");
    expect([...outcome.updated].sort()).toEqual(["avd-0", "avd-1", "avd-2", "avd-3", "avd-4", "avd-5"]);
    expect(checkInvariants(events, scenario)).toEqual([]);
    expect(emulator.log.violations()).toEqual([]);

    for (const host of world.hosts()) {
      const entry = world.ledgerEntry(host.name)!;
      expect(entry.revision).toBe(DESIRED_REVISION);
      expect(host.sessionHost?.resourceId.toLowerCase()).toBe(entry.vmResourceId.toLowerCase());
    }
    // The host that was drained is drained again; the one that was deallocated is deallocated again.
    expect(world.host("avd-5")!.sessionHost!.allowNewSession).toBe(false);
    expect(world.vm(world.ledgerEntry("avd-4")!.vmResourceId)!.powerState).toBe("deallocated");
    // Every original VM went through ARM, its NIC and disk with it (deleteOption "Delete", as
    // the program declares): the adapter's own deletes of them find nothing left (204).
    const deletes = (route: string, status: number): number =>
      emulator.log.byRoute(route, "DELETE").filter((r) => r.status === status).length;
    expect(deletes("VirtualMachines_Delete", 202)).toBe(6);
    expect(deletes("NetworkInterfaces_Delete", 204)).toBe(6);
    expect(deletes("Disks_Delete", 204)).toBe(6);
    expect(deletes("NetworkInterfaces_Delete", 202) + deletes("Disks_Delete", 202)).toBe(0);
    // The driver spoke to the data plane over HTTP: notices, drains, removals, the record.
    for (const route of [
      "UserSessions_SendMessage",
      "SessionHosts_Update",
      "SessionHosts_Delete",
      "HostPools_Update",
      "VirtualMachines_Deallocate",
    ]) {
      expect(emulator.log.byRoute(route).length, route).toBeGreaterThan(0);
    }
    expect(emulator.log.all().some((r) => r.status === 429)).toBe(true);
  });
});

describe("a rollout whose record would not fit in the host pool's free tags", () => {
  it("is refused at start with the batch size and the fix named, and nothing changes", async () => {
    const clock = new VirtualClock(DEFAULT_START);
    const events: AnyEvent[] = [];
    const world = new SimulatedWorld(
      scenario,
      clock,
      { emit: (event) => events.push(event) },
      { hostPoolName: "hp-tags" },
    );
    const backend = new WorldBackend(world);
    const emulator = await startArmEmulator({ backend });
    try {
      // The administrators' own tags leave 3 for the record: too few for three batches of 2 in flight.
      const own = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`team-${i}`, `value-${i}`]));
      backend.setHostPoolTags(own);
      const azure = createAzurePorts({
        subscriptionId: world.subscriptionId,
        hostPool: { name: world.hostPoolName, resourceGroupName: backend.resourceGroupName },
        credential: emulatorCredential(),
        endpoint: emulator.url,
        pipelineOptions: { tlsOptions: { ca: emulator.ca } },
        tuning: fastAdapterTuning(() => clock.now(), { retryWaits: [] }),
      });
      const simulated = world.ports();
      const ports = {
        hostPool: heldHostPool(azure.hostPool, clock),
        compute: heldCompute(azure.compute, clock),
        stack: simulated.stack,
        clock: simulated.clock,
      };
      const run = clock.runUntilSettled(
        startRollout(
          { ports, events: { emit: (event) => events.push(event) }, owner: "e2e@emulator" },
          { batchSize: 2, logOffDelayMinutes: 10, deleteOriginalVm: true },
        ),
        { untilMs: DEFAULT_START + 3600_000 },
      );
      await expect(run).rejects.toThrow(InputError);
      await expect(run).rejects.toThrow(
        /batches of 2 needs up to \d+ host pool tags .* only 3 of the host pool's 50 tags are free \(46 are in use\): choose a smaller --batch-size/,
      );
      expect(backend.hostPoolTags()).toEqual(own);
      for (const route of ["UserSessions_SendMessage", "SessionHosts_Update", "VirtualMachines_Deallocate"])
        expect(emulator.log.byRoute(route), route).toEqual([]);
      expect(events.filter((e) => e.type.startsWith("host.") || e.type === "rollout.started")).toEqual([]);
    } finally {
      world.stop();
      await emulator.close();
    }
  });
});
