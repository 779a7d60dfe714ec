/**
 * Keeps credentials out of error messages. ARM error messages are server text and SDK errors can
 * quote response bodies; a registration token is a JWT, a bearer token is a JWT, and a password
 * can appear in an echoed request. Anything of those shapes is replaced before a message leaves
 * the adapter.
 */

export const REDACTED = "[redacted]";

const PATTERNS: RegExp[] = [
  // JWTs: AVD registration tokens and AAD access tokens.
  /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  // Authorization headers quoted in a message.
  /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // SAS signatures in URLs.
  /([?&]sig=)[^&\s"']+/gi,
  // "password": "...", password=..., "token":"...", "registrationToken": "..."
  /("?(?:password|token|registrationToken|secret|clientSecret)"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi,
];

/** `text` with every credential-shaped substring and every known secret value replaced. */
export function redact(text: string, knownSecrets: readonly string[] = []): string {
  let out = text;
  for (const secret of knownSecrets) {
    if (secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  out = out.replace(PATTERNS[0], REDACTED);
  out = out.replace(PATTERNS[1], (_m, scheme: string) => `${scheme} ${REDACTED}`);
  out = out.replace(PATTERNS[2], (_m, prefix: string) => `${prefix}${REDACTED}`);
  out = out.replace(PATTERNS[3], (_m, key: string) => `${key}${REDACTED}`);
  return out;
}
