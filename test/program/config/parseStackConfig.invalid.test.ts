/**
 * Invalid configurations: each must fail with an InputError whose line for the offending key
 * names the full key path, shows the bad value (redacted for passwords) and says how to fix it.
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../../automation/core/errors";
import { parseStackConfig } from "../../../program/config";
import { ADMIN_PASSWORD, adConfig, DOMAIN_PASSWORD, entraConfig, ids, type Raw, withValue } from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";

interface BadCase {
  name: string;
  base?: () => Raw;
  /** Dotted paths (first segment the full key) and the values to put there (undefined deletes). */
  edits: Array<[path: string, value: unknown]>;
  /** The full key path the message must name. */
  key: string;
  /** Text of the fix the line must contain. */
  fix: string;
  /** Text of the bad value the line must show (not for secrets). */
  shows?: string;
  /** A secret value that must not appear anywhere in the message. */
  secret?: string;
}

const longText = (length: number): string => "x".repeat(length);
const manyTags = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`tag${i}`, "v"]));

const cases: BadCase[] = [
  // azure-native
  {
    name: "location missing",
    edits: [["azure-native:location", undefined]],
    key: "azure-native:location",
    fix: "pulumi config set azure-native:location",
  },
  {
    name: "location not a region name",
    edits: [["azure-native:location", "west-europe!"]],
    key: "azure-native:location",
    fix: "az account list-locations",
    shows: '"west-europe!"',
  },
  {
    name: "subscription id not a GUID",
    edits: [["azure-native:subscriptionId", "my-subscription"]],
    key: "azure-native:subscriptionId",
    fix: "az account show",
    shows: '"my-subscription"',
  },
  // hostPool
  {
    name: "hostPool missing",
    edits: [["avd-rollout:hostPool", undefined]],
    key: "avd-rollout:hostPool",
    fix: "add avd-rollout:hostPool",
  },
  {
    name: "hostPool name too short",
    edits: [["avd-rollout:hostPool.name", "hp"]],
    key: "avd-rollout:hostPool.name",
    fix: "existing host pool",
    shows: '"hp"',
  },
  {
    name: "hostPool key misspelt",
    edits: [
      ["avd-rollout:hostPool.resourceGroup", "rg-avd"],
      ["avd-rollout:hostPool.resourceGroupName", undefined],
    ],
    key: "avd-rollout:hostPool.resourceGroup",
    fix: "did you mean resourceGroupName",
  },
  {
    name: "top-level key misspelt",
    edits: [["avd-rollout:sessionHost", { vmNamePrefix: "avd", count: 1 }]],
    key: "avd-rollout:sessionHost",
    fix: "did you mean avd-rollout:sessionHosts",
  },
  {
    name: "structured key given as plain text",
    edits: [["avd-rollout:hostPool", "hp-prod"]],
    key: "avd-rollout:hostPool",
    fix: "pulumi config set --path avd-rollout:hostPool.<field>",
  },
  // sessionHosts
  {
    name: "prefix longer than 11",
    edits: [["avd-rollout:sessionHosts.vmNamePrefix", "avdproduction"]],
    key: "avd-rollout:sessionHosts.vmNamePrefix",
    fix: "shorten it, e.g. avdproducti",
    shows: '"avdproduction"',
  },
  {
    name: "prefix with underscore",
    edits: [["avd-rollout:sessionHosts.vmNamePrefix", "avd_prod"]],
    key: "avd-rollout:sessionHosts.vmNamePrefix",
    fix: "use e.g. avdprod",
    shows: '"avd_prod"',
  },
  {
    name: "prefix ending with hyphen",
    edits: [["avd-rollout:sessionHosts.vmNamePrefix", "avd-"]],
    key: "avd-rollout:sessionHosts.vmNamePrefix",
    fix: "use e.g. avdprod",
  },
  {
    name: "count zero",
    edits: [["avd-rollout:sessionHosts.count", 0]],
    key: "avd-rollout:sessionHosts.count",
    fix: "1 to 1000",
    shows: "0",
  },
  {
    name: "count above the bound",
    edits: [["avd-rollout:sessionHosts.count", 1001]],
    key: "avd-rollout:sessionHosts.count",
    fix: "split larger pools",
    shows: "1001",
  },
  {
    name: "count fractional",
    edits: [["avd-rollout:sessionHosts.count", 2.5]],
    key: "avd-rollout:sessionHosts.count",
    fix: "1 to 1000",
    shows: "2.5",
  },
  {
    name: "count missing",
    edits: [["avd-rollout:sessionHosts.count", undefined]],
    key: "avd-rollout:sessionHosts.count",
    fix: "set the number of session hosts",
  },
  {
    name: "vmResourceGroup invalid",
    edits: [["avd-rollout:sessionHosts.vmResourceGroup", "rg/hosts"]],
    key: "avd-rollout:sessionHosts.vmResourceGroup",
    fix: "remove vmResourceGroup to use the host pool's",
  },
  // sessionHostConfiguration
  {
    name: "sessionHostConfiguration missing",
    edits: [[SHC, undefined]],
    key: SHC,
    fix: "stacks/Pulumi.example.yaml",
  },
  {
    name: "unknown key with a close match",
    edits: [[`${SHC}.vmSize`, "Standard_D4ads_v5"]],
    key: `${SHC}.vmSize`,
    fix: "did you mean vmSizeId",
  },
  {
    name: "vm size not a size name",
    edits: [[`${SHC}.vmSizeId`, "D4ads_v5"]],
    key: `${SHC}.vmSizeId`,
    fix: "Standard_D4ads_v5",
    shows: '"D4ads_v5"',
  },
  {
    name: "two image sources",
    edits: [[`${SHC}.imageInfo.customInfo`, { resourceId: ids.galleryImage }]],
    key: `${SHC}.imageInfo`,
    fix: "exactly one of imageInfo.marketplaceInfo or imageInfo.customInfo",
  },
  {
    name: "no image source",
    edits: [[`${SHC}.imageInfo`, {}]],
    key: `${SHC}.imageInfo`,
    fix: "exactly one of",
  },
  {
    name: "custom image id of another resource type",
    edits: [[`${SHC}.imageInfo`, { customInfo: { resourceId: ids.nsg } }]],
    key: `${SHC}.imageInfo.customInfo.resourceId`,
    fix: "Microsoft.Compute/galleries",
    shows: "networkSecurityGroups",
  },
  {
    name: "marketplace sku missing",
    edits: [[`${SHC}.imageInfo.marketplaceInfo.sku`, undefined]],
    key: `${SHC}.imageInfo.marketplaceInfo.sku`,
    fix: "win11-24h2-avd-m365",
  },
  {
    name: "marketplace version malformed",
    edits: [[`${SHC}.imageInfo.marketplaceInfo.exactVersion`, "1.2"]],
    key: `${SHC}.imageInfo.marketplaceInfo.exactVersion`,
    fix: "use latest",
    shows: '"1.2"',
  },
  {
    name: "purchase plan without product",
    base: adConfig,
    edits: [[`${SHC}.purchasePlan.product`, undefined]],
    key: `${SHC}.purchasePlan.product`,
    fix: "az vm image show --query plan",
  },
  {
    name: "disk type Azure does not offer here",
    edits: [[`${SHC}.diskInfo.type`, "Premium_ZRS"]],
    key: `${SHC}.diskInfo.type`,
    fix: "Standard_LRS, StandardSSD_LRS or Premium_LRS",
    shows: "did you mean Premium_LRS",
  },
  {
    name: "disk size too large",
    edits: [[`${SHC}.diskInfo.sizeGb`, 8000]],
    key: `${SHC}.diskInfo.sizeGb`,
    fix: "30 to 4095",
    shows: "8000",
  },
  {
    name: "security type in wrong case",
    edits: [[`${SHC}.securityInfo.type`, "trustedlaunch"]],
    key: `${SHC}.securityInfo.type`,
    fix: "Standard, TrustedLaunch or ConfidentialVM",
    shows: "did you mean TrustedLaunch",
  },
  {
    name: "secure boot on a Standard VM",
    edits: [[`${SHC}.securityInfo`, { type: "Standard", secureBootEnabled: true }]],
    key: `${SHC}.securityInfo.secureBootEnabled`,
    fix: "set securityInfo.type: TrustedLaunch",
  },
  {
    name: "confidential VM without vTPM",
    base: adConfig,
    edits: [[`${SHC}.securityInfo.vTpmEnabled`, false]],
    key: `${SHC}.securityInfo.vTpmEnabled`,
    fix: "set vTpmEnabled: true",
  },
  {
    name: "confidential VM without secure boot",
    base: adConfig,
    edits: [[`${SHC}.securityInfo.secureBootEnabled`, false]],
    key: `${SHC}.securityInfo.secureBootEnabled`,
    fix: "set secureBootEnabled: true",
  },
  {
    name: "managed image with trusted launch",
    edits: [[`${SHC}.imageInfo`, { customInfo: { resourceId: ids.managedImage } }]],
    key: `${SHC}.imageInfo.customInfo.resourceId`,
    fix: "Azure Compute Gallery",
  },
  {
    name: "subnet id names a virtual network",
    edits: [[`${SHC}.networkInfo.subnetId`, ids.subnet.replace(/\/subnets\/hosts$/, "")]],
    key: `${SHC}.networkInfo.subnetId`,
    fix: "/subnets/<subnet>",
  },
  {
    name: "security group id names a subnet",
    edits: [[`${SHC}.networkInfo.securityGroupId`, ids.subnet]],
    key: `${SHC}.networkInfo.securityGroupId`,
    fix: "networkSecurityGroups/<nsg>",
  },
  {
    name: "accelerated networking not a boolean",
    edits: [[`${SHC}.networkInfo.acceleratedNetworking`, "yes"]],
    key: `${SHC}.networkInfo.acceleratedNetworking`,
    fix: "true or false",
    shows: '"yes"',
  },
  {
    name: "zone 4",
    edits: [[`${SHC}.availabilityZones`, ["1", "4"]]],
    key: `${SHC}.availabilityZones[1]`,
    fix: 'use zones "1", "2" and/or "3"',
    shows: '"4"',
  },
  {
    name: "repeated zone",
    edits: [[`${SHC}.availabilityZones`, ["1", 1]]],
    key: `${SHC}.availabilityZones[1]`,
    fix: "list each zone once",
  },
  {
    name: "zones not a list",
    edits: [[`${SHC}.availabilityZones`, "1,2,3"]],
    key: `${SHC}.availabilityZones`,
    fix: 'e.g. ["1", "2", "3"]',
  },
  {
    name: "join type unknown",
    edits: [[`${SHC}.domainInfo.joinType`, "AAD"]],
    key: `${SHC}.domainInfo.joinType`,
    fix: "AzureActiveDirectory (Entra ID join) or ActiveDirectory",
    shows: '"AAD"',
  },
  {
    name: "AD join without activeDirectoryInfo",
    edits: [[`${SHC}.domainInfo`, { joinType: "ActiveDirectory" }]],
    key: `${SHC}.domainInfo.activeDirectoryInfo`,
    fix: "needs activeDirectoryInfo with domainName and domainCredentials",
  },
  {
    name: "Entra join with activeDirectoryInfo",
    base: adConfig,
    edits: [[`${SHC}.domainInfo.joinType`, "AzureActiveDirectory"]],
    key: `${SHC}.domainInfo.activeDirectoryInfo`,
    fix: "remove activeDirectoryInfo",
    secret: DOMAIN_PASSWORD,
  },
  {
    name: "MDM provider not a GUID",
    edits: [[`${SHC}.domainInfo.azureActiveDirectoryInfo.mdmProviderGuid`, "intune"]],
    key: `${SHC}.domainInfo.azureActiveDirectoryInfo.mdmProviderGuid`,
    fix: "0000000a-0000-0000-c000-000000000000 (Microsoft Intune)",
    shows: '"intune"',
  },
  {
    name: "domain name single label",
    base: adConfig,
    edits: [[`${SHC}.domainInfo.activeDirectoryInfo.domainName`, "corp"]],
    key: `${SHC}.domainInfo.activeDirectoryInfo.domainName`,
    fix: "corp.contoso.com",
    shows: '"corp"',
  },
  {
    name: "OU path not a DN",
    base: adConfig,
    edits: [[`${SHC}.domainInfo.activeDirectoryInfo.ouPath`, "AVD/Hosts"]],
    key: `${SHC}.domainInfo.activeDirectoryInfo.ouPath`,
    fix: "OU=AVD,DC=corp,DC=contoso,DC=com",
    shows: '"AVD/Hosts"',
  },
  {
    name: "OU path in another domain",
    base: adConfig,
    edits: [[`${SHC}.domainInfo.activeDirectoryInfo.ouPath`, "OU=AVD,DC=fabrikam,DC=com"]],
    key: `${SHC}.domainInfo.activeDirectoryInfo.ouPath`,
    fix: "use an OU of corp.contoso.com",
  },
  {
    name: "join account with a space",
    base: adConfig,
    edits: [[`${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.username`, "join account"]],
    key: `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.username`,
    fix: "join@corp.contoso.com",
    secret: DOMAIN_PASSWORD,
  },
  {
    name: "join password missing",
    base: adConfig,
    edits: [[`${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.password`, undefined]],
    key: `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.password`,
    fix: "pulumi config set --secret --path avd-rollout:sessionHostConfiguration.domainInfo.activeDirectoryInfo.domainCredentials.password",
  },
  {
    name: "admin name reserved",
    edits: [[`${SHC}.vmAdminCredentials.username`, "Administrator"]],
    key: `${SHC}.vmAdminCredentials.username`,
    fix: "choose another name",
    shows: '"Administrator"',
    secret: ADMIN_PASSWORD,
  },
  {
    name: "admin name too long",
    edits: [[`${SHC}.vmAdminCredentials.username`, "avd-local-administrator"]],
    key: `${SHC}.vmAdminCredentials.username`,
    fix: "shorten it",
  },
  {
    name: "admin name with @",
    edits: [[`${SHC}.vmAdminCredentials.username`, "admin@corp"]],
    key: `${SHC}.vmAdminCredentials.username`,
    fix: "use letters, digits",
  },
  {
    name: "admin password too short",
    edits: [[`${SHC}.vmAdminCredentials.password`, "Sh0rt!pw"]],
    key: `${SHC}.vmAdminCredentials.password`,
    fix: "pulumi config set --secret --path avd-rollout:sessionHostConfiguration.vmAdminCredentials.password",
    secret: "Sh0rt!pw",
  },
  {
    name: "admin password too simple",
    edits: [[`${SHC}.vmAdminCredentials.password`, "onlylowercaseand1234"]],
    key: `${SHC}.vmAdminCredentials.password`,
    fix: "stronger password",
    secret: "onlylowercaseand1234",
  },
  {
    name: "admin password contains the username",
    edits: [[`${SHC}.vmAdminCredentials.password`, "Avdadmin-2026-Secure"]],
    key: `${SHC}.vmAdminCredentials.password`,
    fix: "another password",
    secret: "Avdadmin-2026-Secure",
  },
  {
    name: "admin password not a string",
    edits: [[`${SHC}.vmAdminCredentials.password`, 123456789012345]],
    key: `${SHC}.vmAdminCredentials.password`,
    fix: "pulumi config set --secret",
    secret: "123456789012345",
  },
  {
    name: "admin password still encrypted",
    edits: [[`${SHC}.vmAdminCredentials.password`, { secure: "v1:ZmFrZS1jaXBoZXJ0ZXh0" }]],
    key: `${SHC}.vmAdminCredentials.password`,
    fix: "read the configuration through Pulumi",
    secret: "v1:ZmFrZS1jaXBoZXJ0ZXh0",
  },
  {
    name: "credentials key misspelt",
    edits: [[`${SHC}.vmAdminCredentials.pasword`, ADMIN_PASSWORD]],
    key: `${SHC}.vmAdminCredentials.pasword`,
    fix: "did you mean password",
    secret: ADMIN_PASSWORD,
  },
  {
    name: "script URL over http",
    edits: [[`${SHC}.customConfigurationScriptUrl`, "http://example.com/configure.ps1"]],
    key: `${SHC}.customConfigurationScriptUrl`,
    fix: "use an https URL",
    shows: '"http://example.com/configure.ps1"',
  },
  {
    name: "agent package URL not a URL",
    edits: [[`${SHC}.agentPackageUrl`, "Configuration.zip"]],
    key: `${SHC}.agentPackageUrl`,
    fix: "use an https URL",
  },
  {
    name: "boot diagnostics storage not https",
    edits: [[`${SHC}.bootDiagnosticsInfo`, { enabled: true, storageUri: "ftp://x" }]],
    key: `${SHC}.bootDiagnosticsInfo.storageUri`,
    fix: "remove it for managed storage",
  },
  {
    name: "boot diagnostics without enabled",
    edits: [[`${SHC}.bootDiagnosticsInfo`, {}]],
    key: `${SHC}.bootDiagnosticsInfo.enabled`,
    fix: "set true or false",
  },
  {
    name: "DCR id names a workspace",
    edits: [
      [
        `${SHC}.monitoring.dataCollectionRuleId`,
        ids.dcr.replace("Microsoft.Insights/dataCollectionRules", "Microsoft.OperationalInsights/workspaces"),
      ],
    ],
    key: `${SHC}.monitoring.dataCollectionRuleId`,
    fix: "Microsoft.Insights/dataCollectionRules/<dcr>",
  },
  {
    name: "tag value too long",
    edits: [[`${SHC}.vmTags`, { note: longText(257) }]],
    key: `${SHC}.vmTags.note`,
    fix: "shorten it",
  },
  {
    name: "tag name reserved for the program",
    edits: [[`${SHC}.vmTags`, { "avd-rollout-revision": "x" }]],
    key: `${SHC}.vmTags.avd-rollout-revision`,
    fix: "rename the tag",
  },
  {
    name: "tag name with forbidden character",
    edits: [[`${SHC}.vmTags`, { "cost/center": "42" }]],
    key: `${SHC}.vmTags.cost/center`,
    fix: "rename the tag",
  },
  {
    name: "too many tags",
    edits: [[`${SHC}.vmTags`, manyTags]],
    key: `${SHC}.vmTags`,
    fix: "remove some tags",
  },
  {
    name: "tags differing only in case",
    edits: [[`${SHC}.vmTags`, { Owner: "a", owner: "b" }]],
    key: `${SHC}.vmTags.owner`,
    fix: "keep one of them",
  },
  {
    name: "credentials given as a bare string",
    edits: [[`${SHC}.vmAdminCredentials`, "Bare-String-Passw0rd!"]],
    key: `${SHC}.vmAdminCredentials`,
    fix: "set vmAdminCredentials with username and password",
    shows: "[secret]",
    secret: "Bare-String-Passw0rd!",
  },
  {
    name: "password under a misspelt key inside an object value",
    edits: [[`${SHC}.vmAdminCredentials`, ["avdadmin", { pwd: "Array-Held-Passw0rd!" }]]],
    key: `${SHC}.vmAdminCredentials`,
    fix: "set vmAdminCredentials with username and password",
    secret: "Array-Held-Passw0rd!",
  },
  // update
  {
    name: "batch size zero",
    edits: [["avd-rollout:update.maxVmsRemoved", 0]],
    key: "avd-rollout:update.maxVmsRemoved",
    fix: "a whole number >= 1",
    shows: "0",
  },
  {
    name: "log-off delay above a day",
    edits: [["avd-rollout:update.logOffDelayMinutes", 1441]],
    key: "avd-rollout:update.logOffDelayMinutes",
    fix: "0 to 1440",
    shows: "1441",
  },
  {
    name: "log-off delay negative",
    edits: [["avd-rollout:update.logOffDelayMinutes", -5]],
    key: "avd-rollout:update.logOffDelayMinutes",
    fix: "0 to 1440",
  },
  {
    name: "log-off message too long",
    edits: [["avd-rollout:update.logOffMessage", longText(261)]],
    key: "avd-rollout:update.logOffMessage",
    fix: "shorten the message",
  },
  {
    name: "deleteOriginalVm not a boolean",
    edits: [["avd-rollout:update.deleteOriginalVm", "yes"]],
    key: "avd-rollout:update.deleteOriginalVm",
    fix: "set true to delete the original VM",
    shows: '"yes"',
  },
  {
    name: "update key misspelt",
    edits: [["avd-rollout:update.maxVmRemoved", 2]],
    key: "avd-rollout:update.maxVmRemoved",
    fix: "did you mean maxVmsRemoved",
  },
  {
    name: "update key unrelated",
    edits: [["avd-rollout:update.batchSize", 2]],
    key: "avd-rollout:update.batchSize",
    fix: "allowed keys: maxVmsRemoved, logOffDelayMinutes, logOffMessage, deleteOriginalVm",
  },
];

