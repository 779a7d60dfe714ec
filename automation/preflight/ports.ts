/**
 * The port the preflight reads Azure through: read-only facts about the subscription and the
 * resources a rollout's new VM generation depends on. Nothing here changes anything.
 *
 * A real adapter (automation/azure/environmentAdapter.ts) answers from ARM through the Azure SDK;
 * a simulated one (simulatedEnvironment.ts) answers from an {@link EnvironmentCatalog}
 * (catalog.ts), the same catalog the HTTPS emulator's routes serve in tests.
 *
 * "Not found" is `null`; every other failure (throttling, 403, network) is thrown as a PortError
 * and turns the check that needed the fact into a warning ("could not check").
 */

/** One row of the Compute usage API (`Usage_List`): a quota and how much of it is in use. */
export interface QuotaUsage {
  /** Programmatic name: `cores`, `virtualMachines`, or a VM family such as `standardDADSv5Family`. */
  name: string;
  /** What the portal shows (`Standard DADSv5 Family vCPUs`, `Total Regional vCPUs`). */
  displayName: string;
  current: number;
  /** -1 or less means no limit. */
  limit: number;
}

/** A restriction of a resource SKU for this subscription (`ResourceSkus_List` `restrictions`). */
export interface SkuRestriction {
  /** `Location`: not offered in the region; `Zone`: not offered in `zones`. */
  type: "Location" | "Zone";
  /** `NotAvailableForSubscription` or `QuotaId` (the subscription's offer type excludes it). */
  reasonCode: string;
  /** The zones a `Zone` restriction applies to. */
  zones: string[];
}

/** A VM size as the resource SKUs API describes it in one region. */
export interface VmSkuFacts {
  /** `Standard_D4ads_v5`. */
  name: string;
  /** Quota family, the usage name of its vCPU quota (`standardDADSv5Family`). */
  family: string;
  /** Zones of the region the size is offered in (empty: regional only). */
  zones: string[];
  restrictions: SkuRestriction[];
  /** Capabilities by name (`vCPUs`, `HyperVGenerations`, `PremiumIO`, `TrustedLaunchDisabled`, ...). */
  capabilities: Record<string, string>;
}

export type HyperVGeneration = "V1" | "V2";

export interface PurchasePlanRef {
  /** The plan (Marketplace SKU) name. */
  name: string;
  publisher: string;
  /** The Marketplace offer. */
  product: string;
}

/** What the preflight needs to know about the image a new VM is created from. */
export interface ImageFacts {
  /** Readable reference: `publisher:offer:sku:version` (version resolved) or the ARM id. */
  reference: string;
  /** Absent = the service's default, V1. */
  hyperVGeneration?: HyperVGeneration;
  /**
   * The image's `SecurityType` feature (`TrustedLaunchSupported`, `TrustedLaunch`,
   * `ConfidentialVM`, `ConfidentialVmSupported`, `TrustedLaunchAndConfidentialVmSupported`), or
   * absent (a Standard image).
   */
  securityType?: string;
  /** Marketplace plan the image is sold under (VM creation needs it and accepted terms). */
  plan?: PurchasePlanRef;
  /** Regions a gallery image version is replicated to; a managed image's one region. */
  regions?: string[];
}

export interface SubnetFacts {
  id: string;
  /** Every address prefix of the subnet (`addressPrefix` and `addressPrefixes`). */
  addressPrefixes: string[];
  /** IP configurations using an address of the subnet (NICs, load balancers, private endpoints). */
  ipConfigurations: number;
  /** Services the subnet is delegated to (a delegated subnet cannot host VMs). */
  delegations: string[];
}

/** One entry of the Microsoft.Authorization permissions API for the caller at a scope. */
export interface PermissionEntry {
  actions: string[];
  notActions: string[];
}

export interface UrlProbeResult {
  /** HTTP status, when the server answered. */
  status?: number;
  /** Why no answer came (DNS, TLS, timeout). */
  error?: string;
}

export interface AzureEnvironmentPort {
  /** Compute quotas and their usage in a region (`Usage_List`). */
  listUsages(location: string): Promise<QuotaUsage[]>;
  /** VM sizes the resource SKUs API lists for a region (`ResourceSkus_List`). */
  listVmSkus(location: string): Promise<VmSkuFacts[]>;
  /**
   * A Marketplace image version (`VirtualMachineImages_Get`); `latest` is resolved to the highest
   * version listed for the region. null when the image or version does not exist there.
   */
  getMarketplaceImage(
    location: string,
    image: { publisher: string; offer: string; sku: string; version: string },
  ): Promise<ImageFacts | null>;
  /**
   * A gallery image version, a gallery image (its latest version) or a managed image by ARM id.
   * null when it (or, for a gallery image, any usable version) does not exist.
   */
  getCustomImage(
    resourceId: string,
    kind: "galleryImage" | "galleryImageVersion" | "managedImage",
  ): Promise<ImageFacts | null>;
  /** Whether the Marketplace terms of a plan are accepted for the subscription; null when unknown to Azure. */
  getPlanAgreement(plan: PurchasePlanRef): Promise<{ accepted: boolean } | null>;
  getSubnet(subnetId: string): Promise<SubnetFacts | null>;
  /** VM sizes by VM ARM id (lower-cased keys); VMs that do not exist are absent. */
  getVmSizes(vmResourceIds: readonly string[]): Promise<Map<string, string>>;
  /** What the identity in use may do at a scope (a resource group or a resource), all pages. */
  listPermissions(scopeId: string): Promise<PermissionEntry[]>;
  /** A data collection rule by ARM id; null when it does not exist. */
  getDataCollectionRule(resourceId: string): Promise<{ location: string } | null>;
  /** Whether a URL a VM extension downloads answers (HEAD, without credentials beyond its own). */
  probeUrl(url: string): Promise<UrlProbeResult>;
}
