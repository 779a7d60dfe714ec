import { describe, expect, it } from "vitest";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { DesiredPool } from "../../automation/core/ports";
import {
  assembleDriftReport,
  cloudDriftFromRefreshEvents,
  configurationDrift,
} from "../../automation/pulumi/drift";
import { urnOf } from "./engineEvents";

const desired: DesiredPool = {
  revision: "r2",
  hosts: ["avd-0", "avd-1", "avd-2"],
  update: { maxVmsRemoved: 1, logOffDelayMinutes: 0, logOffMessage: "m", deleteOriginalVm: false },
};

function host(name: string, revision: string) {
  return { host: name, vmName: `${name}-2026-01-01T00-00-00`, vmResourceId: `/vms/${name}`, revision };
}

describe("drift", () => {
  it("finds out-of-date, missing and extra hosts", () => {
    const found = configurationDrift(
      [host("avd-0", "r2"), host("avd-1", "r1"), host("avd-10", "r2"), host("avd-3", "r2")],
      desired,
    );
    expect(found).toEqual({ outOfDate: ["avd-1"], missing: ["avd-2"], extra: ["avd-3", "avd-10"] });
    expect(assembleDriftReport(found, [], null).drift).toBe(true);
  });

  it("reports no drift when everything matches", () => {
    const found = configurationDrift(
      ["avd-0", "avd-1", "avd-2"].map((h) => host(h, "r2")),
      desired,
    );
    expect(assembleDriftReport(found, [], []).drift).toBe(false);
    expect(assembleDriftReport(found, [{ urn: "u", op: "create" }], []).drift).toBe(true);
  });

  it("reads cloud changes and deletions from refresh events", () => {
    const vm = urnOf("azure-native:compute:VirtualMachine", "avd-0-x");
    const nic = urnOf("azure-native:network:NetworkInterface", "avd-1-nic");
    const same = urnOf("azure-native:network:NetworkInterface", "avd-2-nic");
    const meta = (urn: string, extra: object) => ({
      op: "refresh" as const,
      urn,
      type: "azure-native:compute:VirtualMachine",
      provider: "",
      ...extra,
    });
    const state = { type: "t", urn: "u", id: "i", parent: "", inputs: {}, outputs: {}, provider: "" };
    const events: EngineEvent[] = [
      {
        sequence: 1,
        timestamp: 1,
        resOutputsEvent: { metadata: meta(vm, { diffs: ["tags", "hardwareProfile"], new: state }) },
      },
      { sequence: 2, timestamp: 2, resOutputsEvent: { metadata: meta(nic, {}) } },
      { sequence: 3, timestamp: 3, resOutputsEvent: { metadata: meta(same, { diffs: [], new: state }) } },
    ];
    expect(cloudDriftFromRefreshEvents(events)).toEqual([
      { urn: vm, kind: "changed", properties: ["hardwareProfile", "tags"] },
      { urn: nic, kind: "deleted", properties: [] },
    ]);
  });
});
