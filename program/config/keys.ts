/** Full stack-config key names (SPEC.md §3). Error messages always name keys in this form. */

export const CONFIG_NAMESPACE = "avd-rollout";

export const configKeys = {
  location: "azure-native:location",
  subscriptionId: "azure-native:subscriptionId",
  hostPool: "avd-rollout:hostPool",
  sessionHosts: "avd-rollout:sessionHosts",
  sessionHostConfiguration: "avd-rollout:sessionHostConfiguration",
  update: "avd-rollout:update",
} as const;

export type ConfigKey = (typeof configKeys)[keyof typeof configKeys];

/** The raw input of `parseStackConfig`: values keyed by full key name. */
export type RawStackConfig = Readonly<Record<string, unknown>>;
