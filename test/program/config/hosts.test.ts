import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { desiredHostNames, hostIndex, hostName, hostZone, parseStackConfig } from "../../../program/config";
import { hostNameLengthProblem } from "../../../program/config/windowsRules";
import { entraConfig, withValue } from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";

function configWith(count: number, zones?: unknown[]) {
  const raw = withValue(entraConfig(), "avd-rollout:sessionHosts.count", count);
  if (zones !== undefined) withValue(raw, `${SHC}.availabilityZones`, zones);
  return parseStackConfig(raw);
}

describe("desiredHostNames", () => {
  it("names hosts <prefix>-0 .. <prefix>-<count-1> in index order", () => {
    expect(desiredHostNames(configWith(3))).toEqual(["avdprod-0", "avdprod-1", "avdprod-2"]);
    const many = desiredHostNames(configWith(12));
    expect(many).toHaveLength(12);
    expect(many[10]).toBe("avdprod-10");
  });

  it("round-trips with hostIndex", () => {
    const config = configWith(1000);
    desiredHostNames(config).forEach((name, index) => expect(hostIndex(config, name)).toBe(index));
  });

  it("hostIndex refuses names that are not hosts of this pool", () => {
    const config = configWith(3);
    for (const name of [
      "avdprod-",
      "avdprod-01",
      "avdprod-1a",
      "other-1",
      "avdprod1",
      "avdprod--1",
      "avdprod-0-2026-04-15T17-16-07",
    ]) {
      expect(hostIndex(config, name), name).toBeUndefined();
    }
    expect(hostIndex(config, "AVDPROD-7")).toBe(7);
    expect(hostName("avdprod", 7)).toBe("avdprod-7");
  });

  it("never exceeds the Windows computer-name limit within the configuration limits", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 1000 }), (length, count) => {
        expect(hostNameLengthProblem("a".repeat(length), count)).toBeUndefined();
      }),
    );
    const problem = hostNameLengthProblem("abcdefghijkl", 1000);
    expect(problem).toContain("abcdefghijkl-999");
    expect(problem).toContain("Fix: lower count to at most 100");
  });
});

describe("hostZone", () => {
  it("spreads hosts round robin by index", () => {
    const config = configWith(7, ["1", "2", "3"]);
    expect(desiredHostNames(config).map((_, index) => hostZone(config, index))).toEqual([
      "1",
      "2",
      "3",
      "1",
      "2",
      "3",
      "1",
    ]);
  });

  it("follows the configured zone order", () => {
    const config = configWith(4, ["3", "1"]);
    expect([0, 1, 2, 3].map((index) => hostZone(config, index))).toEqual(["3", "1", "3", "1"]);
  });

  it("keeps a host's zone whatever the count (a host keeps its zone across updates)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 500 }), (countA, countB) => {
        const a = configWith(countA, ["1", "2", "3"]);
        const b = configWith(countB, ["1", "2", "3"]);
        for (let index = 0; index < Math.min(countA, countB); index++) {
          expect(hostZone(a, index)).toBe(hostZone(b, index));
        }
      }),
      { numRuns: 20 },
    );
  });

  it("is undefined without zones and refuses a bad index", () => {
    const config = configWith(2);
    expect(hostZone(config, 0)).toBeUndefined();
    expect(() => hostZone(config, -1)).toThrow(RangeError);
    expect(() => hostZone(config, 1.5)).toThrow(RangeError);
  });
});
