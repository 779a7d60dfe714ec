/** Resolved builder settings exercising every optional branch, for tests below the config layer. */
import * as pulumi from "@pulumi/pulumi";
import type { SessionHostSettings } from "../../program/sessionHosts/settings";

export const ADMIN_PASSWORD = "Adm1n-P@ssw0rd-fixture";
export const DOMAIN_PASSWORD = "D0main-J0in-P@ss-fixture";

export function fullSettings(overrides: Partial<SessionHostSettings> = {}): SessionHostSettings {
  return {
    hostPoolName: "hp-prod",
    hostPoolResourceGroupName: "rg-avd",
    vmResourceGroupName: "rg-avd-hosts",
    location: "westeurope",
    vmSize: "Standard_D4ads_v5",
    image: {
      kind: "marketplace",
      publisher: "MicrosoftWindowsDesktop",
      offer: "office-365",
      sku: "win11-24h2-avd-m365",
      version: "latest",
    },
    purchasePlan: { name: "plan", publisher: "pub", product: "prod" },
    osDisk: { type: "Premium_LRS", sizeGb: 128 },
    security: { type: "TrustedLaunch", secureBootEnabled: true, vTpmEnabled: true },
    network: {
      subnetId:
        "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/v/subnets/hosts",
      securityGroupId:
        "/subscriptions/s/resourceGroups/rg-net/providers/Microsoft.Network/networkSecurityGroups/nsg",
      acceleratedNetworking: true,
    },
    join: {
      type: "ActiveDirectory",
      domainName: "corp.contoso.com",
      ouPath: "OU=AVD,DC=corp,DC=contoso,DC=com",
      username: "join@corp.contoso.com",
      password: pulumi.secret(DOMAIN_PASSWORD),
    },
    admin: { username: "avdadmin", password: pulumi.secret(ADMIN_PASSWORD) },
    customConfigurationScriptUrl:
      "https://example.blob.core.windows.net/scripts/configure.ps1?sv=2024&sig=abc",
    bootDiagnostics: { enabled: true, storageUri: undefined },
    dataCollectionRuleId:
      "/subscriptions/s/resourceGroups/rg-mon/providers/Microsoft.Insights/dataCollectionRules/avd",
    agentPackageUrl: "https://example.blob.core.windows.net/agent/Configuration.zip",
    tags: { costCenter: "42", "avd-rollout-revision": "rev-fixture" },
    zoneOf: (host) => ["1", "2", "3"][Number(host.slice(host.lastIndexOf("-") + 1)) % 3],
    ...overrides,
  };
}
