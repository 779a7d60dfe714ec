/**
 * Limits and defaults of the stack configuration, with where each comes from. docs/configuration.md
 * is the user-facing copy of this table.
 */

/** Azure sessionHostConfiguration.vmNamePrefix maxLength. */
export const VM_NAME_PREFIX_MAX = 11;
/** NetBIOS / Windows computer-name limit; the host name `<prefix>-<index>` is the computer name. */
export const COMPUTER_NAME_MAX = 15;
/**
 * Upper bound of sessionHosts.count. 1,000 hosts is the scale the program and the rollout are
 * benchmarked and rehearsed at (bench/RESULTS.md), and keeps indexes at three digits so an
 * 11-character prefix still fits the 15-character computer name. Larger pools: split them.
 */
export const SESSION_HOST_COUNT_MAX = 1000;

/** Azure managed OS disk size range (GiB). 30 GiB is the smallest Windows (`smalldisk`) image. */
export const OS_DISK_SIZE_GB_MIN = 30;
export const OS_DISK_SIZE_GB_MAX = 4095;

/** Windows VM admin username length (Azure compute osProfile.adminUsername). */
export const ADMIN_USERNAME_MAX = 20;
/** Windows VM admin password length (Azure compute osProfile.adminPassword). */
export const ADMIN_PASSWORD_MIN = 12;
export const ADMIN_PASSWORD_MAX = 123;

/** Azure tag limits: 50 tags per resource, name <= 512, value <= 256 characters. */
export const AZURE_TAGS_MAX = 50;
/** Tags the program itself puts on every VM (revision, directory, host, ...); user tags share the 50. */
export const RESERVED_TAG_COUNT = 5;
export const VM_TAGS_MAX = AZURE_TAGS_MAX - RESERVED_TAG_COUNT;
export const TAG_NAME_MAX = 512;
export const TAG_VALUE_MAX = 256;
/** Tag names with this prefix (case-insensitive) belong to the program. */
export const RESERVED_TAG_PREFIX = "avd-rollout";

/** SPEC.md §3: 0..1440 (Azure's own service caps it at 60). */
export const LOG_OFF_DELAY_MINUTES_MAX = 1440;
/** Azure SessionHostConfigurationProperties.friendlyName maxLength. */
export const FRIENDLY_NAME_MAX = 260;
/** Azure HostPoolUpdateConfigurationProperties.logOffMessage maxLength. */
export const LOG_OFF_MESSAGE_MAX = 260;

export const DEFAULT_UPDATE_POLICY = {
  maxVmsRemoved: 1,
  logOffDelayMinutes: 30,
  logOffMessage: "This desktop is being updated. Save your work and sign out; sign in again to continue.",
  deleteOriginalVm: false,
} as const;

export const DEFAULT_DISK_TYPE = "StandardSSD_LRS";
export const DEFAULT_MARKETPLACE_VERSION = "latest";
/** Microsoft Intune's MDM provider id (AADLoginForWindows `mdmId`). */
export const INTUNE_MDM_PROVIDER_GUID = "0000000a-0000-0000-c000-000000000000";
