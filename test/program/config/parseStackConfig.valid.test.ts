/** Valid configurations of every variant, the defaults, and the input shapes Pulumi produces. */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { DEFAULT_UPDATE_POLICY, isSecretValue, parseStackConfig, SecretValue } from "../../../program/config";
import {
  ADMIN_PASSWORD,
  adConfig,
  DOMAIN_PASSWORD,
  entraConfig,
  ids,
  INTUNE,
  SUBSCRIPTION,
  withValue,
  revealed,
} from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";

describe("parseStackConfig accepts valid configuration", () => {
  it("parses the Entra ID + Intune marketplace configuration", () => {
    const config = parseStackConfig(entraConfig());
    expect(config.location).toBe("westeurope");
    expect(config.subscriptionId).toBeUndefined();
    expect(config.hostPool).toEqual({ name: "hp-prod", resourceGroupName: "rg-avd" });
    expect(config.sessionHosts).toEqual({ vmNamePrefix: "avdprod", count: 10, vmResourceGroup: "rg-avd" });
    const shc = config.sessionHostConfiguration;
    expect(shc.imageInfo).toEqual({
      type: "Marketplace",
      marketplaceInfo: {
        publisher: "MicrosoftWindowsDesktop",
        offer: "office-365",
        sku: "win11-24h2-avd-m365",
        exactVersion: "latest",
      },
    });
    expect(shc.securityInfo).toEqual({ type: "TrustedLaunch", secureBootEnabled: true, vTpmEnabled: true });
    expect(shc.domainInfo).toEqual({
      joinType: "AzureActiveDirectory",
      azureActiveDirectoryInfo: { mdmProviderGuid: INTUNE },
    });
    expect(shc.vmAdminCredentials.username).toBe("avdadmin");
    expect(revealed(shc.vmAdminCredentials.password)).toBe(ADMIN_PASSWORD);
  });

  it("parses the Active Directory configuration with every optional key", () => {
    const config = parseStackConfig(adConfig());
    expect(config.subscriptionId).toBe(SUBSCRIPTION);
    expect(config.sessionHosts.vmResourceGroup).toBe("rg-avd-hosts");
    const shc = config.sessionHostConfiguration;
    expect(shc.imageInfo).toEqual({
      type: "Custom",
      customInfo: { resourceId: ids.galleryImageVersion, kind: "galleryImageVersion" },
    });
    expect(shc.purchasePlan).toEqual({ name: "plan", publisher: "vendor", product: "product" });
    expect(shc.diskInfo).toEqual({ type: "StandardSSD_LRS", sizeGb: 256 });
    expect(shc.securityInfo).toEqual({ type: "ConfidentialVM", secureBootEnabled: true, vTpmEnabled: true });
    expect(shc.networkInfo).toEqual({
      subnetId: ids.subnet,
      securityGroupId: ids.nsg,
      acceleratedNetworking: true,
    });
    expect(shc.availabilityZones).toEqual(["1", "2", "3"]);
    expect(shc.domainInfo.joinType).toBe("ActiveDirectory");
    if (shc.domainInfo.joinType !== "ActiveDirectory") throw new Error("unreachable");
    const ad = shc.domainInfo.activeDirectoryInfo;
    expect(ad.domainName).toBe("corp.contoso.com");
    expect(ad.ouPath).toBe("OU=AVD,OU=Hosts,DC=corp,DC=contoso,DC=com");
    expect(ad.domainCredentials.username).toBe("join@corp.contoso.com");
    expect(revealed(ad.domainCredentials.password)).toBe(DOMAIN_PASSWORD);
    expect(shc.bootDiagnosticsInfo).toEqual({ enabled: true });
    expect(shc.monitoring).toEqual({ dataCollectionRuleId: ids.dcr });
    expect(shc.customConfigurationScriptUrl).toBe(
      "https://stavd.blob.core.windows.net/scripts/configure.ps1",
    );
    expect(shc.agentPackageUrl).toBe("https://stavd.blob.core.windows.net/avd/Configuration.zip");
    expect(shc.vmTags).toEqual({ costCenter: "42", owner: "euc-team" });
    expect(config.update).toEqual({
      maxVmsRemoved: 3,
      logOffDelayMinutes: 45,
      logOffMessage: "Maintenance: please save your work and sign out.",
      deleteOriginalVm: true,
    });
  });

  it.each([
    ["galleryImage", ids.galleryImage],
    ["galleryImageVersion", ids.galleryImageVersion],
    ["managedImage", ids.managedImage],
  ] as const)("exposes the custom image kind %s", (kind, resourceId) => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.imageInfo`, { customInfo: { resourceId } });
    // Azure supports managed images for Standard security only.
    withValue(raw, `${SHC}.securityInfo`, { type: "Standard" });
    const { imageInfo } = parseStackConfig(raw).sessionHostConfiguration;
    expect(imageInfo).toEqual({ type: "Custom", customInfo: { resourceId, kind } });
  });

  it("matches ARM id segments case-insensitively", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.imageInfo`, { customInfo: { resourceId: ids.galleryImageVersion.toLowerCase() } });
    withValue(
      raw,
      `${SHC}.networkInfo.subnetId`,
      ids.subnet.toUpperCase().replace("SUBSCRIPTIONS", "subscriptions"),
    );
    const shc = parseStackConfig(raw).sessionHostConfiguration;
    expect(shc.imageInfo.type === "Custom" && shc.imageInfo.customInfo.kind).toBe("galleryImageVersion");
  });

  it("accepts readable subscription placeholders in ARM ids and every domain account form", () => {
    const raw = adConfig();
    withValue(
      raw,
      `${SHC}.networkInfo.subnetId`,
      ids.subnet.replace(/subscriptions\/[^/]+/, "subscriptions/sub-prod"),
    );
    const forms = ["join@corp.contoso.com", "CORP\\join", "join"];
    for (const username of forms) {
      withValue(raw, `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.username`, username);
      const domain = parseStackConfig(raw).sessionHostConfiguration.domainInfo;
      expect(
        domain.joinType === "ActiveDirectory" && domain.activeDirectoryInfo.domainCredentials.username,
      ).toBe(username);
    }
  });

  it("accepts Entra ID join without Intune", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.domainInfo`, { joinType: "AzureActiveDirectory" });
    expect(parseStackConfig(raw).sessionHostConfiguration.domainInfo).toEqual({
      joinType: "AzureActiveDirectory",
    });
  });

  it.each([
    [{ type: "Standard" }, { type: "Standard", secureBootEnabled: false, vTpmEnabled: false }],
    [{ type: "TrustedLaunch" }, { type: "TrustedLaunch", secureBootEnabled: true, vTpmEnabled: true }],
    [
      { type: "TrustedLaunch", secureBootEnabled: false },
      { type: "TrustedLaunch", secureBootEnabled: false, vTpmEnabled: true },
    ],
    [{ type: "ConfidentialVM" }, { type: "ConfidentialVM", secureBootEnabled: true, vTpmEnabled: true }],
    [{}, { type: "Standard", secureBootEnabled: false, vTpmEnabled: false }],
  ])("security %j becomes %j", (input, expected) => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.securityInfo`, input);
    expect(parseStackConfig(raw).sessionHostConfiguration.securityInfo).toEqual(expected);
  });

  it("applies the documented defaults", () => {
    const raw = entraConfig();
    for (const key of ["diskInfo", "securityInfo", "availabilityZones", "vmTags", "bootDiagnosticsInfo"]) {
      withValue(raw, `${SHC}.${key}`, undefined);
    }
    withValue(raw, `${SHC}.imageInfo.marketplaceInfo.exactVersion`, undefined);
    const config = parseStackConfig(raw);
    const shc = config.sessionHostConfiguration;
    expect(shc.diskInfo).toEqual({ type: "StandardSSD_LRS" });
    expect(shc.securityInfo).toEqual({ type: "Standard", secureBootEnabled: false, vTpmEnabled: false });
    expect(shc.availabilityZones).toEqual([]);
    expect(shc.vmTags).toEqual({});
    expect(shc.bootDiagnosticsInfo).toEqual({ enabled: false });
    expect(shc.networkInfo.acceleratedNetworking).toBe(false);
    expect(shc.imageInfo.type === "Marketplace" && shc.imageInfo.marketplaceInfo.exactVersion).toBe("latest");
    expect(config.update).toEqual(DEFAULT_UPDATE_POLICY);
    expect(config.update).toEqual({
      maxVmsRemoved: 1,
      logOffDelayMinutes: 30,
      logOffMessage: "This desktop is being updated. Save your work and sign out; sign in again to continue.",
      deleteOriginalVm: false,
    });
  });

  it("treats empty YAML keys (null) as absent", () => {
    const raw = entraConfig();
    withValue(raw, "avd-rollout:update", null);
    withValue(raw, `${SHC}.purchasePlan`, null);
    withValue(raw, `${SHC}.vmTags`, null);
    const config = parseStackConfig(raw);
    expect(config.update).toEqual(DEFAULT_UPDATE_POLICY);
    expect(config.sessionHostConfiguration.purchasePlan).toBeUndefined();
    expect(config.sessionHostConfiguration.vmTags).toEqual({});
    withValue(raw, "avd-rollout:sessionHosts.count", null);
    expect(() => parseStackConfig(raw)).toThrow(/avd-rollout:sessionHosts\.count is missing/);
  });

  it("fills a partial update policy with defaults", () => {
    const raw = entraConfig();
    withValue(raw, "avd-rollout:update", { maxVmsRemoved: 5 });
    expect(parseStackConfig(raw).update).toEqual({ ...DEFAULT_UPDATE_POLICY, maxVmsRemoved: 5 });
  });

  it("accepts the limits' edges", () => {
    const raw = entraConfig();
    withValue(raw, "avd-rollout:sessionHosts", { vmNamePrefix: "avdprod1234", count: 1000 });
    withValue(raw, `${SHC}.diskInfo.sizeGb`, 4095);
    withValue(raw, "avd-rollout:update", {
      maxVmsRemoved: 5000,
      logOffDelayMinutes: 1440,
      logOffMessage: "m".repeat(260),
    });
    const config = parseStackConfig(raw);
    expect(config.sessionHosts.count).toBe(1000);
    expect(config.update.logOffDelayMinutes).toBe(1440);
    withValue(raw, "avd-rollout:update", { logOffDelayMinutes: 0, logOffMessage: "" });
    expect(parseStackConfig(raw).update.logOffDelayMinutes).toBe(0);
  });

  it("coerces what pulumi config set and YAML produce: numeric text, boolean text, integer zones, numeric tags", () => {
    const raw = entraConfig();
    withValue(raw, "avd-rollout:sessionHosts.count", "12");
    withValue(raw, `${SHC}.networkInfo.acceleratedNetworking`, "true");
    withValue(raw, `${SHC}.availabilityZones`, [1, 2]);
    withValue(raw, `${SHC}.vmTags`, { costCenter: 42, billable: true });
    withValue(raw, "azure-native:location", "West Europe");
    const config = parseStackConfig(raw);
    expect(config.sessionHosts.count).toBe(12);
    expect(config.sessionHostConfiguration.networkInfo.acceleratedNetworking).toBe(true);
    expect(config.sessionHostConfiguration.availabilityZones).toEqual(["1", "2"]);
    expect(config.sessionHostConfiguration.vmTags).toEqual({ costCenter: "42", billable: "true" });
    expect(config.location).toBe("westeurope");
  });

  it("reads Automation API getAllConfig output: { value, secret } pairs with JSON text", () => {
    const plain = adConfig();
    const allConfig = Object.fromEntries(
      Object.entries(plain).map(([key, value]) => [
        key,
        { value: typeof value === "string" ? value : JSON.stringify(value), secret: key === SHC },
      ]),
    );
    allConfig["azure-native:clientId"] = { value: "ignored", secret: false };
    allConfig["pulumi:tags"] = { value: "{}", secret: false };
    expect(parseStackConfig(allConfig)).toEqual(parseStackConfig(plain));
  });

  it("accepts passwords already wrapped as SecretValue", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.vmAdminCredentials.password`, new SecretValue(ADMIN_PASSWORD));
    expect(revealed(parseStackConfig(raw).sessionHostConfiguration.vmAdminCredentials.password)).toBe(
      ADMIN_PASSWORD,
    );
  });

  it("returns a deeply frozen model whose secrets never print", () => {
    const config = parseStackConfig(adConfig());
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.sessionHostConfiguration.vmTags)).toBe(true);
    expect(Object.isFrozen(config.sessionHostConfiguration.availabilityZones)).toBe(true);
    const password = config.sessionHostConfiguration.vmAdminCredentials.password;
    expect(isSecretValue(password)).toBe(true);
    const renderings = [
      JSON.stringify(config),
      inspect(config, { depth: Infinity, showHidden: true }),
      String(password),
      `${password}`,
    ];
    for (const text of renderings) {
      expect(text).not.toContain(ADMIN_PASSWORD);
      expect(text).not.toContain(DOMAIN_PASSWORD);
    }
    expect(JSON.stringify(config)).toContain('"password":"[secret]"');
  });
});
