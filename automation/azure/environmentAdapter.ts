/**
 * The preflight's AzureEnvironment port on the Azure SDK: Compute usages, resource SKUs, images
 * (Marketplace, gallery, managed), VM sizes (@azure/arm-compute); subnets (@azure/arm-network);
 * the caller's permissions (@azure/arm-authorization); Marketplace terms
 * (@azure/arm-marketplaceordering); data collection rules (@azure/arm-monitor); and a plain HTTPS
 * probe for download URLs. Reads only.
 *
 * A 404 is "not found" (null); anything else becomes a PortError naming the call.
 */
import type { ComputeManagementClient, ResourceSku } from "@azure/arm-compute";
import type { AuthorizationManagementClient } from "@azure/arm-authorization";
import type { MarketplaceOrderingAgreements } from "@azure/arm-marketplaceordering";
import type { MonitorClient } from "@azure/arm-monitor";
import type { NetworkManagementClient } from "@azure/arm-network";
import { PortError } from "../core/errors";
import type {
  AzureEnvironmentPort,
  HyperVGeneration,
  ImageFacts,
  PermissionEntry,
  PurchasePlanRef,
  QuotaUsage,
  SkuRestriction,
  SubnetFacts,
  UrlProbeResult,
  VmSkuFacts,
} from "../preflight/ports";
import { latestVersion } from "../preflight/versions";
import { parseResourceId } from "./armIds";
import { isNotFound, toPortError } from "./armErrors";
import { probeUrl, type UrlProbeOptions } from "./urlProbe";

/** SDK clients per subscription: a subnet or an image may live in another subscription than the VMs. */
export interface EnvironmentClients {
  compute(subscriptionId: string): ComputeManagementClient;
  network(subscriptionId: string): NetworkManagementClient;
  authorization(subscriptionId: string): AuthorizationManagementClient;
  marketplace(subscriptionId: string): MarketplaceOrderingAgreements;
  monitor(subscriptionId: string): MonitorClient;
}

/** An ARM id split into what the SDK calls need; nested types (`virtualNetworks/v/subnets/s`) kept whole. */
interface ScopeParts {
  subscriptionId: string;
  resourceGroupName: string;
  /** Provider namespace and the type/name pairs after it; empty for a resource group. */
  provider?: string;
  segments: string[];
}

const SCOPE = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)(?:\/providers\/([^/]+)\/(.+))?$/i;

function scopeParts(id: string): ScopeParts | undefined {
  const match = SCOPE.exec(id.trim().replace(/\/+$/, ""));
  if (!match) return undefined;
  const [, subscriptionId, resourceGroupName, provider, rest] = match;
  const segments = rest ? rest.split("/") : [];
  if (segments.length % 2 !== 0) return undefined;
  return { subscriptionId: subscriptionId!, resourceGroupName: resourceGroupName!, provider, segments };
}

function invalidId(operation: string, id: string, expected: string): PortError {
  return new PortError("permanent", operation, `"${id}" is not ${expected}`, "InvalidResourceId");
}

async function orNull<T>(operation: string, read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw toPortError(error, operation);
  }
}

async function collect<T>(operation: string, pages: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  try {
    for await (const item of pages) items.push(item);
  } catch (error) {
    throw toPortError(error, operation);
  }
  return items;
}

function generationOf(value: string | undefined): HyperVGeneration | undefined {
  const upper = value?.toUpperCase();
  return upper === "V1" || upper === "V2" ? upper : undefined;
}

function securityFeature(features: { name?: string; value?: string }[] | undefined): string | undefined {
  return features?.find((f) => f.name?.toLowerCase() === "securitytype")?.value;
}

function planOf(
  plan: { name?: string; publisher?: string; product?: string } | undefined,
): PurchasePlanRef | undefined {
  if (!plan?.name || !plan.publisher || !plan.product) return undefined;
  return { name: plan.name, publisher: plan.publisher, product: plan.product };
}

function withOptional(facts: ImageFacts, extra: Partial<ImageFacts>): ImageFacts {
  for (const [key, value] of Object.entries(extra) as [keyof ImageFacts, never][]) {
    if (value !== undefined) facts[key] = value;
  }
  return facts;
}

