/**
 * Building blocks of validation messages. A schema message has the form `<problem>. Fix: <fix>`;
 * the formatter (formatIssues.ts) prefixes the full key path and the (redacted) bad value.
 */

export const missing = (fix: string): string => `is missing. Fix: ${fix}`;

export const problem = (what: string, fix: string): string => `${what}. Fix: ${fix}`;

/**
 * Marker for an unknown key; carries the keys the object allows so the formatter can say
 * "did you mean". Not user-facing.
 */
export const UNKNOWN_KEY_MARKER = "\u0000unknown-key:";

export function unknownKeyMarker(allowed: readonly string[]): string {
  return `${UNKNOWN_KEY_MARKER}${allowed.join(",")}`;
}

/** Placeholder the formatter replaces with the full key path, for fixes like `pulumi config set --path <key>`. */
export const KEY_PLACEHOLDER = "<key>";
