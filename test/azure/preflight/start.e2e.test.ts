/**
 * `avd-rollout start` through the real adapters over HTTPS: the HostPool, Compute and
 * AzureEnvironment ports talk to the ARM emulator (serving a SimulatedWorld's pool and a
 * subscription catalog), the Stack port and the clock are the simulated ones. A move to a VM
 * family without quota is refused with exit 2 before anything is written to Azure; with the
 * quota raised, the same command rolls the pool out.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureEnvironment } from "../../../automation/azure/createAzureEnvironment";
import { createAzurePorts } from "../../../automation/azure/createAzurePorts";
import type { CliRuntime } from "../../../automation/cli/runtime";
import { passingCatalog, type EnvironmentCatalog } from "../../../automation/preflight/catalog";
import { preflightTargetOf } from "../../../automation/preflight/target";
import { parseScenario } from "../../../automation/sim/scenario";
import { VirtualClock } from "../../../automation/sim/virtualClock";
import { DEFAULT_START, SimulatedWorld } from "../../../automation/sim/world";
import { parseStackConfig } from "../../../program/config";
import { recordingIo, runCli } from "../../cli/harness";
import { entraConfig } from "../../program/config/fixtures";
import { createTestCertificate } from "../emulator/certificate";
import { emulatorCredential } from "../emulator/credential";
import { attachEnvironment } from "../emulator/environment";
import { startArmEmulator, type ArmEmulator } from "../emulator/server";
import { WorldBackend } from "../emulator/world-backend";
import { fastAdapterTuning } from "../support/adapterTuning";
import { heldEnvironment } from "../support/heldEnvironment";
import { heldCompute, heldHostPool } from "../support/heldPorts";

const scenario = parseScenario({
  name: "preflight-over-emulator",
  seed: 11,
  hostPool: { hosts: 4, vmNamePrefix: "avd", sessionsPerHost: 2 },
  users: { arrivalsPerHour: 4 },
  update: { maxVmsRemoved: 2, logOffDelayMinutes: 5, deleteOriginalVm: true },
});

describe("start over the ARM emulator with the preflight", () => {
  let emulator: ArmEmulator;
  let world: SimulatedWorld;
  let catalog: EnvironmentCatalog;
  let runtime: CliRuntime;

  beforeAll(async () => {
    const clock = new VirtualClock(DEFAULT_START);
    world = new SimulatedWorld(scenario, clock, { emit: () => undefined }, { hostPoolName: "hp-preflight" });
    const backend = new WorldBackend(world);
    emulator = await startArmEmulator({ backend, certificate: await createTestCertificate(), pageSize: 3 });
    const raw = entraConfig();
    (raw["avd-rollout:sessionHostConfiguration"] as Record<string, unknown>).vmSizeId = "Standard_D8s_v5";
    const target = preflightTargetOf(parseStackConfig(raw), world.subscriptionId);
    catalog = attachEnvironment(backend, passingCatalog(target));
    // 4 hosts moving from D4ads_v5 to D8s_v5 need 32 vCPUs in the DSv5 family; 8 are left.
    Object.assign(
      catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { current: 92, limit: 100 },
    );

    const common = {
      subscriptionId: world.subscriptionId,
      credential: emulatorCredential(),
      endpoint: emulator.url,
      pipelineOptions: { tlsOptions: { ca: emulator.ca } },
      tuning: fastAdapterTuning(() => clock.now(), { retryWaits: [] }),
    };
    const azure = createAzurePorts({
      ...common,
      hostPool: { name: world.hostPoolName, resourceGroupName: backend.resourceGroupName },
    });
    const environment = heldEnvironment(createAzureEnvironment(common), clock);
    runtime = {
      io: recordingIo(),
      owner: "pipeline#7",
      now: () => clock.now(),
      ports: {
        open: async () => {
          const simulated = world.ports();
          return {
            ports: {
              hostPool: heldHostPool(azure.hostPool, clock),
              compute: heldCompute(azure.compute, clock),
              stack: simulated.stack,
              clock: simulated.clock,
            },
            preflight: { target, environment },
          };
        },
      },
    };
    world.start();
  });
  afterAll(async () => {
    world.stop();
    await emulator.close();
  });

  it("refuses with exit 2 and writes nothing to Azure when the new size exceeds the quota", async () => {
    const run = await runCli(["start", "--stack", "prod", "--yes"], runtime, world.clock);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain(
      "- vCPU quota: Standard DSv5 Family vCPUs in westeurope: 8 free, the rollout needs up to 32 (24 missing)",
    );
    expect(run.stderr).toContain("preflight failed for stack prod");
    expect(emulator.log.all().filter((r) => r.method !== "GET")).toEqual([]);
    expect(emulator.log.byRoute("Usage_List").length).toBeGreaterThan(0);
    expect(emulator.log.byRoute("VirtualMachines_List").length).toBeGreaterThan(0);
    expect(world.stats.stackUps).toBe(0);
    expect(emulator.log.violations()).toEqual([]);
  });

  it("rolls the pool out once the quota is raised", async () => {
    Object.assign(
      catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { limit: 200 },
    );
    const run = await runCli(["start", "--stack", "prod", "--yes", "--json"], runtime, world.clock);
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain("Preflight: passed");
    expect(JSON.parse(run.stdout)).toMatchObject({ result: "succeeded", failed: [] });
    expect(world.stats.stackUps).toBeGreaterThan(0);
    expect(emulator.log.violations()).toEqual([]);
  });
});
