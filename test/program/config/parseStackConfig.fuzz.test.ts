/**
 * Whatever value lands at whatever key, parseStackConfig either returns a configuration or throws
 * an InputError whose every line names a key and a fix — never a TypeError from a rule that
 * assumed a well-formed value — and never prints a password.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../../automation/core/errors";
import { parseStackConfig } from "../../../program/config";
import { ADMIN_PASSWORD, adConfig, DOMAIN_PASSWORD, entraConfig, type Raw, withValue } from "./fixtures";

function leafAndObjectPaths(value: unknown, prefix: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return [
    prefix,
    ...Object.entries(value).flatMap(([key, inner]) => leafAndObjectPaths(inner, `${prefix}.${key}`)),
  ];
}

const bases = [entraConfig, adConfig];
const paths = bases.map((base) =>
  Object.entries(base()).flatMap(([key, value]) => leafAndObjectPaths(value, key)),
);

function outcome(raw: Raw): void {
  try {
    parseStackConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).not.toContain(ADMIN_PASSWORD);
    expect(message).not.toContain(DOMAIN_PASSWORD);
    for (const line of message.split("\n").slice(1)) {
      expect(line).toMatch(/^ {2}- (avd-rollout|azure-native):\S*/);
      expect(line).toContain("Fix: ");
    }
  }
}

describe("parseStackConfig on arbitrary values", () => {
  it("replacing any key or field by anything yields a config or a well-formed InputError", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bases.length - 1 }),
        fc.nat(),
        fc.anything({ withNullPrototype: false }),
        (baseIndex, pathIndex, value) => {
          const candidates = paths[baseIndex]!;
          const raw = withValue(bases[baseIndex]!(), candidates[pathIndex % candidates.length]!, value);
          outcome(raw);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("handles entirely arbitrary top-level values", () => {
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.constantFrom(
            "azure-native:location",
            "avd-rollout:hostPool",
            "avd-rollout:sessionHosts",
            "avd-rollout:sessionHostConfiguration",
            "avd-rollout:update",
            "avd-rollout:other",
          ),
          fc.anything(),
        ),
        (raw) => outcome(raw),
      ),
      { numRuns: 200 },
    );
  });
});
