/**
 * A simulated Azure subscription as plain data: the quotas, VM sizes, images, Marketplace terms,
 * subnets, role assignments, data collection rules and download URLs the preflight reads. The
 * simulated AzureEnvironment port answers from it, and so do the HTTPS emulator's routes in
 * tests, so both worlds describe the same subscription.
 *
 * {@link passingCatalog} builds one in which a given configuration passes every check; a
 * rehearsal or a test then changes the one fact it is about.
 */
import type { PermissionEntry, PurchasePlanRef, QuotaUsage, SubnetFacts, VmSkuFacts } from "./ports";
import type { PreflightTarget } from "./target";

export interface CatalogMarketplaceImage {
  publisher: string;
  offer: string;
  sku: string;
  version: string;
  hyperVGeneration?: "V1" | "V2";
  securityType?: string;
  plan?: PurchasePlanRef;
}

export interface CatalogGalleryImageVersion {
  name: string;
  /** Regions the version is replicated to. */
  regions: string[];
  excludeFromLatest?: boolean;
}

export interface CatalogGalleryImage {
  /** ARM id of the image definition (`.../galleries/<g>/images/<i>`). */
  id: string;
  hyperVGeneration?: "V1" | "V2";
  securityType?: string;
  purchasePlan?: PurchasePlanRef;
  versions: CatalogGalleryImageVersion[];
}

export interface CatalogManagedImage {
  id: string;
  location: string;
  hyperVGeneration?: "V1" | "V2";
}

export interface CatalogAgreement extends PurchasePlanRef {
  accepted: boolean;
}

/** A role assignment's effective permissions, granted at `scope` and everything below it. */
export interface CatalogPermission extends PermissionEntry {
  scope: string;
}

export interface EnvironmentCatalog {
  subscriptionId: string;
  location: string;
  usages: QuotaUsage[];
  skus: VmSkuFacts[];
  marketplaceImages: CatalogMarketplaceImage[];
  galleryImages: CatalogGalleryImage[];
  managedImages: CatalogManagedImage[];
  agreements: CatalogAgreement[];
  subnets: SubnetFacts[];
  /** VM sizes by VM id (any casing). */
  vmSizes: Record<string, string>;
  /** Size of an existing VM not listed in {@link vmSizes}. */
  defaultVmSize: string;
  permissions: CatalogPermission[];
  dataCollectionRules: { id: string; location: string }[];
  /** HTTP status a download URL answers with (absent: 404). */
  urls: Record<string, number>;
}

const ZONES = ["1", "2", "3"];

function vmSku(
  name: string,
  family: string,
  vCPUs: number,
  capabilities: Record<string, string> = {},
): VmSkuFacts {
  return {
    name,
    family,
    zones: [...ZONES],
    restrictions: [],
    capabilities: {
      vCPUs: String(vCPUs),
      HyperVGenerations: "V1,V2",
      PremiumIO: "True",
      AcceleratedNetworkingEnabled: "True",
      ...capabilities,
    },
  };
}

/** VM sizes every simulated region offers (a few of each kind the checks tell apart). */
export function standardSkus(): VmSkuFacts[] {
  return [
    vmSku("Standard_D2ads_v5", "standardDADSv5Family", 2),
    vmSku("Standard_D4ads_v5", "standardDADSv5Family", 4),
    vmSku("Standard_D8ads_v5", "standardDADSv5Family", 8),
    vmSku("Standard_D4s_v5", "standardDSv5Family", 4),
    vmSku("Standard_D8s_v5", "standardDSv5Family", 8),
    vmSku("Standard_E8s_v5", "standardESv5Family", 8),
    vmSku("Standard_DC4as_v5", "standardDCASv5Family", 4, { ConfidentialComputingType: "SNP" }),
    vmSku("Standard_NV12ads_A10_v5", "standardNVADSA10v5Family", 12, { TrustedLaunchDisabled: "True" }),
    vmSku("Standard_A2_v2", "standardAv2Family", 2, {
      HyperVGenerations: "V1",
      PremiumIO: "False",
      AcceleratedNetworkingEnabled: "False",
    }),
  ];
}

/** Contributor's permissions (everything but authorization writes). */
export const CONTRIBUTOR: PermissionEntry = {
  actions: ["*"],
  notActions: [
    "Microsoft.Authorization/*/Delete",
    "Microsoft.Authorization/*/Write",
    "Microsoft.Authorization/elevateAccess/Action",
    "Microsoft.Blueprint/blueprintAssignments/write",
    "Microsoft.Blueprint/blueprintAssignments/delete",
    "Microsoft.Compute/galleries/share/action",
  ],
};

