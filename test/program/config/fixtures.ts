/**
 * Raw stack configurations (what Pulumi hands the program, keyed by full key name) for the config
 * tests. Each call returns a fresh deep copy, so a test may mutate it.
 */
import { isSecretValue } from "../../../program/config";

export const ADMIN_PASSWORD = "Adm1n-Pa55word-Zx9!";
export const DOMAIN_PASSWORD = "J0in-Dom4in-Secret#77";
export const SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
export const INTUNE = "0000000a-0000-0000-c000-000000000000";

const rg = `/subscriptions/${SUBSCRIPTION}/resourceGroups`;
export const ids = {
  subnet: `${rg}/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-avd/subnets/hosts`,
  nsg: `${rg}/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg-hosts`,
  dcr: `${rg}/rg-mon/providers/Microsoft.Insights/dataCollectionRules/dcr-avd`,
  galleryImage: `${rg}/rg-img/providers/Microsoft.Compute/galleries/gal/images/win11-avd`,
  galleryImageVersion: `${rg}/rg-img/providers/Microsoft.Compute/galleries/gal/images/win11-avd/versions/1.2.3`,
  managedImage: `${rg}/rg-img/providers/Microsoft.Compute/images/win11-avd-managed`,
};

export type Raw = Record<string, unknown>;

/** Entra ID join with Intune, marketplace image, trusted launch: the common modern setup. */
export function entraConfig(): Raw {
  return structuredClone({
    "azure-native:location": "westeurope",
    "avd-rollout:hostPool": { name: "hp-prod", resourceGroupName: "rg-avd" },
    "avd-rollout:sessionHosts": { vmNamePrefix: "avdprod", count: 10 },
    "avd-rollout:sessionHostConfiguration": {
      vmSizeId: "Standard_D4ads_v5",
      imageInfo: {
        marketplaceInfo: {
          publisher: "MicrosoftWindowsDesktop",
          offer: "office-365",
          sku: "win11-24h2-avd-m365",
          exactVersion: "latest",
        },
      },
      diskInfo: { type: "Premium_LRS", sizeGb: 128 },
      securityInfo: { type: "TrustedLaunch", secureBootEnabled: true, vTpmEnabled: true },
      networkInfo: { subnetId: ids.subnet },
      domainInfo: { joinType: "AzureActiveDirectory", azureActiveDirectoryInfo: { mdmProviderGuid: INTUNE } },
      vmAdminCredentials: { username: "avdadmin", password: ADMIN_PASSWORD },
    },
  });
}

/** Active Directory join, gallery image version, every optional key set. */
export function adConfig(): Raw {
  return structuredClone({
    "azure-native:location": "westeurope",
    "azure-native:subscriptionId": SUBSCRIPTION,
    "avd-rollout:hostPool": { name: "hp-corp", resourceGroupName: "rg-avd" },
    "avd-rollout:sessionHosts": { vmNamePrefix: "avdcorp", count: 24, vmResourceGroup: "rg-avd-hosts" },
    "avd-rollout:sessionHostConfiguration": {
      vmSizeId: "Standard_DC8ads_v5",
      imageInfo: { customInfo: { resourceId: ids.galleryImageVersion } },
      purchasePlan: { name: "plan", publisher: "vendor", product: "product" },
      diskInfo: { type: "StandardSSD_LRS", sizeGb: 256 },
      securityInfo: { type: "ConfidentialVM", secureBootEnabled: true, vTpmEnabled: true },
      networkInfo: { subnetId: ids.subnet, securityGroupId: ids.nsg, acceleratedNetworking: true },
      availabilityZones: ["1", "2", "3"],
      domainInfo: {
        joinType: "ActiveDirectory",
        activeDirectoryInfo: {
          domainName: "corp.contoso.com",
          ouPath: "OU=AVD,OU=Hosts,DC=corp,DC=contoso,DC=com",
          domainCredentials: { username: "join@corp.contoso.com", password: DOMAIN_PASSWORD },
        },
      },
      vmAdminCredentials: { username: "avdadmin", password: ADMIN_PASSWORD },
      customConfigurationScriptUrl: "https://stavd.blob.core.windows.net/scripts/configure.ps1",
      bootDiagnosticsInfo: { enabled: true },
      monitoring: { dataCollectionRuleId: ids.dcr },
      agentPackageUrl: "https://stavd.blob.core.windows.net/avd/Configuration.zip",
      vmTags: { costCenter: "42", owner: "euc-team" },
    },
    "avd-rollout:update": {
      maxVmsRemoved: 3,
      logOffDelayMinutes: 45,
      logOffMessage: "Maintenance: please save your work and sign out.",
      deleteOriginalVm: true,
    },
  });
}

type Container = Record<string, unknown> | unknown[];

/**
 * Sets (or, for `undefined`, deletes) the value at a dotted path whose first segment is the full
 * key: `with(raw, "avd-rollout:sessionHostConfiguration.diskInfo.type", "Premium_ZRS")`.
 * Missing intermediate objects are created. Returns `raw` for chaining.
 */
export function withValue(raw: Raw, path: string, value: unknown): Raw {
  const segments = path.split(".");
  let container: Container = raw;
  for (const segment of segments.slice(0, -1)) {
    const next = (container as Record<string, unknown>)[segment];
    if (typeof next !== "object" || next === null) {
      const created: Container = {};
      (container as Record<string, unknown>)[segment] = created;
      container = created;
    } else {
      container = next as Container;
    }
  }
  const last = segments[segments.length - 1]!;
  if (value === undefined) delete (container as Record<string, unknown>)[last];
  else (container as Record<string, unknown>)[last] = value;
  return raw;
}

/** The plain value of a parsed credential part that must be a secret given in the configuration. */
export function revealed(value: unknown): string {
  if (!isSecretValue(value)) throw new Error(`expected a SecretValue, got ${JSON.stringify(value)}`);
  return value.reveal();
}
