/**
 * Azure's own session host vocabulary (`sessionHostConfigurations` and `sessionHostManagements`,
 * api-version 2024-04-08-preview) where avd-rollout keeps a field elsewhere or has no use for it.
 * An administrator who writes Azure's field name where Azure has it is told the exact key path
 * avd-rollout expects, not just "unknown key". Fields that mean the same thing in the same place
 * (vmSizeId, imageInfo.type, friendlyName, the Key Vault credential URIs, ...) are accepted by the
 * schema itself; docs/configuration.md has the field-by-field table.
 */
import { configKeys } from "./keys";

export interface FieldHome {
  /** Where the field lives in avd-rollout: a full key path, or a CLI flag. */
  readonly home: string;
  /** `at` a key path, `as` a flag. */
  readonly kind?: "key" | "flag";
  /** Why it lives there (one clause). */
  readonly because: string;
  /** The fix, when "move it to <home>" is not it. */
  readonly fix?: string;
}

const sessionHosts = (key: string): string => `${configKeys.sessionHosts}.${key}`;
const update = (key: string): string => `${configKeys.update}.${key}`;
const shc = (key: string): string => `${configKeys.sessionHostConfiguration}.${key}`;

const WHICH_HOSTS = "which hosts exist (prefix, count, resource group) is kept apart from how each is built";
const UPDATE_POLICY =
  "the update policy is a key of its own, like Azure's sessionHostManagement update block";
const SCHEDULE = "a rollout is scheduled when it is started, not in the stack";
const HOW_BUILT = "how every host is built is the session host configuration";
const LOCATION: FieldHome = {
  home: configKeys.location,
  because: "the session hosts are created in the stack's Azure location",
  fix: `remove it and set the region with pulumi config set ${configKeys.location} <region>`,
};

/** Field names (as Azure spells them, plus obvious neighbours) and where avd-rollout keeps them. */
const FIELD_HOMES: Readonly<Record<string, FieldHome>> = {
  vmNamePrefix: { home: sessionHosts("vmNamePrefix"), because: WHICH_HOSTS },
  vmResourceGroup: { home: sessionHosts("vmResourceGroup"), because: WHICH_HOSTS },
  count: { home: sessionHosts("count"), because: WHICH_HOSTS },
  instanceCount: { home: sessionHosts("count"), because: WHICH_HOSTS },
  vmLocation: LOCATION,
  location: LOCATION,
  maxVmsRemoved: { home: update("maxVmsRemoved"), because: UPDATE_POLICY },
  logOffDelayMinutes: { home: update("logOffDelayMinutes"), because: UPDATE_POLICY },
  logOffMessage: { home: update("logOffMessage"), because: UPDATE_POLICY },
  deleteOriginalVm: { home: update("deleteOriginalVm"), because: UPDATE_POLICY },
  update: {
    home: configKeys.update,
    because: UPDATE_POLICY,
    fix: `move its fields (maxVmsRemoved, logOffDelayMinutes, logOffMessage, deleteOriginalVm) to ${configKeys.update}`,
  },
  scheduledDateTimeZone: {
    home: "avd-rollout start --time-zone",
    kind: "flag",
    because: SCHEDULE,
    fix: "remove it and schedule the rollout with avd-rollout start --at <time> --time-zone <zone> (IANA or Windows time zone names)",
  },
  scheduledDateTime: {
    home: "avd-rollout start --at",
    kind: "flag",
    because: SCHEDULE,
    fix: "remove it and schedule the rollout with avd-rollout start --at <time> [--time-zone <zone>]",
  },
  hostPoolName: {
    home: `${configKeys.hostPool}.name`,
    because: "the existing host pool is named in its own key",
  },
  vmSizeId: { home: shc("vmSizeId"), because: HOW_BUILT },
  imageInfo: { home: shc("imageInfo"), because: HOW_BUILT },
  vmAdminCredentials: {
    home: shc("vmAdminCredentials"),
    because: HOW_BUILT,
  },
  domainInfo: {
    home: shc("domainInfo"),
    because: HOW_BUILT,
  },
  networkInfo: {
    home: shc("networkInfo"),
    because: HOW_BUILT,
  },
  vmTags: { home: shc("vmTags"), because: HOW_BUILT },
};

/** Fields Azure sets itself on the sessionHostConfiguration resource (read-only there). */
const READ_ONLY_FIELDS: readonly string[] = ["version", "provisioningState", "systemData"];

/**
 * What to tell a user who wrote `key` where it is not allowed, when `key` is Azure vocabulary:
 * `<problem>. Fix: <fix>` (the formatter prefixes the key path), or undefined for other keys.
 */
export function azureFieldMessage(written: string, where: string): string | undefined {
  // Case is forgiven (`VMNamePrefix`): the point is to name the right place.
  const key =
    Object.keys(FIELD_HOMES).find((name) => name.toLowerCase() === written.toLowerCase()) ?? written;
  const home = FIELD_HOMES[key];
  if (home !== undefined) {
    // Right place, wrong spelling (`Count` under sessionHosts): "did you mean" says it better.
    if (home.home === where || home.home === `${where}.${key}`) return undefined;
    const fix = home.fix ?? `move it to ${home.home}`;
    const place = home.kind === "flag" ? `as the flag ${home.home}` : `at ${home.home}`;
    return `is Azure's ${key}; avd-rollout has it ${place} — ${home.because}. Fix: ${fix}`;
  }
  if (READ_ONLY_FIELDS.includes(key)) {
    return (
      `is set by Azure itself (read-only in the sessionHostConfiguration resource); avd-rollout identifies a ` +
      `configuration by its revision. Fix: remove it`
    );
  }
  if (key === "properties") {
    return `is the ARM resource envelope. Fix: write the fields of properties directly under ${where}`;
  }
  return undefined;
}

/**
 * An unknown top-level `avd-rollout:<key>`: Azure's resource names, or a field written as a key
 * of its own (`avd-rollout:vmLocation`).
 */
export function azureTopLevelMessage(key: string): string | undefined {
  if (key === "sessionHostManagement" || key === "sessionHostManagements") {
    return (
      `is Azure's sessionHostManagement resource: avd-rollout keeps its update block at ${configKeys.update} ` +
      `and schedules with avd-rollout start --at/--time-zone. Fix: move the fields of update to ${configKeys.update}`
    );
  }
  if (key === "sessionHostConfigurations") {
    return `is Azure's resource type name. Fix: rename it to ${configKeys.sessionHostConfiguration}`;
  }
  return azureFieldMessage(key, "avd-rollout");
}
