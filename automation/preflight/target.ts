/**
 * What the preflight checks: the parts of the stack's session host configuration the new VM
 * generation depends on, and the shape of the rollout (how many hosts, batches of how many,
 * originals kept or deleted). Built from the parsed stack configuration (program/config) so the
 * preflight checks exactly what `pulumi up` would deploy, without widening the Stack port.
 */
import type { SecurityType, StackConfig } from "../../program/config";
import type { AzureEnvironmentPort } from "./ports";

export type PreflightImage =
  | { type: "marketplace"; publisher: string; offer: string; sku: string; version: string }
  | { type: "custom"; resourceId: string; kind: "galleryImage" | "galleryImageVersion" | "managedImage" };

/** A URL a VM extension downloads, and the configuration key it comes from. */
export interface ConfiguredUrl {
  key: string;
  url: string;
}

export interface PreflightTarget {
  subscriptionId: string;
  /** Azure region, programmatic form (`westeurope`). */
  location: string;
  /** ARM id of the host pool. */
  hostPoolId: string;
  /** ARM id of the resource group the VMs, NICs and disks live in. */
  vmResourceGroupId: string;
  vmSize: string;
  /** Configured availability zones; empty = regional VMs. */
  zones: string[];
  image: PreflightImage;
  purchasePlan?: { name: string; publisher: string; product: string };
  diskType: string;
  securityType: SecurityType;
  acceleratedNetworking: boolean;
  subnetId: string;
  dataCollectionRuleId?: string;
  /** Configured download URLs (custom script, agent package); the default agent package is not probed. */
  urls: ConfiguredUrl[];
}

/** An out-of-date host and the VM it runs now. */
export interface PreflightHost {
  host: string;
  vmResourceId: string;
}

/** The rollout the preflight sizes quota and addresses for. */
export interface PreflightRollout {
  /** Hosts the rollout replaces (out of date), in plan order. */
  outOfDate: PreflightHost[];
  batchSize: number;
  /** true: originals are deleted with their NICs; false: kept deallocated, NIC and address included. */
  deleteOriginalVm: boolean;
}

/** The preflight target of a parsed stack configuration in subscription `subscriptionId`. */
export function preflightTargetOf(config: StackConfig, subscriptionId: string): PreflightTarget {
  const shc = config.sessionHostConfiguration;
  const rg = (name: string): string => `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
  const image: PreflightImage =
    shc.imageInfo.type === "Marketplace"
      ? {
          type: "marketplace",
          publisher: shc.imageInfo.marketplaceInfo.publisher,
          offer: shc.imageInfo.marketplaceInfo.offer,
          sku: shc.imageInfo.marketplaceInfo.sku,
          version: shc.imageInfo.marketplaceInfo.exactVersion,
        }
      : {
          type: "custom",
          resourceId: shc.imageInfo.customInfo.resourceId,
          kind: shc.imageInfo.customInfo.kind,
        };
  const urls: ConfiguredUrl[] = [];
  if (shc.customConfigurationScriptUrl !== undefined)
    urls.push({ key: "customConfigurationScriptUrl", url: shc.customConfigurationScriptUrl });
  if (shc.agentPackageUrl !== undefined) urls.push({ key: "agentPackageUrl", url: shc.agentPackageUrl });
  const target: PreflightTarget = {
    subscriptionId,
    location: config.location,
    hostPoolId: `${rg(config.hostPool.resourceGroupName)}/providers/Microsoft.DesktopVirtualization/hostPools/${config.hostPool.name}`,
    vmResourceGroupId: rg(config.sessionHosts.vmResourceGroup),
    vmSize: shc.vmSizeId,
    zones: [...shc.availabilityZones],
    image,
    diskType: shc.diskInfo.type,
    securityType: shc.securityInfo.type,
    acceleratedNetworking: shc.networkInfo.acceleratedNetworking,
    subnetId: shc.networkInfo.subnetId,
    urls,
  };
  if (shc.purchasePlan !== undefined) {
    const { name, publisher, product } = shc.purchasePlan;
    target.purchasePlan = { name, publisher, product };
  }
  if (shc.monitoring !== undefined) target.dataCollectionRuleId = shc.monitoring.dataCollectionRuleId;
  return target;
}

/** What a command needs to run the preflight for a stack: what to check, and where to read Azure. */
export interface PreflightSubject {
  target: PreflightTarget;
  environment: AzureEnvironmentPort;
}
