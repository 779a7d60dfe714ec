/**
 * Microsoft.Compute reads the preflight makes (specification/compute/resource-manager/
 * Microsoft.Compute/Compute and .../Skus): Usage_List, ResourceSkus_List, VirtualMachineImages_List
 * and _Get, GalleryImages_Get, GalleryImageVersions_Get and _ListByGalleryImage, Images_Get, and
 * VirtualMachines_List (the originals' sizes). Bodies follow the specification's examples; the
 * facts come from the attached EnvironmentCatalog, the VMs from the emulator's backend.
 *
 * api-versions are the ones @azure/arm-compute 25.1.1 sends: 2026-04-01 (compute), 2025-12-03
 * (galleries), 2021-07-01 (resource SKUs).
 */
import { createHash } from "node:crypto";
import type { CatalogGalleryImage } from "../../../../automation/preflight/catalog";
import type { VmSkuFacts } from "../../../../automation/preflight/ports";
import { ArmError } from "../arm-error";
import { environmentOf, notFound, pathOf, requireSubscription, skipTokenPage } from "../environment";
import type { Route, RouteContext } from "../route";

const COMPUTE_V = "2026-04-01";
const GALLERY_V = "2025-12-03";
const SKUS_V = "2021-07-01";
const SUB = "/subscriptions/{subscriptionId}";
const RG = `${SUB}/resourceGroups/{resourceGroupName}`;
const LOCATION = `${SUB}/providers/Microsoft.Compute/locations/{location}`;
const IMAGE_SKU = `${LOCATION}/publishers/{publisherName}/artifacttypes/vmimage/offers/{offer}/skus/{skus}`;
const GALLERY_IMAGE = `${RG}/providers/Microsoft.Compute/galleries/{galleryName}/images/{galleryImageName}`;

function same(a: string | undefined, b: string | undefined): boolean {
  return (a ?? "").toLowerCase() === (b ?? "").toLowerCase();
}

/** `westeurope` as the Compute RP writes region names in bodies (`West Europe` for gallery regions). */
function displayRegion(name: string): string {
  const known: Record<string, string> = {
    westeurope: "West Europe",
    northeurope: "North Europe",
    eastus: "East US",
  };
  return known[name.toLowerCase()] ?? name;
}

function skuBody(sku: VmSkuFacts, location: string): Record<string, unknown> {
  const restrictions = sku.restrictions.map((r) => ({
    type: r.type,
    values: [location],
    restrictionInfo:
      r.type === "Zone" ? { locations: [location], zones: r.zones } : { locations: [location] },
    reasonCode: r.reasonCode,
  }));
  return {
    resourceType: "virtualMachines",
    name: sku.name,
    tier: "Standard",
    size: sku.name.replace(/^Standard_/, ""),
    family: sku.family,
    locations: [location],
    locationInfo: [{ location, zones: sku.zones, zoneDetails: [] }],
    capabilities: Object.entries(sku.capabilities).map(([name, value]) => ({ name, value })),
    restrictions,
  };
}

function marketplaceMatches(ctx: RouteContext) {
  const { publisherName, offer, skus } = ctx.params;
  const catalog = environmentOf(ctx);
  requireSubscription(ctx, catalog);
  if (!same(ctx.params["location"], catalog.location)) return [];
  return catalog.marketplaceImages.filter(
    (i) => same(i.publisher, publisherName) && same(i.offer, offer) && same(i.sku, skus),
  );
}

function galleryImage(ctx: RouteContext): CatalogGalleryImage {
  const id = pathOf(GALLERY_IMAGE, ctx.params);
  const image = environmentOf(ctx).galleryImages.find((i) => same(id, i.id));
  if (!image) throw notFound("Microsoft.Compute/galleries/images", ctx.params["galleryImageName"]!);
  return image;
}

function galleryImageBody(image: CatalogGalleryImage, location: string): Record<string, unknown> {
  const [, , , , , , , gallery, , name] = image.id.split("/");
  return {
    id: image.id,
    name,
    type: "Microsoft.Compute/galleries/images",
    location,
    properties: {
      osType: "Windows",
      osState: "Generalized",
      hyperVGeneration: image.hyperVGeneration ?? "V1",
      identifier: { publisher: gallery, offer: "avd", sku: name },
      ...(image.securityType ? { features: [{ name: "SecurityType", value: image.securityType }] } : {}),
      ...(image.purchasePlan ? { purchasePlan: image.purchasePlan } : {}),
      architecture: "x64",
      provisioningState: "Succeeded",
    },
  };
}

