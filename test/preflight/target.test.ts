import { describe, expect, it } from "vitest";
import { preflightTargetOf } from "../../automation/preflight/target";
import { parseStackConfig } from "../../program/config";
import { adConfig, entraConfig, ids, SUBSCRIPTION } from "../program/config/fixtures";

describe("preflightTargetOf", () => {
  it("takes everything the new generation depends on from the parsed stack configuration", () => {
    const target = preflightTargetOf(parseStackConfig(adConfig()), SUBSCRIPTION);
    expect(target).toEqual({
      subscriptionId: SUBSCRIPTION,
      location: "westeurope",
      hostPoolId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-avd/providers/Microsoft.DesktopVirtualization/hostPools/hp-corp`,
      vmResourceGroupId: `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-avd-hosts`,
      vmSize: "Standard_DC8ads_v5",
      zones: ["1", "2", "3"],
      image: { type: "custom", kind: "galleryImageVersion", resourceId: ids.galleryImageVersion },
      purchasePlan: { name: "plan", publisher: "vendor", product: "product" },
      diskType: "StandardSSD_LRS",
      securityType: "ConfidentialVM",
      acceleratedNetworking: true,
      subnetId: ids.subnet,
      dataCollectionRuleId: ids.dcr,
      urls: [
        {
          key: "customConfigurationScriptUrl",
          url: "https://stavd.blob.core.windows.net/scripts/configure.ps1",
        },
        { key: "agentPackageUrl", url: "https://stavd.blob.core.windows.net/avd/Configuration.zip" },
      ],
    });
  });

  it("leaves out what is not configured, and puts the VMs in the host pool's group by default", () => {
    const target = preflightTargetOf(parseStackConfig(entraConfig()), SUBSCRIPTION);
    expect(target.image).toEqual({
      type: "marketplace",
      publisher: "MicrosoftWindowsDesktop",
      offer: "office-365",
      sku: "win11-24h2-avd-m365",
      version: "latest",
    });
    expect(target.vmResourceGroupId).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-avd`);
    expect(target.zones).toEqual([]);
    expect(target.urls).toEqual([]);
    expect(target).not.toHaveProperty("purchasePlan");
    expect(target).not.toHaveProperty("dataCollectionRuleId");
    // No secret of the configuration reaches the target.
    expect(JSON.stringify(target)).not.toMatch(/Pa55word|Secret/);
  });
});
