/**
 * Scenario messages read like the stack configuration's: a misspelt field gets "did you mean",
 * a wrong type says what the field needs (never zod's "Invalid input: expected array, received
 * string"), and a field that fails several checks is reported once.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import { parseScenario, scenarioSchema } from "../../automation/sim/scenario";

function messageOf(raw: unknown): string {
  try {
    parseScenario(raw, "s.json");
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("scenario messages", () => {
  it.each([
    [
      { hostPool: { loadBalancr: "DepthFirst" } },
      "unknown field hostPool.loadBalancr; did you mean hostPool.loadBalancer? Rename it",
    ],
    [{ updat: {} }, "unknown field updat; did you mean update? Rename it"],
    [{ latency: { jiter: 0.1 } }, "unknown field latency.jiter; did you mean latency.jitter? Rename it"],
    [
      { users: { signOutAfterNotice: { probabilty: 0.5 } } },
      "did you mean users.signOutAfterNotice.probability? Rename it",
    ],
    [
      { hostPool: { colour: "blue" } },
      "unknown field hostPool.colour; remove it; hostPool has hosts, vmNamePrefix,",
    ],
  ])("%j: %s", (raw, text) => {
    expect(messageOf(raw)).toContain(text);
  });

  it("suggests the load balancer value a misspelling is close to", () => {
    expect(messageOf({ hostPool: { loadBalancer: "depthfirst" } })).toContain(
      'must be "BreadthFirst" or "DepthFirst" (did you mean DepthFirst?)',
    );
  });

  it("says a host list must be a list, in its own words", () => {
    const text = messageOf({ hostPool: { deallocated: "avd-1" } });
    expect(text).toBe(
      's.json: hostPool.deallocated = "avd-1" is invalid: must be a list of host names such as ["avd-3"]',
    );
  });

  it("says a section must be an object", () => {
    expect(messageOf({ hostPool: 5 })).toBe(
      "s.json: hostPool = 5 is invalid: must be an object of hostPool fields (see docs/rehearsal.md)",
    );
  });

  it("reports a too-large maxSessionsPerHost once", () => {
    for (const value of [1e20, 1e7, 2_000_000.5]) {
      const lines = messageOf({ hostPool: { maxSessionsPerHost: value } }).split("\n");
      expect(lines.filter((line) => line.includes("maxSessionsPerHost"))).toHaveLength(1);
    }
  });

  it("never shows zod's generic text, whatever wrong value a field gets", () => {
    const paths: string[][] = [];
    const walk = (shape: Record<string, unknown>, prefix: string[]): void => {
      for (const [key, schema] of Object.entries(shape)) {
        paths.push([...prefix, key]);
        let inner = schema as { _zod: { def: { innerType?: unknown } }; shape?: Record<string, unknown> };
        while (inner.shape === undefined && inner._zod.def.innerType !== undefined) {
          inner = inner._zod.def.innerType as typeof inner;
        }
        if (inner.shape !== undefined) walk(inner.shape, [...prefix, key]);
      }
    };
    walk(scenarioSchema.shape, []);
    expect(paths.length).toBeGreaterThan(25);
    const wrong = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...paths), wrong, (path, value) => {
        const raw: Record<string, unknown> = {};
        let node = raw;
        path.slice(0, -1).forEach((key) => {
          node[key] = {};
          node = node[key] as Record<string, unknown>;
        });
        node[path[path.length - 1]!] = value;
        try {
          parseScenario(raw);
        } catch (error) {
          const text = (error as Error).message;
          expect(text).not.toMatch(/Invalid input|expected \w+, received/);
        }
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
