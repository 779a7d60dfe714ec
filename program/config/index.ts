/**
 * Public API of the stack configuration (SPEC.md §3). Runtime-agnostic: nothing here imports
 * @pulumi/pulumi. The Pulumi program reads its configuration with `readStackConfig` from
 * `./readStackConfig` (kept out of this index so the driver and the simulation stay Pulumi-free).
 */
export type {
  ActiveDirectoryInfo,
  AvailabilityZone,
  AzureActiveDirectoryInfo,
  BootDiagnosticsInfo,
  Credentials,
  CustomImageInfo,
  CustomImageKind,
  DiskInfo,
  DiskType,
  DomainInfo,
  HostPoolReference,
  ImageInfo,
  JoinType,
  KeyVaultSecretReference,
  MarketplaceImageInfo,
  MonitoringInfo,
  NetworkInfo,
  PurchasePlan,
  SecurityInfo,
  SecurityType,
  SessionHostConfiguration,
  SessionHostsConfig,
  StackConfig,
  UpdatePolicy,
} from "./types";
export { SecretValue, isSecretValue } from "./secret";
export { configKeys, CONFIG_NAMESPACE, type RawStackConfig } from "./keys";
export {
  DEFAULT_UPDATE_POLICY,
  INTUNE_MDM_PROVIDER_GUID,
  SESSION_HOST_COUNT_MAX,
  VM_NAME_PREFIX_MAX,
} from "./limits";
export { checkStackConfig, parseStackConfig, type StackConfigCheck } from "./parseStackConfig";
export { keyVaultSecretAddress, keyVaultSecretUriProblem, type KeyVaultSecretAddress } from "./keyVaultUri";
export { configurationRevision, configurationRevisionInput, REVISION_PATTERN } from "./revision";
export { desiredHostNames, hostIndex, hostName, hostZone } from "./hosts";
export { assertSameDirectory, directoryIdentity } from "./directory";
