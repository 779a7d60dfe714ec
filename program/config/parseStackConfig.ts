/**
 * `parseStackConfig`: the one way to get a {@link StackConfig}. Pure and runtime-agnostic: it
 * takes plain values keyed by full key name — what `pulumi.Config.getObject`, the Automation API's
 * `stack.getAllConfig()` (`{ value, secret }` pairs, objects as JSON text) or a parsed
 * `Pulumi.<stack>.yaml` `config:` block give — and returns the validated, defaulted, deeply
 * frozen model with passwords wrapped in {@link SecretValue}. On any problem it throws one
 * {@link InputError} listing every problem, one line each.
 */
import { InputError } from "../../automation/core/errors";
import { azureTopLevelMessage } from "./azureVocabulary";
import { formatIssues, formatPath } from "./formatIssues";
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

type Path = readonly PropertyKey[];

/** `{ secure: "<ciphertext>" }`: a Pulumi secret as the stack file stores it. */
function isEncrypted(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 1 && typeof value.secure === "string";
}

/** Stands in for an encrypted value that cannot be checked (offline validation). */
const ENCRYPTED = Object.freeze({});

/** Paths of the `{ secure: ... }` values in `value`, and `value` with each replaced by `replacement` when given. */
function findEncrypted(value: unknown, path: Path, replacement?: unknown): { value: unknown; paths: Path[] } {
  if (isEncrypted(value)) return { value: replacement ?? value, paths: [path] };
  if (Array.isArray(value)) {
    const found = value.map((inner, index) => findEncrypted(inner, [...path, index], replacement));
    return { value: found.map((entry) => entry.value), paths: found.flatMap((entry) => entry.paths) };
  }
  if (isPlainObject(value)) {
    const found = Object.entries(value).map(
      ([key, inner]) => [key, findEncrypted(inner, [...path, key], replacement)] as const,
    );
    return {
      value: Object.fromEntries(found.map(([key, entry]) => [key, entry.value])),
      paths: found.flatMap(([, entry]) => entry.paths),
    };
  }
  return { value, paths: [] };
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

/** What to do with `{ secure: ... }` values, which only Pulumi can decrypt. */
export type EncryptedValues =
  /** They are errors: the program must see decrypted values (the default). */
  | "refuse"
  /** They are secrets present but not checkable: checks of and under them are skipped (offline validation). */
  | "skip";

interface Normalised {
  readonly values: Record<string, unknown>;
  readonly problems: string[];
  /** Paths of the encrypted values left unchecked (mode "skip"). */
  readonly encrypted: Path[];
}

function unknownTopLevelKey(key: string): string {
  const azure = azureTopLevelMessage(key.slice(CONFIG_NAMESPACE.length + 1));
  if (azure !== undefined) return `${key}: ${azure}`;
  const guess = closestMatch(key, knownKeys);
  const ours = knownKeys.filter((k) => k.startsWith(CONFIG_NAMESPACE)).join(", ");
  return `${key}: unknown key. Fix: ${guess === undefined ? `remove it; the ${CONFIG_NAMESPACE} keys are ${ours}` : `did you mean ${guess}? Rename it`}`;
}

function normalise(raw: RawStackConfig, encryptedValues: EncryptedValues): Normalised {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  const encrypted: Path[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    let value = isConfigValue(entry) ? entry.value : entry;
    if (key.startsWith(`${CONFIG_NAMESPACE}:`) && !knownKeys.includes(key)) {
      problems.push(unknownTopLevelKey(key));
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
    const found = findEncrypted(value, [key], encryptedValues === "skip" ? ENCRYPTED : undefined);
    if (encryptedValues === "skip") {
      value = found.value;
      encrypted.push(...found.paths);
    } else {
      for (const path of found.paths) {
        problems.push(
          `${formatPath(path)}: is still encrypted ({ secure: ... }). Fix: read the configuration through Pulumi (pulumi config, Automation API getAllConfig) so secrets are decrypted`,
        );
      }
    }
    values[key] = value;
  }
  return { values, problems, encrypted };
}

const startsWith = (path: Path, prefix: Path): boolean =>
  prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);

export interface StackConfigCheck {
  /** One line per problem (`<key path>: <value> <problem>. Fix: <fix>`); empty when valid. */
  readonly problems: string[];
  /** The parsed configuration, when there is no problem and nothing was left unchecked. */
  readonly config: StackConfig | undefined;
  /** Key paths of the encrypted values that were not checked (`encryptedValues: "skip"`). */
  readonly unchecked: string[];
}

/**
 * Checks a configuration and reports every problem; {@link parseStackConfig} is this plus the
 * error. With `encryptedValues: "skip"` (offline validation of a stack file), `{ secure: ... }`
 * values count as present and everything at or under them is left unchecked.
 */
export function checkStackConfig(
  raw: RawStackConfig,
  options: { encryptedValues?: EncryptedValues } = {},
): StackConfigCheck {
  if (!isPlainObject(raw)) {
    return {
      problems: [
        "the configuration is not a mapping of full key names (avd-rollout:hostPool, ...) to values. Fix: see stacks/Pulumi.example.yaml",
      ],
      config: undefined,
      unchecked: [],
    };
  }
  const { values, problems, encrypted } = normalise(raw, options.encryptedValues ?? "refuse");
  const result = stackConfigSchema.safeParse(values);
  if (!result.success) {
    const checked = result.error.issues.filter(
      (issue) => !encrypted.some((path) => startsWith(issue.path, path)),
    );
    problems.push(...formatIssues(checked, values));
  }
  const complete = result.success && encrypted.length === 0;
  return {
    problems,
    config: problems.length === 0 && complete ? deepFreeze(result.data) : undefined,
    unchecked: encrypted.map(formatPath),
  };
}

/** Freezes `value` and everything reachable from it (a parsed configuration is immutable). */
export function deepFreeze<T>(value: T): T {
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
  const { problems, config } = checkStackConfig(raw);
  if (problems.length > 0 || config === undefined) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    throw new InputError(
      `Invalid stack configuration (${count}; nothing was changed):\n${problems.map((line) => `  - ${line}`).join("\n")}`,
    );
  }
  return config;
}
