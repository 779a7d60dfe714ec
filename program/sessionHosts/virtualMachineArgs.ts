import type * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineArgs } from "@pulumi/azure-native/compute/virtualMachine";
import type * as inputs from "@pulumi/azure-native/types/input";
import type { SessionHostSettings } from "./settings";

/** What distinguishes one VM generation of one host. */
export interface VirtualMachineIdentity {
  /** The host name: the OS computer name. */
  host: string;
  /** Azure resource name of this generation. */
  vmName: string;
  osDiskName: string;
  nicId: pulumi.Input<string>;
}

function imageReferenceOf(settings: SessionHostSettings): inputs.compute.ImageReferenceArgs {
  const image = settings.image;
  if (image.kind === "marketplace") {
    return { publisher: image.publisher, offer: image.offer, sku: image.sku, version: image.version };
  }
  return { id: image.resourceId };
}

function securityProfileOf(settings: SessionHostSettings): VirtualMachineArgs["securityProfile"] {
  const security = settings.security;
  switch (security.type) {
    case "Standard":
      // No security profile: Azure's Standard security type (no UEFI settings).
      return undefined;
    case "TrustedLaunch":
      return {
        securityType: "TrustedLaunch",
        uefiSettings: { secureBootEnabled: security.secureBootEnabled, vTpmEnabled: security.vTpmEnabled },
      };
    case "ConfidentialVM":
      // A confidential VM needs the vTPM; its OS disk carries the matching security profile.
      return {
        securityType: "ConfidentialVM",
        uefiSettings: { secureBootEnabled: security.secureBootEnabled, vTpmEnabled: true },
      };
  }
}

function osDiskOf(settings: SessionHostSettings, osDiskName: string): inputs.compute.OSDiskArgs {
  const managedDisk: inputs.compute.ManagedDiskParametersArgs = {
    storageAccountType: settings.osDisk.type,
  };
  if (settings.security.type === "ConfidentialVM") {
    managedDisk.securityProfile = { securityEncryptionType: settings.security.securityEncryptionType };
  }
  const osDisk: inputs.compute.OSDiskArgs = {
    name: osDiskName,
    createOption: "FromImage",
    caching: "ReadWrite",
    // The driver deletes an original VM with its disk; Azure deletes it with the VM as well.
    deleteOption: "Delete",
    managedDisk,
  };
  if (settings.osDisk.sizeGb !== undefined) osDisk.diskSizeGB = settings.osDisk.sizeGb;
  return osDisk;
}

function bootDiagnosticsOf(settings: SessionHostSettings): inputs.compute.BootDiagnosticsArgs {
  const { enabled, storageUri } = settings.bootDiagnostics;
  return storageUri === undefined ? { enabled } : { enabled, storageUri };
}

/** Whether the VM needs a system-assigned identity (Entra join signs in with it, AMA reports with it). */
export function needsSystemIdentity(settings: SessionHostSettings): boolean {
  return settings.join.type === "AzureActiveDirectory" || settings.dataCollectionRuleId !== undefined;
}

/** The VM of one generation of one host. */
export function virtualMachineArgs(
  settings: SessionHostSettings,
  identity: VirtualMachineIdentity,
): VirtualMachineArgs {
  const args: VirtualMachineArgs = {
    resourceGroupName: settings.vmResourceGroupName,
    vmName: identity.vmName,
    hardwareProfile: { vmSize: settings.vmSize },
    storageProfile: {
      imageReference: imageReferenceOf(settings),
      osDisk: osDiskOf(settings, identity.osDiskName),
    },
    osProfile: {
      computerName: identity.host,
      adminUsername: settings.admin.username,
      adminPassword: settings.admin.password,
      windowsConfiguration: { provisionVMAgent: true, enableAutomaticUpdates: true },
    },
    networkProfile: { networkInterfaces: [{ id: identity.nicId, primary: true, deleteOption: "Delete" }] },
    diagnosticsProfile: { bootDiagnostics: bootDiagnosticsOf(settings) },
    // AVD's multi-session images run under the per-user AVD licence.
    licenseType: "Windows_Client",
    tags: settings.tags,
  };
  if (settings.location !== undefined) args.location = settings.location;
  const zone = settings.zoneOf(identity.host);
  if (zone !== undefined) args.zones = [zone];
  if (settings.purchasePlan !== undefined) {
    const { name, publisher, product, promotionCode } = settings.purchasePlan;
    args.plan =
      promotionCode === undefined
        ? { name, publisher, product }
        : { name, publisher, product, promotionCode };
  }
  const securityProfile = securityProfileOf(settings);
  if (securityProfile !== undefined) args.securityProfile = securityProfile;
  if (needsSystemIdentity(settings)) args.identity = { type: "SystemAssigned" };
  return args;
}