/** The SDK's ResourceSku of a VM size in one region, as the port's facts. */
export function vmSkuFacts(sku: ResourceSku, location: string): VmSkuFacts {
  const here = (l: string | undefined): boolean => (l ?? "").toLowerCase() === location.toLowerCase();
  const zones = sku.locationInfo?.find((info) => here(info.location))?.zones ?? [];
  const restrictions: SkuRestriction[] = (sku.restrictions ?? [])
    .filter((r) => r.type === "Location" || r.type === "Zone")
    .filter((r) => (r.restrictionInfo?.locations ?? r.values ?? []).some(here))
    .map((r) => ({
      type: r.type as "Location" | "Zone",
      reasonCode: r.reasonCode ?? "NotAvailableForSubscription",
      zones: r.restrictionInfo?.zones ?? [],
    }));
  const capabilities: Record<string, string> = {};
  for (const c of sku.capabilities ?? []) if (c.name && c.value !== undefined) capabilities[c.name] = c.value;
  return { name: sku.name ?? "", family: sku.family ?? "", zones: [...zones], restrictions, capabilities };
}

export class AzureEnvironmentAdapter implements AzureEnvironmentPort {
  constructor(
    private readonly clients: EnvironmentClients,
    private readonly subscriptionId: string,
    private readonly urlProbeOptions: UrlProbeOptions = {},
  ) {}

  async listUsages(location: string): Promise<QuotaUsage[]> {
    const usages = await collect(
      `preflight.listUsages(${location})`,
      this.clients.compute(this.subscriptionId).usage.list(location),
    );
    return usages.map((u) => ({
      name: u.name?.value ?? "",
      displayName: u.name?.localizedValue ?? u.name?.value ?? "",
      current: u.currentValue,
      limit: u.limit,
    }));
  }

  async listVmSkus(location: string): Promise<VmSkuFacts[]> {
    const skus = await collect(
      `preflight.listVmSkus(${location})`,
      this.clients.compute(this.subscriptionId).resourceSkus.list({ filter: `location eq '${location}'` }),
    );
    return skus
      .filter((sku) => sku.resourceType === "virtualMachines")
      .map((sku) => vmSkuFacts(sku, location));
  }

  async getMarketplaceImage(
    location: string,
    image: { publisher: string; offer: string; sku: string; version: string },
  ): Promise<ImageFacts | null> {
    const operation = `preflight.getMarketplaceImage(${image.publisher}:${image.offer}:${image.sku}:${image.version})`;
    const images = this.clients.compute(this.subscriptionId).virtualMachineImages;
    let version: string | undefined = image.version;
    if (version.toLowerCase() === "latest") {
      const listed = await orNull(operation, () =>
        images.list(location, image.publisher, image.offer, image.sku),
      );
      version = latestVersion((listed ?? []).map((v) => v.name));
      if (version === undefined) return null;
    }
    const resolved = version;
    const found = await orNull(operation, () =>
      images.get(location, image.publisher, image.offer, image.sku, resolved),
    );
    if (!found) return null;
    return withOptional(
      { reference: `${image.publisher}:${image.offer}:${image.sku}:${resolved}` },
      {
        hyperVGeneration: generationOf(found.hyperVGeneration),
        securityType: securityFeature(found.features),
        plan: planOf(found.plan),
      },
    );
  }

  async getCustomImage(
    resourceId: string,
    kind: "galleryImage" | "galleryImageVersion" | "managedImage",
  ): Promise<ImageFacts | null> {
    const operation = `preflight.getCustomImage(${resourceId.split("/").slice(-3).join("/")})`;
    const parts = scopeParts(resourceId);
    if (!parts) throw invalidId(operation, resourceId, "an image resource id");
    const compute = this.clients.compute(parts.subscriptionId);
    const rg = parts.resourceGroupName;
    if (kind === "managedImage") {
      const name = parts.segments[1] as string;
      const image = await orNull(operation, () => compute.images.get(rg, name));
      if (!image) return null;
      return withOptional(
        { reference: resourceId, regions: [image.location] },
        { hyperVGeneration: generationOf(image.hyperVGeneration) },
      );
    }
    const [, gallery, , imageName, , pinned] = parts.segments as [
      string,
      string,
      string,
      string,
      string?,
      string?,
    ];
    const definition = await orNull(operation, () => compute.galleryImages.get(rg, gallery, imageName));
    if (!definition) return null;
    let versionName = kind === "galleryImageVersion" ? pinned : undefined;
    if (versionName === undefined) {
      const versions = await collect(
        operation,
        compute.galleryImageVersions.listByGalleryImage(rg, gallery, imageName),
      );
      versionName = latestVersion(
        versions.filter((v) => !v.publishingProfile?.excludeFromLatest).map((v) => v.name ?? ""),
      );
      if (versionName === undefined) return null;
    }
    const chosen = versionName;
    const version = await orNull(operation, () =>
      compute.galleryImageVersions.get(rg, gallery, imageName, chosen),
    );
    if (!version) return null;
    const base = resourceId.replace(/\/versions\/[^/]+$/i, "");
    return withOptional(
      {
        reference: `${base}/versions/${chosen}`,
        regions: (version.publishingProfile?.targetRegions ?? []).map((r) => r.name),
      },
      {
        hyperVGeneration: generationOf(definition.hyperVGeneration),
        securityType: securityFeature(definition.features),
        plan: planOf(definition.purchasePlan),
      },
    );
  }

