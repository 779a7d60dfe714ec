/**
 * The preflight over real HTTPS: the ARM emulator (in-memory pool of out-of-date hosts) serving
 * an EnvironmentCatalog in which the target passes every check, a local file host for the
 * download URLs, and the real adapters — AzureEnvironment (automation/azure) for the
 * subscription's facts, HostPool and Compute for the pool's. A test changes one fact of the
 * catalog and runs the preflight.
 */
import { createAzureEnvironment } from "../../../automation/azure/createAzureEnvironment";
import { createAzurePorts, type AzurePorts } from "../../../automation/azure/createAzurePorts";
import { passingCatalog, type EnvironmentCatalog } from "../../../automation/preflight/catalog";
import type { AzureEnvironmentPort } from "../../../automation/preflight/ports";
import type { PreflightReport } from "../../../automation/preflight/report";
import { runPreflight } from "../../../automation/preflight/runPreflight";
import type { PreflightRollout, PreflightTarget } from "../../../automation/preflight/target";
import { createTestCertificate } from "../emulator/certificate";
import { emulatorCredential } from "../emulator/credential";
import { startDownloadServer, type DownloadServer } from "../emulator/download-server";
import { attachEnvironment } from "../emulator/environment";
import { MemoryBackend } from "../emulator/memory-backend";
import { startArmEmulator, type ArmEmulator } from "../emulator/server";
import { fastAdapterTuning } from "../support/adapterTuning";

export interface PreflightHarness {
  emulator: ArmEmulator;
  backend: MemoryBackend;
  downloads: DownloadServer;
  catalog: EnvironmentCatalog;
  target: PreflightTarget;
  rollout: PreflightRollout;
  environment: AzureEnvironmentPort;
  ports: AzurePorts;
  run(): Promise<PreflightReport>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  hosts?: number;
  /** Changes to the target before the passing catalog is built from it. */
  target?: (target: PreflightTarget, urls: { downloads: string }) => void;
}

/** A target as `preflightTargetOf` would build it for the emulator's pool. */
export function targetFor(backend: MemoryBackend): PreflightTarget {
  const sub = `/subscriptions/${backend.subscriptionId}`;
  return {
    subscriptionId: backend.subscriptionId,
    location: backend.location,
    hostPoolId: `${sub}/resourceGroups/${backend.resourceGroupName}/providers/Microsoft.DesktopVirtualization/hostPools/${backend.hostPoolName}`,
    vmResourceGroupId: `${sub}/resourceGroups/${backend.resourceGroupName}`,
    vmSize: "Standard_D4ads_v5",
    zones: ["1", "2", "3"],
    image: {
      type: "marketplace",
      publisher: "MicrosoftWindowsDesktop",
      offer: "office-365",
      sku: "win11-24h2-avd-m365",
      version: "latest",
    },
    diskType: "Premium_LRS",
    securityType: "TrustedLaunch",
    acceleratedNetworking: true,
    subnetId: `${sub}/resourceGroups/rg-network/providers/Microsoft.Network/virtualNetworks/vnet-avd/subnets/hosts`,
    urls: [],
  };
}

export async function startPreflightHarness(options: HarnessOptions = {}): Promise<PreflightHarness> {
  const certificate = await createTestCertificate();
  const backend = new MemoryBackend();
  const emulator = await startArmEmulator({ backend, certificate, pageSize: 2 });
  // The file host answers from the catalog, which needs the file host's address first.
  const served: { catalog?: EnvironmentCatalog } = {};
  const downloads = await startDownloadServer(certificate, (url) => served.catalog?.urls[url] ?? 404);
  const target = targetFor(backend);
  options.target?.(target, { downloads: downloads.url });
  const catalog = attachEnvironment(backend, passingCatalog(target));
  served.catalog = catalog;

  const outOfDate = Array.from({ length: options.hosts ?? 6 }, (_, i) => {
    const host = `avd-${i}`;
    return { host, vmResourceId: backend.addHost({ host }).vmResourceId };
  });
  const rollout: PreflightRollout = { outOfDate, batchSize: 2, deleteOriginalVm: false };
  const common = {
    subscriptionId: backend.subscriptionId,
    cloud: "public" as const,
    credential: emulatorCredential(),
    endpoint: emulator.url,
    pipelineOptions: { tlsOptions: { ca: emulator.ca } },
    tuning: fastAdapterTuning(() => Date.now(), { retryWaits: [] }),
  };
  const environment = createAzureEnvironment(common);
  const ports = createAzurePorts({
    ...common,
    hostPool: { name: backend.hostPoolName, resourceGroupName: backend.resourceGroupName },
  });
  const harness: PreflightHarness = {
    emulator,
    backend,
    downloads,
    catalog,
    target,
    rollout,
    environment,
    ports,
    run: () =>
      runPreflight({
        target: harness.target,
        rollout: harness.rollout,
        environment,
        hostPool: ports.hostPool,
        compute: ports.compute,
      }),
    close: async () => {
      await emulator.close();
      await downloads.close();
    },
  };
  return harness;
}
