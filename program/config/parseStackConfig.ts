/**
 * `parseStackConfig`: the one way to get a {@link StackConfig}. Pure and runtime-agnostic: it
 * takes plain values keyed by full key name — what `pulumi.Config.getObject`, the Automation API's
 * `stack.getAllConfig()` (`{ value, secret }` pairs, objects as JSON text) or a parsed
 * `Pulumi.<stack>.yaml` `config:` block give — and returns the validated, defaulted, deeply
 * frozen model with passwords wrapped in {@link SecretValue}. On any problem it throws one
 * {@link InputError} listing every problem, one line each.
 */
import { InputError } from "../../automation/core/errors";
import { formatIssues } from "./formatIssues";
import { CONFIG_NAMESPACE, configKeys, type RawStackConfig } from "./keys";
import { stackConfigSchema } from "./schema";
import { isSecretValue } from "./secret";
import { closestMatch } from "./suggest";
import type { StackConfig } from "./types";

const objectKeys: readonly string[] = [
  configKeys.hostPool,
  configKeys.sessionHosts,
  configKeys.sessionHostConfiguration,
  configKeys.update,
];
const knownKeys: readonly string[] = Object.values(configKeys);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !isSecretValue(value);
}

/** The Automation API's `ConfigValue`: `{ value: string, secret?: boolean }`. */
function isConfigValue(value: unknown): value is { value: string; secret?: boolean } {
  return (
    isPlainObject(value) &&
    typeof value.value === "string" &&
    Object.keys(value).every((key) => key === "value" || key === "secret")
  );
}

/** Paths (relative to `value`) of `{ secure: ... }` ciphertext left in a raw YAML read. */
function encryptedPaths(value: unknown, path: string): string[] {
  if (isPlainObject(value)) {
    if (Object.keys(value).length === 1 && typeof value.secure === "string") return [path];
    return Object.entries(value).flatMap(([key, inner]) => encryptedPaths(inner, `${path}.${key}`));
  }
  if (Array.isArray(value))
    return value.flatMap((inner, index) => encryptedPaths(inner, `${path}[${index}]`));
  return [];
}

/**
 * YAML writes an empty key (`purchasePlan:`) as null; treat it as absent, so an optional key falls
 * back to its default and a required one is reported as missing rather than "not an object".
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, inner]) => inner !== null)
      .map(([key, inner]) => [key, withoutNulls(inner)]),
  );
}

interface Normalised {
  readonly values: Record<string, unknown>;
  readonly problems: string[];
}

function normalise(raw: RawStackConfig): Normalised {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    let value = isConfigValue(entry) ? entry.value : entry;
    if (key.startsWith(`${CONFIG_NAMESPACE}:`) && !knownKeys.includes(key)) {
      const guess = closestMatch(key, knownKeys);
      problems.push(
        `${key}: unknown key. Fix: ${guess === undefined ? `remove it; the ${CONFIG_NAMESPACE} keys are ${knownKeys.filter((k) => k.startsWith(CONFIG_NAMESPACE)).join(", ")}` : `did you mean ${guess}? Rename it`}`,
      );
      continue;
    }
    if (!knownKeys.includes(key)) continue; // other namespaces (azure-native:clientId, pulumi:tags, ...)
    if (objectKeys.includes(key) && typeof value === "string") {
      // Pulumi stores structured config as JSON text.
      try {
        value = JSON.parse(value);
      } catch {
        problems.push(
          `${key}: is text, not a structured value. Fix: write it as a YAML mapping in Pulumi.<stack>.yaml, or set its fields with pulumi config set --path ${key}.<field> <value>`,
        );
        continue;
      }
    }
    if (value === null || value === undefined) continue;
    value = withoutNulls(value);
    for (const path of encryptedPaths(value, key)) {
      problems.push(
        `${path}: is still encrypted ({ secure: ... }). Fix: read the configuration through Pulumi (pulumi config, Automation API getAllConfig) so secrets are decrypted`,
      );
    }
    values[key] = value;
  }
  return { values, problems };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export function parseStackConfig(raw: RawStackConfig): StackConfig {
  if (!isPlainObject(raw)) {
    throw new InputError(
      "Invalid stack configuration: expected the stack's config values keyed by full key name (avd-rollout:hostPool, ...). Nothing was changed.",
    );
  }
  const { values, problems } = normalise(raw);
  const result = stackConfigSchema.safeParse(values);
  if (!result.success) problems.push(...formatIssues(result.error.issues, values));
  if (problems.length > 0 || !result.success) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    throw new InputError(
      `Invalid stack configuration (${count}; nothing was changed):\n${problems.map((line) => `  - ${line}`).join("\n")}`,
    );
  }
  return deepFreeze(result.data);
}
