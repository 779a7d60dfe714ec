/**
 * Body checks against the REST specification's schemas: only the properties the schema
 * defines, with the right types. A body the service would reject (or silently ignore) fails.
 */

export type Check = (value: unknown, at: string) => string | undefined;

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const str: Check = (v, at) => (typeof v === "string" ? undefined : `${at} must be a string`);
export const bool: Check = (v, at) => (typeof v === "boolean" ? undefined : `${at} must be a boolean`);
export const int: Check = (v, at) => (Number.isInteger(v) ? undefined : `${at} must be an integer`);
export const nullable =
  (check: Check): Check =>
  (v, at) =>
    v === null ? undefined : check(v, at);
export const oneOf =
  (values: readonly string[]): Check =>
  (v, at) =>
    typeof v === "string" && values.includes(v) ? undefined : `${at} must be one of ${values.join(", ")}`;
export const dateTime: Check = (v, at) =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(v)
    ? undefined
    : `${at} must be an ISO 8601 date-time`;
/** Accepts anything (a schema part the emulator does not model deeper). */
export const anything: Check = () => undefined;

/** An object with only these properties (all optional unless listed in `required`). */
export function object(properties: Record<string, Check>, required: string[] = []): Check {
  return (v, at) => {
    if (!isObject(v)) return `${at} must be an object`;
    for (const key of Object.keys(v)) {
      if (!(key in properties)) return `${at}.${key} is not a property of the schema`;
      const problem = properties[key]!(v[key], `${at}.${key}`);
      if (problem) return problem;
    }
    for (const key of required) if (!(key in v)) return `${at}.${key} is required`;
    return undefined;
  };
}

export function stringMap(v: unknown, at: string): string | undefined {
  if (!isObject(v)) return `${at} must be an object`;
  for (const [key, value] of Object.entries(v))
    if (typeof value !== "string") return `${at}.${key} must be a string`;
  return undefined;
}