function galleryVersionBody(
  image: CatalogGalleryImage,
  index: number,
  location: string,
): Record<string, unknown> {
  const version = image.versions[index]!;
  return {
    id: `${image.id}/versions/${version.name}`,
    name: version.name,
    type: "Microsoft.Compute/galleries/images/versions",
    location,
    properties: {
      publishingProfile: {
        targetRegions: version.regions.map((region) => ({
          name: displayRegion(region),
          regionalReplicaCount: 1,
          storageAccountType: "Standard_ZRS",
        })),
        replicaCount: 1,
        excludeFromLatest: version.excludeFromLatest ?? false,
        publishedDate: "2026-03-01T10:00:00.0000000+00:00",
        storageAccountType: "Standard_ZRS",
      },
      storageProfile: { osDiskImage: { sizeInGB: 127, hostCaching: "ReadWrite" } },
      provisioningState: "Succeeded",
    },
  };
}

export const computePreflightRoutes: Route[] = [
  {
    name: "Usage_List",
    method: "GET",
    path: `${LOCATION}/usages`,
    apiVersion: COMPUTE_V,
    query: { $skiptoken: "string" },
    handle: (ctx) => {
      const catalog = environmentOf(ctx);
      requireSubscription(ctx, catalog);
      const usages = same(ctx.params["location"], catalog.location) ? catalog.usages : [];
      const value = usages.map((u) => ({
        unit: "Count",
        currentValue: u.current,
        limit: u.limit,
        name: { value: u.name, localizedValue: u.displayName },
      }));
      return {
        status: 200,
        body: skipTokenPage(value, ctx, pathOf(`${LOCATION}/usages`, ctx.params), COMPUTE_V),
      };
    },
  },
  {
    name: "ResourceSkus_List",
    method: "GET",
    path: `${SUB}/providers/Microsoft.Compute/skus`,
    apiVersion: SKUS_V,
    query: { $filter: "string", includeExtendedLocations: "string", $skiptoken: "string" },
    handle: (ctx) => {
      const catalog = environmentOf(ctx);
      requireSubscription(ctx, catalog);
      const filter = ctx.query.get("$filter");
      if (filter !== null && !/^location eq '[^']+'$/.test(filter)) {
        throw new ArmError(400, "InvalidFilter", `Only a location filter is supported, got '${filter}'.`);
      }
      const wanted = filter === null ? catalog.location : /'([^']+)'/.exec(filter)![1]!;
      const skus = same(wanted, catalog.location)
        ? [
            // Not only VM sizes: the list mixes resource types, as Azure's does.
            {
              resourceType: "disks",
              name: "Premium_LRS",
              tier: "Premium",
              size: "P1",
              family: "PremiumDisk",
              locations: [catalog.location],
              locationInfo: [{ location: catalog.location, zones: ["1", "2", "3"] }],
              capabilities: [{ name: "MaxSizeGiB", value: "4" }],
              restrictions: [],
            },
            ...catalog.skus.map((sku) => skuBody(sku, catalog.location)),
          ]
        : [];
      return {
        status: 200,
        body: skipTokenPage(
          skus,
          ctx,
          pathOf(`${SUB}/providers/Microsoft.Compute/skus`, ctx.params),
          SKUS_V,
          ["$filter"],
        ),
      };
    },
  },
  {
    name: "VirtualMachineImages_List",
    method: "GET",
    path: `${IMAGE_SKU}/versions`,
    apiVersion: COMPUTE_V,
    query: { $expand: "string", $top: "integer", $orderby: "string" },
    handle: (ctx) => {
      const images = marketplaceMatches(ctx);
      if (images.length === 0) throw new ArmError(404, "NotFound", "Artifact: VMImage was not found.");
      const { location, publisherName, offer, skus } = ctx.params;
      return {
        status: 200,
        body: images.map((image) => ({
          location,
          name: image.version,
          id: `/Subscriptions/${ctx.params["subscriptionId"]}/Providers/Microsoft.Compute/Locations/${location}/Publishers/${publisherName}/ArtifactTypes/VMImage/Offers/${offer}/Skus/${skus}/Versions/${image.version}`,
        })),
      };
    },
  },
  {
    name: "VirtualMachineImages_Get",
    method: "GET",
    path: `${IMAGE_SKU}/versions/{version}`,
    apiVersion: COMPUTE_V,
    handle: (ctx) => {
      const image = marketplaceMatches(ctx).find((i) => i.version === ctx.params["version"]);
      if (!image) throw new ArmError(404, "NotFound", "Artifact: VMImage was not found.");
      const { location, publisherName, offer, skus } = ctx.params;
      const features = [
        ...(image.securityType ? [{ name: "SecurityType", value: image.securityType }] : []),
        { name: "IsAcceleratedNetworkSupported", value: "True" },
        { name: "DiskControllerTypes", value: "SCSI, NVMe" },
      ];
      return {
        status: 200,
        body: {
          id: `/Subscriptions/${ctx.params["subscriptionId"]}/Providers/Microsoft.Compute/Locations/${location}/Publishers/${publisherName}/ArtifactTypes/VMImage/Offers/${offer}/Skus/${skus}/Versions/${image.version}`,
          name: image.version,
          location,
          properties: {
            ...(image.plan ? { plan: image.plan } : {}),
            osDiskImage: { operatingSystem: "Windows" },
            dataDiskImages: [],
            automaticOSUpgradeProperties: { automaticOSUpgradeSupported: false },
            ...(image.hyperVGeneration ? { hyperVGeneration: image.hyperVGeneration } : {}),
            features,
            architecture: "x64",
          },
        },
      };
    },
  },
  {
    name: "GalleryImages_Get",
    method: "GET",
    path: GALLERY_IMAGE,
    apiVersion: GALLERY_V,
    handle: (ctx) => ({
      status: 200,
      body: galleryImageBody(galleryImage(ctx), environmentOf(ctx).location),
    }),
  },
  {
    name: "GalleryImageVersions_ListByGalleryImage",
    method: "GET",
    path: `${GALLERY_IMAGE}/versions`,
    apiVersion: GALLERY_V,
    query: { $skiptoken: "string" },
    handle: (ctx) => {
      const image = galleryImage(ctx);
      const location = environmentOf(ctx).location;
      const value = image.versions.map((_, i) => galleryVersionBody(image, i, location));
      return {
        status: 200,
        body: skipTokenPage(value, ctx, pathOf(`${GALLERY_IMAGE}/versions`, ctx.params), GALLERY_V),
      };
    },
  },
  {
    name: "GalleryImageVersions_Get",
    method: "GET",
    path: `${GALLERY_IMAGE}/versions/{galleryImageVersionName}`,
    apiVersion: GALLERY_V,
    query: { $expand: ["ReplicationStatus", "UefiSettings"] },
    handle: (ctx) => {
      const image = galleryImage(ctx);
      const index = image.versions.findIndex((v) => v.name === ctx.params["galleryImageVersionName"]);
      if (index < 0) {
        throw notFound("Microsoft.Compute/galleries/images/versions", ctx.params["galleryImageVersionName"]!);
      }
      return { status: 200, body: galleryVersionBody(image, index, environmentOf(ctx).location) };
    },
  },
  {
    name: "Images_Get",
    method: "GET",
    path: `${RG}/providers/Microsoft.Compute/images/{imageName}`,
    apiVersion: COMPUTE_V,
    query: { $expand: "string" },
    handle: (ctx) => {
      const id = pathOf(`${RG}/providers/Microsoft.Compute/images/{imageName}`, ctx.params);
      const image = environmentOf(ctx).managedImages.find((i) => same(i.id, id));
      if (!image) throw notFound("Microsoft.Compute/images", ctx.params["imageName"]!);
      return {
        status: 200,
        body: {
          id: image.id,
          name: ctx.params["imageName"],
          type: "Microsoft.Compute/images",
          location: image.location,
          properties: {
            storageProfile: {
              osDisk: {
                osType: "Windows",
                osState: "Generalized",
                caching: "ReadWrite",
                storageAccountType: "Premium_LRS",
              },
              dataDisks: [],
              zoneResilient: true,
            },
            provisioningState: "Succeeded",
            hyperVGeneration: image.hyperVGeneration ?? "V1",
          },
        },
      };
    },
  },
  {
    name: "VirtualMachines_List",
    method: "GET",
    path: `${RG}/providers/Microsoft.Compute/virtualMachines`,
    apiVersion: COMPUTE_V,
    query: { $filter: "string", $expand: ["instanceView"], $skiptoken: "string" },
    handle: (ctx) => {
      const catalog = environmentOf(ctx);
      const { subscriptionId, resourceGroupName } = ctx.params;
      if (!same(subscriptionId, ctx.backend.subscriptionId)) {
        throw new ArmError(
          404,
          "SubscriptionNotFound",
          `The subscription '${subscriptionId}' could not be found.`,
        );
      }
      const prefix = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroupName}/`.toLowerCase();
      const sizes = new Map(Object.entries(catalog.vmSizes).map(([id, size]) => [id.toLowerCase(), size]));
      const vms = ctx.backend
        .listVms()
        .filter((vm) => vm.resourceId.toLowerCase().startsWith(prefix))
        .map((vm) => ({
          id: vm.resourceId,
          name: vm.resourceId.split("/").pop(),
          type: "Microsoft.Compute/virtualMachines",
          location: vm.location,
          properties: {
            vmId: createHash("sha1").update(vm.resourceId.toLowerCase()).digest("hex").slice(0, 32),
            hardwareProfile: { vmSize: sizes.get(vm.resourceId.toLowerCase()) ?? catalog.defaultVmSize },
            osProfile: { computerName: vm.computerName, adminUsername: "avdadmin" },
            networkProfile: { networkInterfaces: vm.nicIds.map((id) => ({ id })) },
            provisioningState: "Succeeded",
          },
        }));
      return {
        status: 200,
        body: skipTokenPage(
          vms,
          ctx,
          pathOf(`${RG}/providers/Microsoft.Compute/virtualMachines`, ctx.params),
          COMPUTE_V,
        ),
      };
    },
  },
];
