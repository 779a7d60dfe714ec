import { describe, expect, it } from "vitest";
import { batchProblems, hostResourceOptions } from "../../program/sessionHosts/hostResourceOptions";

describe("ledger resource options per host", () => {
  const outside = { protect: true, ignoreChanges: ["*"], retainOnDelete: true };
  const inside = { protect: false, ignoreChanges: undefined, retainOnDelete: true };

  it.each([
    { case: "plain up: no batch", host: "avd-0", batch: [], expected: outside },
    { case: "host in the batch", host: "avd-1", batch: ["avd-1"], expected: inside },
    { case: "host outside a batch", host: "avd-0", batch: ["avd-1", "avd-2"], expected: outside },
    { case: "avd-1 is not avd-10", host: "avd-10", batch: ["avd-1"], expected: outside },
    { case: "avd-10 is not avd-1", host: "avd-1", batch: ["avd-10"], expected: outside },
    { case: "initial host batch", host: "avd-3", batch: ["avd-3"], expected: inside },
    { case: "large batch, last member", host: "avd-9", batch: ["avd-7", "avd-8", "avd-9"], expected: inside },
  ])("$case", ({ host, batch, expected }) => {
    expect(hostResourceOptions(host, new Set(batch))).toEqual(expected);
  });

  it("always retains on delete, so a replaced original is left to the driver", () => {
    for (const batch of [[], ["avd-0"]]) {
      expect(hostResourceOptions("avd-0", new Set(batch)).retainOnDelete).toBe(true);
    }
  });

  it("returns fresh option objects (no shared array the SDK could see mutated)", () => {
    const a = hostResourceOptions("avd-0", new Set());
    const b = hostResourceOptions("avd-1", new Set());
    expect(a.ignoreChanges).not.toBe(b.ignoreChanges);
  });
});

describe("batch validation", () => {
  const hosts = ["avd-0", "avd-1", "avd-2"];

  it("accepts an empty batch and any subset of the configured hosts", () => {
    expect(batchProblems([], hosts)).toEqual([]);
    expect(batchProblems(["avd-2", "avd-0"], hosts)).toEqual([]);
  });

  it("names a host that is not configured, with the valid range and the fix", () => {
    const [problem] = batchProblems(["avd-3"], hosts);
    expect(problem).toContain('"avd-3"');
    expect(problem).toContain("avd-0 .. avd-2");
    expect(problem).toContain("avd-rollout:sessionHosts.count");
  });

  it("names a host listed twice", () => {
    expect(batchProblems(["avd-1", "avd-1"], hosts)).toEqual(['batch host "avd-1" is listed twice']);
  });
});
