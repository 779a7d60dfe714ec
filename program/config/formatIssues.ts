/**
 * Turns zod issues into the one-line-per-problem text of an {@link InputError}:
 * `<full key path>: <value> <problem>. Fix: <fix>`. Values under a `password` key (and any
 * object that contains one) are redacted; long values are shortened.
 */
import type { z } from "zod";
import { azureFieldMessage } from "./azureVocabulary";
import { KEY_PLACEHOLDER, UNKNOWN_KEY_MARKER } from "./messages";
import { redactedText } from "./secret";
import { closestMatch } from "./suggest";

type Path = readonly PropertyKey[];

/** `avd-rollout:sessionHostConfiguration.availabilityZones[1]` */
export function formatPath(path: Path): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text === "" ? String(segment) : `.${String(segment)}`;
  }
  return text;
}

/** A Key Vault secret URI key (`passwordKeyVaultSecretUri`): its value names a secret, it is none. */
const isKeyVaultUriKey = (segment: PropertyKey | undefined): boolean =>
  typeof segment === "string" && /KeyVaultSecretUri$/i.test(segment);
/** Key names whose values are (or may be) secrets: `password`, and look-alikes a user might misspell. */
const isSecretKey = (segment: PropertyKey): boolean =>
  typeof segment === "string" && /pass|pwd|secret/i.test(segment) && !isKeyVaultUriKey(segment);
/** `vmAdminCredentials: <a string>` is most likely a password written in the wrong place. */
const isCredentialsKey = (segment: PropertyKey | undefined): boolean =>
  typeof segment === "string" && /credentials$/i.test(segment);

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, isSecretKey(key) ? redactedText : redact(inner)]),
    );
  }
  return value;
}

const MAX_VALUE_TEXT = 240;

/** How a bad value appears in a message: JSON, secrets redacted, at most 240 characters (an ARM id fits). */
export function describeValue(path: Path, value: unknown): string {
  if (path.some(isSecretKey)) return redactedText;
  // A URI is shown; anything else there may be a password pasted into the wrong key.
  if (isKeyVaultUriKey(path[path.length - 1]) && !(typeof value === "string" && /^https?:\/\//i.test(value)))
    return redactedText;
  if (isCredentialsKey(path[path.length - 1]) && (typeof value !== "object" || value === null))
    return redactedText;
  if (value === undefined) return "undefined";
  let text: string;
  try {
    text = JSON.stringify(redact(value)) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 3)}...` : text;
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const segment of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** One line per problem; `input` is the (normalised) raw configuration the issues refer to. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.message.startsWith(UNKNOWN_KEY_MARKER) && issue.code === "unrecognized_keys") {
      const allowed = issue.message.slice(UNKNOWN_KEY_MARKER.length).split(",");
      for (const key of issue.keys) {
        const azure = azureFieldMessage(key, formatPath(issue.path));
        if (azure !== undefined) {
          lines.push(`${formatPath([...issue.path, key])}: ${azure}`);
          continue;
        }
        const guess = closestMatch(key, allowed);
        const fix =
          guess === undefined
            ? `remove it; allowed keys: ${allowed.join(", ")}`
            : `did you mean ${guess}? Rename it`;
        lines.push(`${formatPath([...issue.path, key])}: unknown key. Fix: ${fix}`);
      }
      continue;
    }
    const path = formatPath(issue.path);
    const value = valueAt(input, issue.path);
    let message = issue.message.split(KEY_PLACEHOLDER).join(path);
    // Safety net for a check without a tailored message: still point at the reference.
    if (!message.includes("Fix: ")) message = `${message}. Fix: see docs/configuration.md for ${path}`;
    lines.push(
      value === undefined ? `${path} ${message}` : `${path}: ${describeValue(issue.path, value)} ${message}`,
    );
  }
  return lines;
}
