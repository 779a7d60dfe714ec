/**
 * The AzureEnvironment port over an {@link EnvironmentCatalog}: what rehearsals and tests run the
 * preflight against. It answers exactly as the Azure adapter does over the emulator serving the
 * same catalog (test/azure/preflight/contract.test.ts holds them to that).
 */
import { isWithinScope, sameId, type EnvironmentCatalog } from "./catalog";
import type {
  AzureEnvironmentPort,
  ImageFacts,
  PermissionEntry,
  PurchasePlanRef,
  QuotaUsage,
  SubnetFacts,
  UrlProbeResult,
  VmSkuFacts,
} from "./ports";
import { latestVersion } from "./versions";

export class SimulatedAzureEnvironment implements AzureEnvironmentPort {
  constructor(readonly catalog: EnvironmentCatalog) {}

  async listUsages(location: string): Promise<QuotaUsage[]> {
    return sameId(location, this.catalog.location) ? this.catalog.usages.map((u) => ({ ...u })) : [];
  }

  async listVmSkus(location: string): Promise<VmSkuFacts[]> {
    return sameId(location, this.catalog.location) ? structuredClone(this.catalog.skus) : [];
  }

  async getMarketplaceImage(
    location: string,
    image: { publisher: string; offer: string; sku: string; version: string },
  ): Promise<ImageFacts | null> {
    if (!sameId(location, this.catalog.location)) return null;
    const candidates = this.catalog.marketplaceImages.filter(
      (i) => sameId(i.publisher, image.publisher) && sameId(i.offer, image.offer) && sameId(i.sku, image.sku),
    );
    const version =
      image.version.toLowerCase() === "latest"
        ? latestVersion(candidates.map((i) => i.version))
        : image.version;
    const found = candidates.find((i) => i.version === version);
    if (!found) return null;
    const facts: ImageFacts = {
      reference: `${found.publisher}:${found.offer}:${found.sku}:${found.version}`,
    };
    if (found.hyperVGeneration) facts.hyperVGeneration = found.hyperVGeneration;
    if (found.securityType) facts.securityType = found.securityType;
    if (found.plan) facts.plan = { ...found.plan };
    return facts;
  }

  async getCustomImage(
    resourceId: string,
    kind: "galleryImage" | "galleryImageVersion" | "managedImage",
  ): Promise<ImageFacts | null> {
    if (kind === "managedImage") {
      const image = this.catalog.managedImages.find((i) => sameId(i.id, resourceId));
      if (!image) return null;
      const facts: ImageFacts = { reference: image.id, regions: [image.location] };
      if (image.hyperVGeneration) facts.hyperVGeneration = image.hyperVGeneration;
      return facts;
    }
    const definitionId =
      kind === "galleryImageVersion" ? resourceId.replace(/\/versions\/[^/]+$/i, "") : resourceId;
    const definition = this.catalog.galleryImages.find((i) => sameId(i.id, definitionId));
    if (!definition) return null;
    const versionName =
      kind === "galleryImageVersion"
        ? resourceId.split("/").pop()
        : latestVersion(definition.versions.filter((v) => !v.excludeFromLatest).map((v) => v.name));
    const version = definition.versions.find((v) => v.name === versionName);
    if (!version) return null;
    const facts: ImageFacts = {
      reference: `${definition.id}/versions/${version.name}`,
      regions: [...version.regions],
    };
    if (definition.hyperVGeneration) facts.hyperVGeneration = definition.hyperVGeneration;
    if (definition.securityType) facts.securityType = definition.securityType;
    if (definition.purchasePlan) facts.plan = { ...definition.purchasePlan };
    return facts;
  }

  async getPlanAgreement(plan: PurchasePlanRef): Promise<{ accepted: boolean } | null> {
    const agreement = this.catalog.agreements.find(
      (a) =>
        sameId(a.publisher, plan.publisher) && sameId(a.product, plan.product) && sameId(a.name, plan.name),
    );
    return agreement ? { accepted: agreement.accepted } : null;
  }

  async getSubnet(subnetId: string): Promise<SubnetFacts | null> {
    const subnet = this.catalog.subnets.find((s) => sameId(s.id, subnetId));
    return subnet ? structuredClone(subnet) : null;
  }

  async getVmSizes(vmResourceIds: readonly string[]): Promise<Map<string, string>> {
    const sizes = new Map<string, string>();
    const listed = new Map(
      Object.entries(this.catalog.vmSizes).map(([id, size]) => [id.toLowerCase(), size]),
    );
    for (const id of vmResourceIds)
      sizes.set(id.toLowerCase(), listed.get(id.toLowerCase()) ?? this.catalog.defaultVmSize);
    return sizes;
  }

  async listPermissions(scopeId: string): Promise<PermissionEntry[]> {
    return this.catalog.permissions
      .filter((p) => isWithinScope(scopeId, p.scope))
      .map((p) => ({ actions: [...p.actions], notActions: [...p.notActions] }));
  }

  async getDataCollectionRule(resourceId: string): Promise<{ location: string } | null> {
    const rule = this.catalog.dataCollectionRules.find((r) => sameId(r.id, resourceId));
    return rule ? { location: rule.location } : null;
  }

  async probeUrl(url: string): Promise<UrlProbeResult> {
    return { status: this.catalog.urls[url] ?? 404 };
  }
}
