/**
 * Every preflight check, passing and failing, over real HTTPS: the AzureEnvironment adapter
 * (automation/azure) reads the ARM emulator, which serves an EnvironmentCatalog; the HostPool and
 * Compute adapters read the emulated pool. Each failing case changes one fact of a subscription in
 * which everything passes, and the emulator must see no request off the REST specification.
 */
import { afterEach, describe, expect, it } from "vitest";
import type { PreflightCheck, PreflightCheckId, PreflightReport } from "../../../automation/preflight/report";
import { startPreflightHarness, type HarnessOptions, type PreflightHarness } from "./harness";

let harness: PreflightHarness | undefined;

async function start(options: HarnessOptions = {}): Promise<PreflightHarness> {
  harness = await startPreflightHarness(options);
  return harness;
}

afterEach(async () => {
  if (!harness) return;
  expect(harness.emulator.log.violations()).toEqual([]);
  await harness.close();
  harness = undefined;
});

function check(report: PreflightReport, id: PreflightCheckId): PreflightCheck {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check in the report`);
  return found;
}

describe("a subscription where everything fits", () => {
  it("passes every applicable check and skips the rest", async () => {
    const h = await start();
    const report = await h.run();
    expect(report.result).toBe("passed");
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ["quota", "passed"],
      ["vmSize", "passed"],
      ["image", "passed"],
      ["purchasePlan", "skipped"],
      ["subnet", "passed"],
      ["access", "passed"],
      ["dataCollectionRule", "skipped"],
      ["downloadUrls", "skipped"],
    ]);
    // `latest` is the highest version the region lists.
    expect(check(report, "image").summary).toContain("win11-24h2-avd-m365:26100.4061.250605");
    // Lists were read through every page.
    expect(h.emulator.log.byRoute("ResourceSkus_List").length).toBeGreaterThan(1);
    expect(h.emulator.log.byRoute("Usage_List").length).toBeGreaterThan(1);
  });
});

describe("vCPU quota (Usage_List, ResourceSkus_List, VirtualMachines_List)", () => {
  it("passes an image-only update however full the family is: each original frees what its replacement takes", async () => {
    const h = await start();
    Object.assign(
      h.catalog.usages.find((u) => u.name === "standardDADSv5Family")!,
      { current: 1000, limit: 1000 },
    );
    const quota = check(await h.run(), "quota");
    expect(quota.status).toBe("passed");
    expect(quota.summary).toContain("up to 0 more vCPUs in the family");
  });

  it("refuses a move to a family without room, naming the quota, what is missing and where to ask", async () => {
    const h = await start({ target: (t) => (t.vmSize = "Standard_D8s_v5") });
    Object.assign(
      h.catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { current: 90, limit: 100 },
    );
    const quota = check(await h.run(), "quota");
    expect(quota.status).toBe("failed");
    // 6 hosts x 8 vCPUs in a family the D4ads_v5 originals do not free anything in.
    expect(quota.summary).toContain(
      "Standard DSv5 Family vCPUs in westeurope: 10 free, the rollout needs up to 48 (38 missing)",
    );
    expect(quota.fix).toContain("by at least 38 (to a limit of 138 or more)");
    expect(quota.fix).toContain("portal.azure.com/#view/Microsoft_Azure_Capacity/QuotaMenuBlade");
    // The whole rollout needs the room, so a smaller batch would not help.
    expect(quota.fix).not.toContain("--batch-size");
  });

  it("counts the regional total apart from the family: a bigger size in the same family needs the difference", async () => {
    const h = await start({ target: (t) => (t.vmSize = "Standard_D8ads_v5") });
    Object.assign(
      h.catalog.usages.find((u) => u.name === "cores")!,
      { current: 1990, limit: 2000 },
    );
    const quota = check(await h.run(), "quota");
    expect(quota.status).toBe("failed");
    // (8 - 4) x 6 = 24 more vCPUs in the region, 10 free.
    expect(quota.summary).toContain(
      "Total Regional vCPUs in westeurope: 10 free, the rollout needs up to 24 (14 missing)",
    );
    expect(quota.details?.join("\n")).toContain(
      "Standard DADSv5 Family vCPUs (standardDADSv5Family) in westeurope: 40 of 1000 in use",
    );
  });

  it("counts a batch of deallocated originals while their new VMs register, and says which batch size fits", async () => {
    const h = await start();
    for (const original of h.rollout.outOfDate.slice(0, 4)) {
      h.backend.completePowerChange(original.vmResourceId, "deallocated");
    }
    h.rollout.batchSize = 3;
    Object.assign(
      h.catalog.usages.find((u) => u.name === "standardDADSv5Family")!,
      { current: 995, limit: 1000 },
    );
    const quota = check(await h.run(), "quota");
    expect(quota.status).toBe("failed");
    // 3 deallocated originals' replacements run (4 vCPUs each) until they are deallocated again.
    expect(quota.summary).toContain("5 free, the rollout needs up to 12 (7 missing)");
    expect(quota.fix).toContain("or roll out with --batch-size 1");
  });

  it("counts kept originals as VMs, and suggests deleting them", async () => {
    const h = await start();
    Object.assign(
      h.catalog.usages.find((u) => u.name === "virtualMachines")!,
      { current: 24997, limit: 25000 },
    );
    const quota = check(await h.run(), "quota");
    expect(quota.status).toBe("failed");
    expect(quota.summary).toContain("Virtual Machines in westeurope: 3 free, the rollout needs up to 6");
    expect(quota.fix).toContain("--delete-original-vm");
    h.rollout.deleteOriginalVm = true;
    expect(check(await h.run(), "quota").status).toBe("passed");
  });

  it("is a warning, not a refusal, when the usage API cannot be read", async () => {
    const h = await start();
    h.emulator.faults.inject({
      routes: ["Usage_List"],
      action: {
        kind: "status",
        status: 403,
        code: "AuthorizationFailed",
        message: "no read on the subscription",
      },
    });
    const quota = check(await h.run(), "quota");
    expect(quota.status).toBe("warning");
    expect(quota.summary).toMatch(/could not check vCPU quota: .*403 AuthorizationFailed/);
  });
});

describe("VM size (ResourceSkus_List)", () => {
  it("fails a size the region does not offer", async () => {
    const h = await start();
    h.target.vmSize = "Standard_D4ads_v9";
    const size = check(await h.run(), "vmSize");
    expect(size).toMatchObject({
      status: "failed",
      summary: "Standard_D4ads_v9 is not offered in westeurope",
    });
    expect(size.fix).toContain("az vm list-skus --location westeurope");
  });

  it("fails a size restricted for the subscription in the region", async () => {
    const h = await start();
    h.catalog.skus
      .find((s) => s.name === "Standard_D4ads_v5")!
      .restrictions.push({
        type: "Location",
        reasonCode: "NotAvailableForSubscription",
        zones: [],
      });
    const size = check(await h.run(), "vmSize");
    expect(size.status).toBe("failed");
    expect(size.summary).toBe(
      "Standard_D4ads_v5 is restricted for this subscription in westeurope (NotAvailableForSubscription)",
    );
    expect(size.fix).toContain("support request");
  });

  it("fails a size not available in a configured zone", async () => {
    const h = await start();
    h.catalog.skus
      .find((s) => s.name === "Standard_D4ads_v5")!
      .restrictions.push({
        type: "Zone",
        reasonCode: "NotAvailableForSubscription",
        zones: ["3"],
      });
    const size = check(await h.run(), "vmSize");
    expect(size.status).toBe("failed");
    expect(size.summary).toContain("not available in zone(s) 3 of westeurope");
    h.target.zones = ["1", "2"];
    expect(check(await h.run(), "vmSize").status).toBe("passed");
  });

  it("fails what the size cannot carry: accelerated networking, a premium disk, Trusted Launch, a confidential VM", async () => {
    const h = await start();
    h.target.vmSize = "Standard_A2_v2";
    h.target.zones = [];
    let size = check(await h.run(), "vmSize");
    expect(size.status).toBe("failed");
    expect(size.summary).toContain("no accelerated networking");
    expect(size.summary).toContain("no premium storage for a Premium_LRS OS disk");
    expect(size.summary).toContain("Gen1 only, while TrustedLaunch needs a Gen2 VM");

    h.target.vmSize = "Standard_NV12ads_A10_v5";
    size = check(await h.run(), "vmSize");
    expect(size).toMatchObject({ status: "failed" });
    expect(size.summary).toContain("Trusted Launch is not supported on this size");

    h.target.vmSize = "Standard_D4ads_v5";
    h.target.securityType = "ConfidentialVM";
    size = check(await h.run(), "vmSize");
    expect(size.summary).toContain("not a confidential VM size");
    h.target.vmSize = "Standard_DC4as_v5";
    expect(check(await h.run(), "vmSize").status).toBe("passed");
  });
});

describe("image (VirtualMachineImages, GalleryImages, GalleryImageVersions, Images)", () => {
  it("fails a Marketplace version that does not exist", async () => {
    const h = await start();
    h.target.image = {
      ...(h.target.image as {
        type: "marketplace";
        publisher: string;
        offer: string;
        sku: string;
        version: string;
      }),
      version: "1.2.3",
    };
    const image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.summary).toBe(
      "Marketplace image MicrosoftWindowsDesktop:office-365:win11-24h2-avd-m365:1.2.3 does not exist in westeurope",
    );
    expect(image.fix).toContain("az vm image list --publisher MicrosoftWindowsDesktop");
  });

  it("fails a Gen1 image for Trusted Launch, and a Gen2 image on a Gen1-only size", async () => {
    const h = await start();
    for (const image of h.catalog.marketplaceImages) image.hyperVGeneration = "V1";
    let image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.summary).toContain("TrustedLaunch needs a Gen2 image, this one is Gen1");

    for (const candidate of h.catalog.marketplaceImages) candidate.hyperVGeneration = "V2";
    h.target.securityType = "Standard";
    h.target.vmSize = "Standard_A2_v2";
    image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.summary).toContain("it is a Gen2 image and Standard_A2_v2 runs only Gen1 VMs");
  });

  it("fails an image that does not support confidential VMs", async () => {
    const h = await start();
    h.target.securityType = "ConfidentialVM";
    h.target.vmSize = "Standard_DC4as_v5";
    let image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.summary).toContain(
      "its security type TrustedLaunchSupported does not allow ConfidentialVM VMs",
    );
    for (const candidate of h.catalog.marketplaceImages) candidate.securityType = "ConfidentialVmSupported";
    image = check(await h.run(), "image");
    expect(image.status).toBe("passed");
  });

  it("passes a gallery image version replicated to the region, and fails one that is not", async () => {
    const version = (rg: string): string =>
      `/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/${rg}/providers/Microsoft.Compute/galleries/gal/images/avd-win11/versions/2.1.0`;
    const h = await start({
      target: (t) =>
        (t.image = { type: "custom", kind: "galleryImageVersion", resourceId: version("rg-images") }),
    });
    let image = check(await h.run(), "image");
    expect(image.status).toBe("passed");
    expect(image.summary).toContain("avd-win11/versions/2.1.0 (Gen2, security type TrustedLaunchSupported)");

    h.catalog.galleryImages[0]!.versions[0]!.regions = ["northeurope"];
    image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    // The service writes regions by display name; they compare as the same region.
    expect(image.summary).toContain("is in North Europe, not in westeurope");
    expect(image.fix).toContain("replicate the version to westeurope");

    h.target.image = { type: "custom", kind: "galleryImageVersion", resourceId: version("rg-other") };
    image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.summary).toContain("was not found");
  });

  it("takes a gallery image's latest version that is not excluded from latest", async () => {
    const definition =
      "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gal/images/avd-win11";
    const h = await start({
      target: (t) => (t.image = { type: "custom", kind: "galleryImage", resourceId: definition }),
    });
    const versions = h.catalog.galleryImages[0]!.versions;
    versions.push(
      { name: "1.10.0", regions: ["westeurope"] },
      { name: "9.0.0", regions: ["eastus"], excludeFromLatest: true },
    );
    const image = check(await h.run(), "image");
    expect(image.status).toBe("passed");
    expect(image.summary).toContain("avd-win11/versions/1.10.0");
  });

  it("fails a Standard VM from a gallery image that only makes Trusted Launch VMs", async () => {
    const definition =
      "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gal/images/avd-win11";
    const h = await start({
      target: (t) => {
        t.image = { type: "custom", kind: "galleryImage", resourceId: definition };
        t.securityType = "Standard";
      },
    });
    h.catalog.galleryImages[0]!.securityType = "TrustedLaunch";
    const image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.fix).toContain("set securityInfo.type: TrustedLaunch");
  });

  it("passes a managed image in the region and fails one elsewhere", async () => {
    const managed =
      "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-images/providers/Microsoft.Compute/images/avd-golden";
    const h = await start({
      target: (t) => {
        t.image = { type: "custom", kind: "managedImage", resourceId: managed };
        t.securityType = "Standard";
      },
    });
    expect(check(await h.run(), "image").status).toBe("passed");
    h.catalog.managedImages[0]!.location = "eastus";
    const image = check(await h.run(), "image");
    expect(image.status).toBe("failed");
    expect(image.fix).toContain("a managed image must be in the VMs' region");
  });
});

describe("purchase plan (VirtualMachineImages_Get plan, MarketplaceAgreements_Get)", () => {
  const plan = { name: "win11-avd-hardened", publisher: "contoso-images", product: "hardened-avd" };

  it("passes a plan image with the plan configured and its terms accepted", async () => {
    const h = await start({ target: (t) => (t.purchasePlan = { ...plan }) });
    const result = check(await h.run(), "purchasePlan");
    expect(result).toMatchObject({ status: "passed" });
    expect(h.emulator.log.byRoute("MarketplaceAgreements_Get")).toHaveLength(1);
  });

  it("fails terms not accepted, with the command that accepts them", async () => {
    const h = await start({ target: (t) => (t.purchasePlan = { ...plan }) });
    h.catalog.agreements[0]!.accepted = false;
    const result = check(await h.run(), "purchasePlan");
    expect(result.status).toBe("failed");
    expect(result.summary).toContain("are not accepted for this subscription");
    expect(result.fix).toContain(
      "az vm image terms accept --publisher contoso-images --offer hardened-avd --plan win11-avd-hardened",
    );
  });

  it("fails an image sold under a plan when purchasePlan is not configured", async () => {
    const h = await start({ target: (t) => (t.purchasePlan = { ...plan }) });
    delete h.target.purchasePlan;
    const result = check(await h.run(), "purchasePlan");
    expect(result.status).toBe("failed");
    expect(result.fix).toBe(
      "set purchasePlan: { name: win11-avd-hardened, publisher: contoso-images, product: hardened-avd }",
    );
  });
});

describe("subnet addresses (Subnets_Get)", () => {
  it("fails a subnet without room for the new NICs, minding the 5 addresses Azure reserves", async () => {
    const h = await start();
    Object.assign(h.catalog.subnets[0]!, { addressPrefixes: ["10.0.1.0/28"], ipConfigurations: 8 });
    const subnet = check(await h.run(), "subnet");
    expect(subnet.status).toBe("failed");
    expect(subnet.summary).toContain(
      "10.0.1.0/28 has 11 usable addresses (Azure reserves 5 per prefix), 8 in use, 3 free; the rollout needs 6",
    );
    // Deleting the originals brings it down to one batch (2), which fits.
    expect(subnet.fix).toContain("--delete-original-vm");
    h.rollout.deleteOriginalVm = true;
    expect(check(await h.run(), "subnet").status).toBe("passed");
  });

  it("adds up every prefix of the subnet", async () => {
    const h = await start();
    Object.assign(h.catalog.subnets[0]!, {
      addressPrefixes: ["10.0.1.0/28", "10.0.2.0/29"],
      ipConfigurations: 8,
    });
    const subnet = check(await h.run(), "subnet");
    expect(subnet.status).toBe("passed");
    expect(subnet.summary).toContain("6 free addresses, 6 needed");
  });

  it("fails a delegated subnet and a missing one", async () => {
    const h = await start();
    h.catalog.subnets[0]!.delegations = ["Microsoft.Web/serverFarms"];
    expect(check(await h.run(), "subnet").summary).toContain("is delegated to Microsoft.Web/serverFarms");
    h.catalog.subnets.length = 0;
    const subnet = check(await h.run(), "subnet");
    expect(subnet.status).toBe("failed");
    expect(subnet.summary).toContain("was not found");
  });
});

describe("access (HostPools_Get, SessionHosts_List, UserSessions_ListByHostPool, Permissions_List*)", () => {
  it("fails an identity that may only read, naming what is missing where", async () => {
    const h = await start();
    h.catalog.permissions = [
      { scope: `/subscriptions/${h.catalog.subscriptionId}`, actions: ["*/read"], notActions: [] },
    ];
    const access = check(await h.run(), "access");
    expect(access.status).toBe("failed");
    expect(access.summary).toContain(
      "at host pool hp-test missing hostpools/write, hostpools/retrieveRegistrationToken/action",
    );
    expect(access.summary).toContain("at resource group rg-avd missing virtualMachines/write");
    expect(access.summary).toContain("at subnet hosts missing virtualNetworks/subnets/join/action");
    expect(access.fix).toContain("Desktop Virtualization Host Pool Contributor");
  });

  it("honours notActions and narrower scopes", async () => {
    const h = await start();
    const sub = `/subscriptions/${h.catalog.subscriptionId}`;
    h.catalog.permissions = [
      {
        scope: h.target.hostPoolId,
        actions: ["Microsoft.DesktopVirtualization/hostpools/*"],
        notActions: [
          "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/sendMessage/action",
        ],
      },
      {
        scope: `${sub}/resourceGroups/rg-avd`,
        actions: ["Microsoft.Compute/*", "Microsoft.Network/*"],
        notActions: [],
      },
      {
        scope: `${sub}/resourceGroups/rg-network`,
        actions: ["Microsoft.Network/virtualNetworks/subnets/join/action"],
        notActions: [],
      },
    ];
    const access = check(await h.run(), "access");
    expect(access.status).toBe("failed");
    expect(access.summary).toBe(
      "the identity in use at host pool hp-test missing hostpools/sessionhosts/usersessions/sendMessage/action",
    );
    h.catalog.permissions[0]!.notActions = [];
    expect(check(await h.run(), "access").status).toBe("passed");
  });

  it("fails when the host pool's user sessions cannot be read", async () => {
    const h = await start();
    h.emulator.faults.inject({
      routes: ["UserSessions_ListByHostPool"],
      action: {
        kind: "status",
        status: 403,
        code: "AuthorizationFailed",
        message: "The client does not have authorization.",
      },
    });
    const access = check(await h.run(), "access");
    expect(access.status).toBe("failed");
    expect(access.summary).toContain("cannot read user sessions");
  });

  it("is a warning when the permissions API does not answer", async () => {
    const h = await start();
    h.emulator.faults.inject({
      routes: ["Permissions_ListForResourceGroup"],
      action: { kind: "status", status: 500 },
    });
    const access = check(await h.run(), "access");
    expect(access.status).toBe("warning");
    expect(access.summary).toContain("permissions at resource group rg-avd");
  });
});

describe("data collection rule (DataCollectionRules_Get)", () => {
  const rule =
    "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-monitor/providers/Microsoft.Insights/dataCollectionRules/dcr-avd";

  it("passes a rule that exists and fails one that does not", async () => {
    const h = await start({ target: (t) => (t.dataCollectionRuleId = rule) });
    expect(check(await h.run(), "dataCollectionRule")).toMatchObject({
      status: "passed",
      summary: "data collection rule dcr-avd exists (westeurope)",
    });
    h.catalog.dataCollectionRules.length = 0;
    const result = check(await h.run(), "dataCollectionRule");
    expect(result.status).toBe("failed");
    expect(result.summary).toBe(`data collection rule ${rule} was not found`);
  });
});

describe("download URLs (HTTPS, as Blob Storage answers)", () => {
  it("passes reachable URLs and fails a missing blob and a refused SAS, never printing the SAS", async () => {
    const sas = "?sv=2025-01-05&se=2026-05-01T00%3A00%3A00Z&sr=b&sp=r&sig=c2VjcmV0LXNpZ25hdHVyZQ%3D%3D";
    const h = await start({
      target: (t, { downloads }) =>
        (t.urls = [
          { key: "customConfigurationScriptUrl", url: `${downloads}/scripts/configure.ps1${sas}` },
          { key: "agentPackageUrl", url: `${downloads}/avd/Configuration.zip` },
        ]),
    });
    let report = await h.run();
    expect(check(report, "downloadUrls")).toMatchObject({
      status: "passed",
      summary: "customConfigurationScriptUrl, agentPackageUrl reachable",
    });
    expect(h.downloads.requests.map((r) => r.method)).toEqual(["HEAD", "HEAD"]);
    // The probe sends no ARM token to a storage URL.
    expect(h.downloads.requests.some((r) => r.authorization)).toBe(false);

    h.catalog.urls[h.target.urls[0]!.url] = 403;
    delete h.catalog.urls[h.target.urls[1]!.url];
    report = await h.run();
    const urls = check(report, "downloadUrls");
    expect(urls.status).toBe("failed");
    expect(urls.summary).toContain(
      `customConfigurationScriptUrl ${h.downloads.url}/scripts/configure.ps1?… answers HTTP 403`,
    );
    expect(urls.summary).toContain("agentPackageUrl");
    expect(urls.summary).toContain("answers HTTP 404");
    expect(JSON.stringify(report)).not.toContain("sig=");
  });
});