  async getPlanAgreement(plan: PurchasePlanRef): Promise<{ accepted: boolean } | null> {
    const terms = await orNull(
      `preflight.getPlanAgreement(${plan.publisher}/${plan.product}/${plan.name})`,
      () =>
        this.clients
          .marketplace(this.subscriptionId)
          .marketplaceAgreements.get("virtualmachine", plan.publisher, plan.product, plan.name),
    );
    return terms ? { accepted: terms.accepted === true } : null;
  }

  async getSubnet(subnetId: string): Promise<SubnetFacts | null> {
    const operation = `preflight.getSubnet(${subnetId.split("/").slice(-3).join("/")})`;
    const parts = scopeParts(subnetId);
    if (!parts || parts.segments.length !== 4) throw invalidId(operation, subnetId, "a subnet id");
    const [, vnet, , name] = parts.segments as [string, string, string, string];
    const subnet = await orNull(operation, () =>
      this.clients.network(parts.subscriptionId).subnets.get(parts.resourceGroupName, vnet, name),
    );
    if (!subnet) return null;
    const prefixes = [
      ...(subnet.addressPrefix ? [subnet.addressPrefix] : []),
      ...(subnet.addressPrefixes ?? []),
    ];
    return {
      id: subnet.id ?? subnetId,
      addressPrefixes: [...new Set(prefixes)],
      ipConfigurations: subnet.ipConfigurations?.length ?? 0,
      delegations: (subnet.delegations ?? []).map((d) => d.serviceName ?? d.name ?? "unknown"),
    };
  }

  async getVmSizes(vmResourceIds: readonly string[]): Promise<Map<string, string>> {
    const wanted = new Set(vmResourceIds.map((id) => id.toLowerCase()));
    const groups = new Map<string, { subscriptionId: string; resourceGroupName: string }>();
    for (const id of vmResourceIds) {
      const parsed = parseResourceId(id);
      if (parsed) groups.set(`${parsed.subscriptionId}/${parsed.resourceGroupName}`.toLowerCase(), parsed);
    }
    const sizes = new Map<string, string>();
    for (const { subscriptionId, resourceGroupName } of groups.values()) {
      let vms;
      try {
        vms = await collect(
          `preflight.getVmSizes(${resourceGroupName})`,
          this.clients.compute(subscriptionId).virtualMachines.list(resourceGroupName),
        );
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      for (const vm of vms) {
        const id = vm.id?.toLowerCase();
        const size = vm.hardwareProfile?.vmSize;
        if (id && size && wanted.has(id)) sizes.set(id, size);
      }
    }
    return sizes;
  }

  async listPermissions(scopeId: string): Promise<PermissionEntry[]> {
    const operation = `preflight.listPermissions(${scopeId.split("/").slice(-2).join("/")})`;
    const parts = scopeParts(scopeId);
    if (!parts) throw invalidId(operation, scopeId, "a resource group or resource id");
    const permissions = this.clients.authorization(parts.subscriptionId).permissions;
    const { resourceGroupName, provider, segments } = parts;
    const pages =
      provider === undefined
        ? permissions.listForResourceGroup(resourceGroupName)
        : permissions.listForResource(
            resourceGroupName,
            provider,
            // A nested resource's parents (`virtualNetworks/vnet`); empty for a top-level one.
            segments.slice(0, -2).join("/"),
            segments.at(-2) as string,
            segments.at(-1) as string,
          );
    const entries = await collect(operation, pages);
    return entries.map((p) => ({ actions: p.actions ?? [], notActions: p.notActions ?? [] }));
  }

  async getDataCollectionRule(resourceId: string): Promise<{ location: string } | null> {
    const operation = `preflight.getDataCollectionRule(${resourceId.split("/").pop()})`;
    const parts = scopeParts(resourceId);
    if (!parts || parts.segments.length !== 2)
      throw invalidId(operation, resourceId, "a data collection rule id");
    const rule = await orNull(operation, () =>
      this.clients
        .monitor(parts.subscriptionId)
        .dataCollectionRules.get(parts.resourceGroupName, parts.segments[1] as string),
    );
    return rule ? { location: rule.location } : null;
  }

  probeUrl(url: string): Promise<UrlProbeResult> {
    return probeUrl(url, this.urlProbeOptions);
  }
}