function failure(raw: Raw): InputError {
  try {
    parseStackConfig(raw);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected parseStackConfig to throw an InputError");
}

function lineFor(message: string, key: string): string | undefined {
  return message.split("\n").find((line) => line.startsWith(`  - ${key}:`) || line.startsWith(`  - ${key} `));
}

describe("parseStackConfig rejects invalid configuration", () => {
  it("has a broad table", () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
  });

  it.each(cases)("$name", ({ base = entraConfig, edits, key, fix, shows, secret }) => {
    const raw = base();
    for (const [path, value] of edits) withValue(raw, path, value);
    const error = failure(raw);
    const line = lineFor(error.message, key);
    expect(line, `no line for ${key} in:\n${error.message}`).toBeDefined();
    expect(line).toContain("Fix: ");
    expect(line).toContain(fix);
    if (shows !== undefined) expect(line).toContain(shows);
    for (const hidden of [ADMIN_PASSWORD, DOMAIN_PASSWORD, ...(secret === undefined ? [] : [secret])]) {
      expect(error.message).not.toContain(hidden);
    }
    expect(error.message).toMatch(/nothing was changed/);
  });

  it("reports every problem at once, one line each", () => {
    const raw = entraConfig();
    withValue(raw, "azure-native:location", undefined);
    withValue(raw, "avd-rollout:sessionHosts.count", 0);
    withValue(raw, `${SHC}.diskInfo.type`, "Premium_ZRS");
    withValue(raw, `${SHC}.vmAdminCredentials.password`, "weak");
    withValue(raw, `${SHC}.imageInfo.customInfo`, { resourceId: ids.galleryImage });
    const lines = failure(raw)
      .message.split("\n")
      .filter((line) => line.startsWith("  - "));
    expect(lines.map((line) => line.slice(4).split(/[: ]/)[0])).toEqual(
      expect.arrayContaining(["azure-native", "avd-rollout"]),
    );
    for (const key of [
      "azure-native:location",
      "avd-rollout:sessionHosts.count",
      `${SHC}.diskInfo.type`,
      `${SHC}.vmAdminCredentials.password`,
      `${SHC}.imageInfo`,
    ]) {
      expect(lineFor(lines.map((line) => line).join("\n"), key), key).toBeDefined();
    }
    expect(lines).toHaveLength(5);
  });

  it("rejects something that is not a config map", () => {
    expect(() => parseStackConfig(null as unknown as Raw)).toThrow(InputError);
    expect(() => parseStackConfig([] as unknown as Raw)).toThrow(/keyed by full key name/);
  });
});
