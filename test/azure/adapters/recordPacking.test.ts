/** Name lists as runs: table of shapes, and a round trip of any list (property). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NameRunsError, packNames, unpackNames } from "../../../automation/azure/recordPacking";

describe("packNames", () => {
  it.each([
    { names: [], runs: [] },
    { names: ["avd-0", "avd-1", "avd-2"], runs: [["avd-", 0, 3, 0]] },
    { names: ["avd-9", "avd-10", "avd-11"], runs: [["avd-", 9, 3, 0]] },
    { names: ["avd-0098", "avd-0099", "avd-0100"], runs: [["avd-", 98, 3, 4]] },
    // Plan order is kept: a gap or a step back starts a new run, a lone name stays a name.
    { names: ["avd-1", "avd-2", "avd-5", "avd-3"], runs: [["avd-", 1, 2, 0], "avd-5", "avd-3"] },
    { names: ["web", "avd-1", "avd-2", "x7"], runs: ["web", ["avd-", 1, 2, 0], "x7"] },
    // `07` and `8` differ in padding: not one run.
    { names: ["h-07", "h-8"], runs: ["h-07", "h-8"] },
    { names: ["a1", "b2", "b3"], runs: ["a1", ["b", 2, 2, 0]] },
  ])("$names", ({ names, runs }) => {
    expect(packNames(names)).toEqual(runs);
    expect(unpackNames(runs)).toEqual(names);
  });

  it("round-trips any list of names in order (property)", () => {
    const name = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc
        .tuple(fc.constantFrom("avd-", "h", "pool-a-", ""), fc.nat(2_000), fc.constantFrom(0, 3, 5))
        .map(([prefix, n, width]) => prefix + String(n).padStart(width, "0")),
    );
    fc.assert(
      fc.property(fc.array(name, { maxLength: 80 }), (names) => {
        expect(unpackNames(JSON.parse(JSON.stringify(packNames(names))))).toEqual(names);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses runs it did not write", () => {
    expect(() => unpackNames({})).toThrow(NameRunsError);
    expect(() => unpackNames([["avd-", 1, 0, 0]])).toThrow(/unknown shape/);
    expect(() => unpackNames([["avd-", -1, 2, 0]])).toThrow(NameRunsError);
    expect(() => unpackNames([[1, 2]])).toThrow(NameRunsError);
  });
});
