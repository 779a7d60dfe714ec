/**
 * The configuration revision: a short, stable identifier of the session host configuration that
 * the program tags every VM with and the planner compares to find out-of-date hosts.
 *
 * What it covers: the `avd-rollout:sessionHostConfiguration` key (parsed, defaults applied, so an
 * omitted default and the explicit default are the same revision; `friendlyName`, a label, left
 * out; a Key Vault credential by its secret URI, not its value), plus where the VMs live —
 * `azure-native:location` and `sessionHosts.vmResourceGroup` — since moving them means new VMs,
 * exactly as Azure's sessionHostConfiguration carries `vmLocation` and `vmResourceGroup`. Not
 * covered: `count` and `vmNamePrefix` (they choose *which* hosts exist, not how a host is built)
 * and the `update` policy (how a rollout runs, not what it rolls out).
 *
 * How: canonical JSON (keys sorted, so YAML order does not matter) of those inputs, in which
 * each password is replaced by scrypt(password, salt) with the salt derived from the host pool's
 * identity and the key path; then SHA-256, first 16 hex digits. A password change changes the
 * revision; the revision reveals no secret: there is no unsalted hash of a password to look up,
 * each guess costs an scrypt evaluation for this pool and key path alone, and only 64 bits of a
 * hash over the whole configuration are published. Deterministic across machines: no random
 * salt, no machine state.
 */
import { createHash, scryptSync } from "node:crypto";
import { isSecretValue, type SecretValue } from "./secret";
import type { StackConfig } from "./types";

const SCHEME = "avd-rollout/configuration-revision/v1";
/**
 * scrypt cost: N=2^14, r=8, p=1 (16 MiB, the interactive-login parameters of the scrypt paper);
 * ~30-60 ms per secret on this machine, so one revision (at most two secrets) stays under ~100 ms
 * and is computed once per config object (memoized).
 */
const SCRYPT = { N: 2 ** 14, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;
const DERIVED_KEY_BYTES = 32;
const REVISION_HEX_DIGITS = 16;

export const REVISION_PATTERN = /^[0-9a-f]{16}$/;

type Canonical = null | boolean | number | string | Canonical[] | { [key: string]: Canonical };

function hostPoolIdentity(config: StackConfig): string {
  // Azure names are case-insensitive: `RG-AVD/HP-Prod` and `rg-avd/hp-prod` are the same pool.
  return `${config.hostPool.resourceGroupName}/${config.hostPool.name}`.toLowerCase();
}

function foldSecret(secret: SecretValue, poolIdentity: string, keyPath: string): string {
  const salt = createHash("sha256")
    .update(`${SCHEME}\u0000salt\u0000${poolIdentity}\u0000${keyPath}`)
    .digest();
  const derived = scryptSync(secret.reveal(), salt, DERIVED_KEY_BYTES, SCRYPT);
  return `scrypt:${derived.toString("hex")}`;
}

function canonicalise(value: unknown, keyPath: string, poolIdentity: string): Canonical | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && /\.password$/i.test(keyPath)) {
    // Only a SecretValue is folded through scrypt; a plain password would be hashed as text.
    throw new TypeError(`${keyPath} must be a SecretValue (parse the configuration with parseStackConfig)`);
  }
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`${keyPath}: cannot canonicalise ${value}`);
    return value;
  }
  // A secret read from Key Vault is identified by its reference, as the unresolved configuration
  // (which the driver parses) carries it: both sides compute the same revision.
  if (isSecretValue(value)) {
    return value.source === undefined
      ? foldSecret(value, poolIdentity, keyPath)
      : canonicalise(value.source, keyPath, poolIdentity);
  }
  if (Array.isArray(value)) {
    return value.map((inner, index) => canonicalise(inner, `${keyPath}[${index}]`, poolIdentity) ?? null);
  }
  if (typeof value === "object") {
    const result: { [key: string]: Canonical } = {};
    for (const key of Object.keys(value).sort()) {
      const inner = canonicalise((value as Record<string, unknown>)[key], `${keyPath}.${key}`, poolIdentity);
      if (inner !== undefined) result[key] = inner; // absent and undefined are the same configuration
    }
    return result;
  }
  throw new TypeError(`${keyPath}: cannot canonicalise a ${typeof value}`);
}

/** The session host configuration without `friendlyName`: a label, which rebuilds nothing. */
function howHostsAreBuilt(config: StackConfig): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(config.sessionHostConfiguration).filter(([key]) => key !== "friendlyName"),
  );
}

/**
 * The canonical text the revision hashes. Exposed for tests and diagnostics: it contains no
 * secret (passwords appear only as their salted scrypt keys).
 */
export function configurationRevisionInput(config: StackConfig): string {
  const poolIdentity = hostPoolIdentity(config);
  const inputs = {
    scheme: SCHEME,
    vmLocation: config.location,
    vmResourceGroup: config.sessionHosts.vmResourceGroup.toLowerCase(),
    sessionHostConfiguration: howHostsAreBuilt(config),
  };
  return JSON.stringify(canonicalise(inputs, "avd-rollout", poolIdentity));
}

// Parsed configs are deeply frozen, so a revision computed once per object stays right.
const memo = new WeakMap<StackConfig, string>();

/** 16 lower-case hex digits identifying the session host configuration (see the module comment). */
export function configurationRevision(config: StackConfig): string {
  const cached = memo.get(config);
  if (cached !== undefined) return cached;
  const revision = createHash("sha256")
    .update(configurationRevisionInput(config))
    .digest("hex")
    .slice(0, REVISION_HEX_DIGITS);
  if (Object.isFrozen(config)) memo.set(config, revision);
  return revision;
}
