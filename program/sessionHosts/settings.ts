/**
 * What the resource builders need to know about the session host configuration: a narrow,
 * resolved view of the stack configuration (defaults applied, tags computed), so the builders
 * stay independent of how the configuration is parsed.
 */
import type * as pulumi from "@pulumi/pulumi";

export type ImageSource =
  | { kind: "marketplace"; publisher: string; offer: string; sku: string; version: string }
  /** Gallery image, gallery image version or managed image: all referenced by ARM id. */
  | { kind: "resourceId"; resourceId: string };

export type SecuritySettings =
  | { type: "Standard" }
  | { type: "TrustedLaunch"; secureBootEnabled: boolean; vTpmEnabled: boolean }
  | {
      type: "ConfidentialVM";
      secureBootEnabled: boolean;
      /** The OS disk encryption a confidential VM needs (`VMGuestStateOnly` unless configured). */
      securityEncryptionType: "VMGuestStateOnly" | "DiskWithVMGuestState";
    };

export type DirectoryJoin =
  | { type: "AzureActiveDirectory"; mdmProviderGuid: string | undefined }
  | {
      type: "ActiveDirectory";
      domainName: string;
      ouPath: string | undefined;
      /** A secret when it came from Key Vault. */
      username: pulumi.Input<string>;
      password: pulumi.Output<string>;
    };

export interface SessionHostSettings {
  hostPoolName: string;
  hostPoolResourceGroupName: string;
  /** Resource group of the VMs, NICs and disks. */
  vmResourceGroupName: string;
  /** Azure region; undefined = the provider's `azure-native:location`. */
  location: string | undefined;
  vmSize: string;
  image: ImageSource;
  purchasePlan: { name: string; publisher: string; product: string; promotionCode?: string } | undefined;
  osDisk: { type: string; sizeGb: number | undefined };
  security: SecuritySettings;
  network: { subnetId: string; securityGroupId: string | undefined; acceleratedNetworking: boolean };
  join: DirectoryJoin;
  admin: { username: pulumi.Input<string>; password: pulumi.Output<string> };
  customConfigurationScriptUrl: string | undefined;
  /** Boot diagnostics; no storageUri = managed storage. */
  bootDiagnostics: { enabled: boolean; storageUri: string | undefined };
  dataCollectionRuleId: string | undefined;
  agentPackageUrl: string;
  /** Tags of every host resource: vmTags, the configuration revision and the directory identity. */
  tags: Record<string, string>;
  /** Availability zone of a host, or undefined when no zones are configured. */
  zoneOf(host: string): string | undefined;
}

/**
 * The AVD agent DSC package Azure's own host pool templates use (public cloud). Sovereign clouds
 * host it elsewhere: set `agentPackageUrl` there.
 */
export const defaultAgentPackageUrl =
  "https://wvdportalstorageblob.blob.core.windows.net/galleryartifacts/Configuration_1.0.03266.1110.zip";
