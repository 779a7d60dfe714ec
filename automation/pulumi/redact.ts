/**
 * Secret redaction for anything the Pulumi CLI prints that may reach an error message, a log
 * line or an event. The CLI already masks values it knows are secret as `[secret]`, but its
 * stderr can carry provider messages that echo request bodies; a second pass here makes sure
 * no configured secret value and no well-known credential shape leaves this process.
 */
import type { ConfigMap } from "@pulumi/pulumi/automation";

export const REDACTED = "[secret]";

/** Leaf names that hold credentials inside a structured secret config value. */
const SECRET_LEAF_NAME = /pass(word)?|secret|token|key$/i;

/** Values shorter than this are not redacted by value: "1" or "no" would shred every message. */
const MIN_SECRET_LENGTH = 4;

/**
 * The plaintext secret values of a stack's configuration (`stack.getAllConfig()` runs with
 * `--show-secrets`). A secret scalar is secret as a whole; a structured value made secret by a
 * `--secret --path` leaf is secret as a whole too in the CLI's eyes, so its credential-named
 * leaves are collected (its other leaves, such as a VM size, are not sensitive).
 */
export function secretValuesOfConfig(config: ConfigMap): string[] {
  const values = new Set<string>();
  for (const entry of Object.values(config)) {
    if (!entry.secret) continue;
    const parsed = parseJsonObject(entry.value);
    if (parsed === undefined) {
      values.add(entry.value);
    } else {
      collectCredentialLeaves(parsed, false, values);
    }
  }
  return [...values].filter((value) => value.length >= MIN_SECRET_LENGTH);
}

function parseJsonObject(text: string): unknown {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{") && !trimmed.startsWith("[")) return undefined;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return undefined;
  }
}

function collectCredentialLeaves(value: unknown, underSecretName: boolean, into: Set<string>): void {
  if (typeof value === "string") {
    if (underSecretName) into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collectCredentialLeaves(item, underSecretName, into);
    return;
  }
  if (value !== null && typeof value === "object") {
    for (const [name, child] of Object.entries(value)) {
      // Only the leaf's own name counts: `vmAdminCredentials.username` is not a secret.
      collectCredentialLeaves(child, SECRET_LEAF_NAME.test(name), into);
    }
  }
}

/** Credential shapes that are redacted whatever their value. */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  // Authorization headers and bearer tokens.
  /(bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi,
  // SAS signatures in URLs.
  /([?&]sig=)[^&\s"']+/gi,
  // key=value / "key": "value" pairs whose key names a credential.
  /((?:password|passwd|pwd|secret|client_secret|token|registrationToken|accountKey|access_token)["']?\s*[:=]\s*["']?)[^"'\s,;}&]+/gi,
  // AVD registration tokens are JWTs.
  /()eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g,
];

/** Replaces every known secret value and every credential-shaped substring with `[secret]`. */
export function redactSecrets(text: string, secretValues: readonly string[] = []): string {
  let out = text;
  // Longest first, so a secret that contains another is removed whole.
  const ordered = [...secretValues]
    .filter((v) => v.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  // A placeholder that no secret contains, so a short secret never matches inside a redaction.
  const placeholder = "\u0000";
  for (const secret of ordered) {
    out = out.split(secret).join(placeholder);
  }
  out = out.split(placeholder).join(REDACTED);
  for (const pattern of CREDENTIAL_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string) => `${prefix}${REDACTED}`);
  }
  return out;
}