/** The usage (quota) name of a SKU's family, as the usage API spells it. */
function familyUsage(sku: VmSkuFacts, limit: number, current: number): QuotaUsage {
  const displayName = sku.family.replace(/^standard/, "Standard ").replace(/Family$/, " Family vCPUs");
  return { name: sku.family, displayName, current, limit };
}

/** A subscription in which `target` passes every preflight check. */
export function passingCatalog(target: PreflightTarget): EnvironmentCatalog {
  const skus = standardSkus();
  if (!skus.some((sku) => sku.name.toLowerCase() === target.vmSize.toLowerCase())) {
    skus.push(
      vmSku(target.vmSize, `standard${target.vmSize.replace(/^Standard_/, "").replace(/\W/g, "")}Family`, 4),
    );
  }
  const families = [...new Map(skus.map((sku) => [sku.family, sku])).values()];
  const imageSecurity =
    target.securityType === "ConfidentialVM"
      ? "TrustedLaunchAndConfidentialVmSupported"
      : "TrustedLaunchSupported";
  const catalog: EnvironmentCatalog = {
    subscriptionId: target.subscriptionId,
    location: target.location,
    usages: [
      { name: "cores", displayName: "Total Regional vCPUs", current: 100, limit: 2000 },
      { name: "virtualMachines", displayName: "Virtual Machines", current: 50, limit: 25000 },
      ...families.map((sku) => familyUsage(sku, 1000, 40)),
    ],
    skus,
    marketplaceImages: [],
    galleryImages: [],
    managedImages: [],
    agreements: [],
    subnets: [
      { id: target.subnetId, addressPrefixes: ["10.0.1.0/24"], ipConfigurations: 12, delegations: [] },
    ],
    vmSizes: {},
    defaultVmSize: "Standard_D4ads_v5",
    // Contributor on every subscription the configuration names (a hub network may be elsewhere).
    permissions: subscriptionsOf(target).map((scope) => ({ scope, ...CONTRIBUTOR })),
    dataCollectionRules: target.dataCollectionRuleId
      ? [{ id: target.dataCollectionRuleId, location: target.location }]
      : [],
    urls: Object.fromEntries(target.urls.map(({ url }) => [url, 200])),
  };
  const { image } = target;
  if (image.type === "marketplace") {
    const base = {
      publisher: image.publisher,
      offer: image.offer,
      sku: image.sku,
      hyperVGeneration: "V2" as const,
      securityType: imageSecurity,
    };
    const plan = target.purchasePlan ? { plan: target.purchasePlan } : {};
    const version = image.version.toLowerCase() === "latest" ? "26100.4061.250605" : image.version;
    catalog.marketplaceImages.push(
      { ...base, ...plan, version: "26100.3775.250406" },
      { ...base, ...plan, version },
    );
  } else if (image.kind === "managedImage") {
    catalog.managedImages.push({ id: image.resourceId, location: target.location, hyperVGeneration: "V2" });
  } else {
    const definition =
      image.kind === "galleryImageVersion"
        ? image.resourceId.replace(/\/versions\/[^/]+$/i, "")
        : image.resourceId;
    const version =
      image.kind === "galleryImageVersion" ? (image.resourceId.split("/").pop() as string) : "1.0.0";
    catalog.galleryImages.push({
      id: definition,
      hyperVGeneration: "V2",
      securityType: imageSecurity,
      ...(target.purchasePlan ? { purchasePlan: target.purchasePlan } : {}),
      versions: [{ name: version, regions: [target.location] }],
    });
  }
  if (target.purchasePlan) catalog.agreements.push({ ...target.purchasePlan, accepted: true });
  return catalog;
}

/** `/subscriptions/<id>` of every subscription the target's resources are in. */
function subscriptionsOf(target: PreflightTarget): string[] {
  const ids = [
    target.hostPoolId,
    target.vmResourceGroupId,
    target.subnetId,
    `/subscriptions/${target.subscriptionId}`,
  ];
  const scopes = ids
    .map((id) => /^\/subscriptions\/[^/]+/i.exec(id)?.[0])
    .filter((s): s is string => s !== undefined);
  return [...new Map(scopes.map((s) => [s.toLowerCase(), s])).values()];
}

/** ARM ids and names compare case-insensitively. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Whether `scope` is `id` or one of its ancestors (on a path-segment boundary). */
export function isWithinScope(id: string, scope: string): boolean {
  const child = id.toLowerCase().replace(/\/+$/, "");
  const parent = scope.toLowerCase().replace(/\/+$/, "");
  return child === parent || child.startsWith(`${parent}/`);
}
