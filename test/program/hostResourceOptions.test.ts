import { describe, expect, it } from "vitest";
import {
  batchProblems,
  hostMode,
  hostResourceOptions,
  type HostMode,
} from "../../program/sessionHosts/hostResourceOptions";
import { HOST_RESOURCE_KINDS, type HostResourceKind } from "../../program/sessionHosts/resourceKinds";
import type { StateLedger } from "../../program/ledger/stateLedger";

function ledgerOf(hosts: Record<string, HostResourceKind[] | null>): StateLedger {
  return {
    hosts: new Map(
      Object.entries(hosts).map(([host, kinds]) => [
        host,
        {
          kinds: kinds === null ? null : new Set(kinds),
          vmPendingReplacement: false,
          vmInitErrors: false,
          dataCollectionRuleId: undefined,
        },
      ]),
    ),
  };
}

describe("host mode: what an update may do to a host", () => {
  const ledger = ledgerOf({
    "avd-0": ["nic", "vm", "avd-agent", "entra-join"],
    "avd-1": ["nic", "vm", "avd-agent", "entra-join"],
    "avd-10": ["nic", "vm"],
    "avd-3": ["nic"],
    "avd-4": null,
  });

  it.each([
    { case: "plain up: running host", host: "avd-0", batch: [], expected: "keep" },
    { case: "host in the batch", host: "avd-1", batch: ["avd-1"], expected: "replace" },
    { case: "host outside a batch", host: "avd-0", batch: ["avd-1"], expected: "keep" },
    { case: "avd-1 is not avd-10", host: "avd-10", batch: ["avd-1"], expected: "keep" },
    { case: "host not in state (count raised)", host: "avd-7", batch: [], expected: "create" },
    { case: "host not in state, in the batch", host: "avd-7", batch: ["avd-7"], expected: "create" },
    { case: "state has a NIC but no VM (first create failed)", host: "avd-3", batch: [], expected: "create" },
    { case: "recorded host with an unknown resource set", host: "avd-4", batch: [], expected: "keep" },
  ] as const)("$case", ({ host, batch, expected }) => {
    expect(hostMode(host, new Set(batch), ledger)).toBe(expected);
  });
});

describe("resource options per mode and kind", () => {
  const lifelong: HostResourceKind[] = ["nic", "vm", "avd-agent", "entra-join", "domain-join"];
  const optional: HostResourceKind[] = ["custom-script", "monitor-agent", "dcra"];

  it("covers every kind", () => {
    expect([...lifelong, ...optional].sort()).toEqual([...HOST_RESOURCE_KINDS].sort());
  });

  it.each(lifelong)("keep, %s (lifelong): protected, every change ignored", (kind) => {
    expect(hostResourceOptions("keep", kind)).toEqual({
      protect: true,
      ignoreChanges: ["*"],
      deleteBeforeReplace: false,
      retainOnDelete: true,
    });
  });

  it.each(optional)("keep, %s (optional): every change ignored, never protected", (kind) => {
    expect(hostResourceOptions("keep", kind)).toEqual({
      protect: false,
      ignoreChanges: ["*"],
      deleteBeforeReplace: false,
      retainOnDelete: true,
    });
  });

  it.each(
    (["replace", "create"] as HostMode[]).flatMap((mode) =>
      HOST_RESOURCE_KINDS.map((kind) => ({ mode, kind })),
    ),
  )("$mode, $kind: free to change, not protected", ({ mode, kind }) => {
    expect(hostResourceOptions(mode, kind)).toEqual({
      protect: false,
      ignoreChanges: undefined,
      deleteBeforeReplace: false,
      retainOnDelete: true,
    });
  });

  it("returns fresh option objects (no shared array the SDK could see mutated)", () => {
    expect(hostResourceOptions("keep", "vm").ignoreChanges).not.toBe(
      hostResourceOptions("keep", "nic").ignoreChanges,
    );
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
