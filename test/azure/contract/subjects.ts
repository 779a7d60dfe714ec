/**
 * The two subjects of the contract suite, over one kind of world (C's SimulatedWorld on a
 * virtual clock):
 * - `simulated`: C's simulated HostPool and Compute ports, straight on the world;
 * - `azure-over-emulator`: D's Azure SDK adapters, over HTTPS to the ARM emulator, whose
 *   routes answer from a world built the same way.
 */
import { createAzurePorts } from "../../../automation/azure/createAzurePorts";
import type { ComputePort, HostPoolPort } from "../../../automation/core/ports";
import { parseScenario, type ScenarioInput } from "../../../automation/sim/scenario";
import { VirtualClock } from "../../../automation/sim/virtualClock";
import { DEFAULT_START, SimulatedWorld } from "../../../automation/sim/world";
import type { TestCertificate } from "../emulator/certificate";
import { emulatorCredential } from "../emulator/credential";
import { startArmEmulator, type ArmEmulator } from "../emulator/server";
import { WorldBackend } from "../emulator/world-backend";
import { fastAdapterTuning, type RecordedWaits } from "../support/adapterTuning";

export interface ContractSubject {
  name: "simulated" | "azure-over-emulator";
  hostPool: HostPoolPort;
  compute: ComputePort;
  world: SimulatedWorld;
  clock: VirtualClock;
  /** Runs one port call to completion, driving virtual time as this subject needs. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /** Whether the VM's NIC and OS disk still exist. */
  vmResources(vmResourceId: string): { nic: boolean; disk: boolean };
  /** The HTTP side, for transport tests (emulated subject only). */
  http?: { emulator: ArmEmulator; waits: RecordedWaits };
  close(): Promise<void>;
}

export type SubjectFactory = (scenario?: ScenarioInput) => Promise<ContractSubject>;

/** A quiet pool: users neither arrive, leave nor react unless a test makes them. */
export const CONTRACT_SCENARIO: ScenarioInput = {
  name: "contract",
  seed: 11,
  hostPool: { hosts: 5, vmNamePrefix: "avd", sessionsPerHost: 2, domainName: "corp.contoso.com" },
  users: {
    arrivalsPerHour: 0,
    signOutAfterNotice: { probability: 0, meanMinutes: 8 },
    signBackIn: 0,
    disconnectedShare: 0,
    meanSessionMinutes: 1_000_000,
  },
  latency: { jitter: 0 },
};

const WORLD_OPTIONS = {
  subscriptionId: "0b1f6471-1bf0-4dda-aec3-cb9272f09590",
  hostPoolName: "hp-contract",
  vmResourceGroup: "rg-avd-hosts",
};

function buildWorld(input: ScenarioInput | undefined): { world: SimulatedWorld; clock: VirtualClock } {
  const scenario = parseScenario({ ...CONTRACT_SCENARIO, ...input });
  const clock = new VirtualClock(DEFAULT_START);
  const world = new SimulatedWorld(scenario, clock, undefined, WORLD_OPTIONS);
  world.start();
  return { world, clock };
}

export const simulatedSubject: SubjectFactory = async (input) => {
  const { world, clock } = buildWorld(input);
  const ports = world.ports();
  return {
    name: "simulated",
    hostPool: ports.hostPool,
    compute: ports.compute,
    world,
    clock,
    run: (call) => clock.runUntilSettled(call()),
    // The world deletes a VM's NIC and OS disk with it.
    vmResources: (id) => ({ nic: world.vm(id) !== undefined, disk: world.vm(id) !== undefined }),
    close: async () => world.stop(),
  };
};

export function emulatedSubjectFactory(certificate: () => TestCertificate): SubjectFactory {
  return async (input) => {
    const { world, clock } = buildWorld(input);
    const backend = new WorldBackend(world);
    const emulator = await startArmEmulator({ backend, certificate: certificate() });
    const waits: RecordedWaits = { retryWaits: [] };
    const ports = createAzurePorts({
      subscriptionId: world.subscriptionId,
      hostPool: { name: world.hostPoolName, resourceGroupName: backend.resourceGroupName },
      credential: emulatorCredential(),
      endpoint: emulator.url,
      // Trust the test certificate for these clients only; TLS verification stays on.
      pipelineOptions: { tlsOptions: { ca: emulator.ca } },
      tuning: fastAdapterTuning(() => clock.now(), waits),
    });
    return {
      name: "azure-over-emulator",
      hostPool: ports.hostPool,
      compute: ports.compute,
      world,
      clock,
      // Virtual time stands still while the HTTP calls are in flight.
      run: (call) => clock.runUntilSettled(clock.hold(call())),
      vmResources: (id) => ({
        nic: backend.nicExists(backend.nicIdOf(id)),
        disk: backend.diskExists(backend.osDiskIdOf(id)),
      }),
      http: { emulator, waits },
      close: async () => {
        world.stop();
        await emulator.close();
      },
    };
  };
}
