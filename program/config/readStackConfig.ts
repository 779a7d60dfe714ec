/**
 * Reads the stack configuration inside the Pulumi runtime (the program `pulumi up` runs) and
 * parses it with {@link parseStackConfig}.
 *
 * Values are read plainly (`Config.get`), not with `getSecret*`: `pulumi config set --secret
 * --path avd-rollout:sessionHostConfiguration.vmAdminCredentials.password ...` makes the whole
 * top-level key secret, and `getSecretObject` would hand back an Output we cannot validate before
 * declaring resources. The parse wraps every password in a SecretValue, and the program passes it
 * on only through `pulumi.secret(...)`, so nothing leaks by reading plainly.
 */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, configKeys, type RawStackConfig } from "./keys";
import { parseStackConfig } from "./parseStackConfig";
import type { StackConfig } from "./types";

/** How to get a namespace's config; defaults to `new pulumi.Config(namespace)`. */
export type ConfigSource = (namespace: string) => Pick<pulumi.Config, "get">;

function splitKey(fullKey: string): [namespace: string, key: string] {
  const colon = fullKey.indexOf(":");
  return [fullKey.slice(0, colon), fullKey.slice(colon + 1)];
}

/**
 * Every `avd-rollout:*` key the stack sets, so a misspelt key is reported ("did you mean") rather
 * than silently ignored. `runtime.allConfig()` keys are full names (`avd-rollout:hostPool`).
 */
function namespaceKeys(): string[] {
  return Object.keys(pulumi.runtime.allConfig()).filter((key) => key.startsWith(`${CONFIG_NAMESPACE}:`));
}

export function readStackConfig(
  source: ConfigSource = (namespace) => new pulumi.Config(namespace),
): StackConfig {
  const keys = new Set<string>([...Object.values(configKeys), ...namespaceKeys()]);
  const raw: Record<string, unknown> = {};
  for (const fullKey of keys) {
    const [namespace, key] = splitKey(fullKey);
    // Structured values arrive as JSON text; parseStackConfig decodes them with key-naming errors.
    const value = source(namespace).get(key);
    if (value !== undefined) raw[fullKey] = value;
  }
  return parseStackConfig(raw as RawStackConfig);
}
