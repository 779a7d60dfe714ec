/**
 * Resolves the parsed stack configuration (program/config) into the builders' settings:
 * defaults applied, tags computed, credentials handed to Pulumi as secrets (credentialInputs).
 */
import { directoryIdentity, hostIndex, hostZone, type StackConfig } from "../config";
import { credentialInputs } from "../secrets";
import {
  defaultAgentPackageUrl,
  type DirectoryJoin,
  type ImageSource,
  type SecuritySettings,
} from "./settings";
import type { SessionHostSettings } from "./settings";
import { hostTags } from "./tags";

function imageSourceOf(config: StackConfig): ImageSource {
  const image = config.sessionHostConfiguration.imageInfo;
  if (image.type === "Marketplace") {
    const { publisher, offer, sku, exactVersion } = image.marketplaceInfo;
    return { kind: "marketplace", publisher, offer, sku, version: exactVersion };
  }
  // Gallery image (latest version), gallery image version and managed image are all referenced by id.
  return { kind: "resourceId", resourceId: image.customInfo.resourceId };
}

function securityOf(config: StackConfig): SecuritySettings {
  const security = config.sessionHostConfiguration.securityInfo;
  switch (security.type) {
    case "Standard":
      return { type: "Standard" };
    case "TrustedLaunch":
      return {
        type: "TrustedLaunch",
        secureBootEnabled: security.secureBootEnabled,
        vTpmEnabled: security.vTpmEnabled,
      };
    case "ConfidentialVM":
      // Azure's sessionHostConfiguration has no disk encryption choice: VM guest state only,
      // which needs no disk encryption set.
      return {
        type: "ConfidentialVM",
        secureBootEnabled: security.secureBootEnabled,
        securityEncryptionType: "VMGuestStateOnly",
      };
  }
}

function joinOf(config: StackConfig): DirectoryJoin {
  const domain = config.sessionHostConfiguration.domainInfo;
  if (domain.joinType === "AzureActiveDirectory") {
    return {
      type: "AzureActiveDirectory",
      mdmProviderGuid: domain.azureActiveDirectoryInfo?.mdmProviderGuid,
    };
  }
  const ad = domain.activeDirectoryInfo;
  return {
    type: "ActiveDirectory",
    domainName: ad.domainName,
    ouPath: ad.ouPath,
    ...credentialInputs(
      ad.domainCredentials,
      "sessionHostConfiguration.domainInfo.activeDirectoryInfo.domainCredentials",
    ),
  };
}

export function settingsFromStackConfig(config: StackConfig, revision: string): SessionHostSettings {
  const shc = config.sessionHostConfiguration;
  return {
    hostPoolName: config.hostPool.name,
    hostPoolResourceGroupName: config.hostPool.resourceGroupName,
    vmResourceGroupName: config.sessionHosts.vmResourceGroup,
    location: config.location,
    vmSize: shc.vmSizeId,
    image: imageSourceOf(config),
    purchasePlan: shc.purchasePlan,
    osDisk: { type: shc.diskInfo.type, sizeGb: shc.diskInfo.sizeGb },
    security: securityOf(config),
    network: {
      subnetId: shc.networkInfo.subnetId,
      securityGroupId: shc.networkInfo.securityGroupId,
      acceleratedNetworking: shc.networkInfo.acceleratedNetworking,
    },
    join: joinOf(config),
    admin: credentialInputs(shc.vmAdminCredentials, "sessionHostConfiguration.vmAdminCredentials"),
    customConfigurationScriptUrl: shc.customConfigurationScriptUrl,
    bootDiagnostics: {
      enabled: shc.bootDiagnosticsInfo.enabled,
      storageUri: shc.bootDiagnosticsInfo.storageUri,
    },
    dataCollectionRuleId: shc.monitoring?.dataCollectionRuleId,
    agentPackageUrl: shc.agentPackageUrl ?? defaultAgentPackageUrl,
    tags: hostTags(shc.vmTags, revision, directoryIdentity(config)),
    zoneOf(host) {
      const index = hostIndex(config, host);
      if (index === undefined)
        throw new Error(`internal: ${host} is not a host of ${config.sessionHosts.vmNamePrefix}`);
      return hostZone(config, index);
    },
  };
}
