/**
 * Schema builders with the project's message style: every check says what is wrong and how to fix
 * it (`<problem>. Fix: <fix>`); the formatter adds the key path and the redacted value.
 */
import { z } from "zod";
import { KEY_PLACEHOLDER, missing, problem, unknownKeyMarker } from "./messages";
import { isSecretValue, SecretValue } from "./secret";
import { closestMatch } from "./suggest";

/** A strict object whose unknown keys are reported with the allowed keys (for "did you mean"). */
export function strictObject<S extends z.ZodRawShape>(shape: S, fix: string) {
  const allowed = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === "unrecognized_keys") return unknownKeyMarker(allowed);
      if (issue.input === undefined) return missing(fix);
      return problem(`must be an object (a YAML mapping) with the keys ${allowed.join(", ")}`, fix);
    },
  });
}

export function text(fix: string, what = "a string") {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? missing(fix) : problem(`must be ${what}`, fix)),
    })
    .min(1, { error: problem("is empty", fix) });
}

/** A string that must satisfy `test`; `what` describes the expectation in the message. */
export function matching(test: (value: string) => boolean, what: string, fix: string) {
  return text(fix, what).refine(test, { error: problem(`is not ${what}`, fix) });
}

/** YAML and `pulumi config set --path` can deliver numbers as strings: accept "10" for 10. */
function numberLike(value: unknown): unknown {
  return typeof value === "string" && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

export function integer(min: number, max: number | undefined, fix: string) {
  const range = max === undefined ? `>= ${min}` : `${min} to ${max}`;
  let schema = z
    .number({
      error: (issue) =>
        issue.input === undefined ? missing(fix) : problem(`must be a whole number ${range}`, fix),
    })
    .int({ error: problem(`must be a whole number ${range}`, fix) })
    .min(min, { error: problem(`is below the minimum ${min}`, fix) });
  if (max !== undefined) schema = schema.max(max, { error: problem(`is above the maximum ${max}`, fix) });
  return z.preprocess(numberLike, schema);
}

/** Accepts true/false, and the strings "true"/"false" that `pulumi config set` may store. */
export function boolean(fix: string) {
  return z.preprocess(
    (value) => (value === "true" ? true : value === "false" ? false : value),
    z.boolean({
      error: (issue) => (issue.input === undefined ? missing(fix) : problem("must be true or false", fix)),
    }),
  );
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, fix: string) {
  return z.enum(values, {
    error: (issue) => {
      if (issue.input === undefined) return missing(fix);
      const guess = typeof issue.input === "string" ? closestMatch(issue.input, values) : undefined;
      const hint = guess === undefined ? "" : ` (did you mean ${guess}?)`;
      return problem(`is not one of ${values.join(", ")}${hint}`, fix);
    },
  });
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname.length > 0;
  } catch {
    return false;
  }
}

export function httpsUrl(example: string) {
  return matching(isHttpsUrl, "an https:// URL", `use an https URL, e.g. ${example}`);
}

/** A password: a non-empty string (or an already wrapped secret), wrapped in {@link SecretValue}. */
export function secret() {
  const fix = `pulumi config set --secret --path ${KEY_PLACEHOLDER} '<password>'`;
  return z.preprocess(
    (value) => (isSecretValue(value) ? value.reveal() : value),
    z
      .string({
        error: (issue) =>
          issue.input === undefined ? missing(fix) : problem("must be a string (a Pulumi secret)", fix),
      })
      .min(1, { error: problem("is empty", fix) })
      .transform((value) => new SecretValue(value)),
  );
}

/** Run a refinement even when a field failed, so one parse reports every problem. */
export const always = { when: () => true } as const;

type Refinement = Parameters<Parameters<z.ZodType["superRefine"]>[0]>[1];

export function report(ctx: Refinement, path: readonly (string | number)[], message: string): void {
  ctx.addIssue({ code: "custom", path: [...path], message });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
