/**
 * The typed stack configuration (SPEC.md §3) as the program and the driver see it: validated,
 * defaults applied, secrets wrapped in {@link SecretValue}. Produced only by `parseStackConfig`,
 * and deeply frozen, so a value of this type is always a valid configuration.
 *
 * Field names follow Azure's `sessionHostConfiguration` resource (api-version 2024-04-08-preview)
 * so AVD administrators recognise them.
 */
import type { SecretValue } from "./secret";

/** OS disk storage types Azure's sessionHostConfiguration accepts (DiskInfoProperties.type). */
export type DiskType = "Standard_LRS" | "StandardSSD_LRS" | "Premium_LRS";
export type SecurityType = "Standard" | "TrustedLaunch" | "ConfidentialVM";
export type AvailabilityZone = "1" | "2" | "3";
export type JoinType = "AzureActiveDirectory" | "ActiveDirectory";
/** What a `customInfo.resourceId` points at; the program picks the image reference shape from it. */
export type CustomImageKind = "galleryImage" | "galleryImageVersion" | "managedImage";

export interface HostPoolReference {
  readonly name: string;
  readonly resourceGroupName: string;
}

export interface SessionHostsConfig {
  /** Host names are `<vmNamePrefix>-0` .. `<vmNamePrefix>-<count-1>`. */
  readonly vmNamePrefix: string;
  readonly count: number;
  /** Resource group of the VMs, NICs and disks; defaults to the host pool's resource group. */
  readonly vmResourceGroup: string;
}

export interface MarketplaceImageInfo {
  readonly publisher: string;
  readonly offer: string;
  readonly sku: string;
  /** `latest` (default) or a pinned `major.minor.patch` version. */
  readonly exactVersion: string;
}

export interface CustomImageInfo {
  /** ARM id of a gallery image, a gallery image version or a managed image. */
  readonly resourceId: string;
  /** Which of the three the id names (derived from the id). */
  readonly kind: CustomImageKind;
}

/** Exactly one image source; `type` mirrors Azure's ImageInfoProperties.type. */
export type ImageInfo =
  | { readonly type: "Marketplace"; readonly marketplaceInfo: MarketplaceImageInfo }
  | { readonly type: "Custom"; readonly customInfo: CustomImageInfo };

export interface PurchasePlan {
  readonly name: string;
  readonly publisher: string;
  readonly product: string;
  readonly promotionCode?: string;
}

export interface DiskInfo {
  readonly type: DiskType;
  /** OS disk size; absent = the image's size. */
  readonly sizeGb?: number;
}

export interface SecurityInfo {
  readonly type: SecurityType;
  readonly secureBootEnabled: boolean;
  readonly vTpmEnabled: boolean;
}

export interface NetworkInfo {
  readonly subnetId: string;
  readonly securityGroupId?: string;
  readonly acceleratedNetworking: boolean;
}

/**
 * A credential kept in Azure Key Vault (Azure's `usernameKeyVaultSecretUri` /
 * `passwordKeyVaultSecretUri`): the program reads it at deployment time (program/secrets). Only
 * the URI is configuration; the configuration revision covers the URI, never the value.
 */
export interface KeyVaultSecretReference {
  readonly keyVaultSecretUri: string;
}

/**
 * A local admin or domain join account. Each part is given in the stack configuration (the
 * password as a Pulumi secret) or as a Key Vault secret URI. Once program/secrets has read Key
 * Vault, both parts are {@link SecretValue}s that remember their reference.
 */
export interface Credentials {
  readonly username: string | SecretValue | KeyVaultSecretReference;
  readonly password: SecretValue | KeyVaultSecretReference;
}

export interface AzureActiveDirectoryInfo {
  /** MDM provider to enroll in; `0000000a-0000-0000-c000-000000000000` is Microsoft Intune. */
  readonly mdmProviderGuid: string;
}

export interface ActiveDirectoryInfo {
  readonly domainName: string;
  readonly ouPath?: string;
  readonly domainCredentials: Credentials;
}

export type DomainInfo =
  | {
      readonly joinType: "AzureActiveDirectory";
      /** Present = enroll in the MDM (Intune) as part of the Entra join. */
      readonly azureActiveDirectoryInfo?: AzureActiveDirectoryInfo;
    }
  | { readonly joinType: "ActiveDirectory"; readonly activeDirectoryInfo: ActiveDirectoryInfo };

export interface BootDiagnosticsInfo {
  readonly enabled: boolean;
  /** Storage account blob endpoint; absent = managed boot diagnostics storage. */
  readonly storageUri?: string;
}

export interface MonitoringInfo {
  readonly dataCollectionRuleId: string;
}

export interface SessionHostConfiguration {
  /** Azure's label for a configuration version; informational, not part of the revision. */
  readonly friendlyName?: string;
  readonly vmSizeId: string;
  readonly imageInfo: ImageInfo;
  readonly purchasePlan?: PurchasePlan;
  readonly diskInfo: DiskInfo;
  readonly securityInfo: SecurityInfo;
  readonly networkInfo: NetworkInfo;
  /** Empty = no zones (regional VMs). Hosts spread round robin by index (`hostZone`). */
  readonly availabilityZones: readonly AvailabilityZone[];
  readonly domainInfo: DomainInfo;
  readonly vmAdminCredentials: Credentials;
  readonly customConfigurationScriptUrl?: string;
  readonly bootDiagnosticsInfo: BootDiagnosticsInfo;
  readonly monitoring?: MonitoringInfo;
  readonly agentPackageUrl?: string;
  readonly vmTags: Readonly<Record<string, string>>;
}

export interface UpdatePolicy {
  /** Batch size: the most hosts unavailable at once. */
  readonly maxVmsRemoved: number;
  readonly logOffDelayMinutes: number;
  readonly logOffMessage: string;
  /** false: keep the original VM deallocated; true: delete it with its NIC and OS disk. */
  readonly deleteOriginalVm: boolean;
}

export interface StackConfig {
  /** `azure-native:location`, normalised to Azure's programmatic form (`westeurope`). */
  readonly location: string;
  /** `azure-native:subscriptionId` when set. */
  readonly subscriptionId?: string;
  readonly hostPool: HostPoolReference;
  readonly sessionHosts: SessionHostsConfig;
  readonly sessionHostConfiguration: SessionHostConfiguration;
  readonly update: UpdatePolicy;
}
