import { describe, expect, it } from "vitest";
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { DesiredPool } from "../../automation/core/ports";
import {
  assembleDriftReport,
  cloudDriftFromRefreshEvents,
  configurationDrift,
} from "../../automation/pulumi/drift";
import { urnOf } from "./engineEvents";
import { recordedStream } from "./recordedStreams";

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

  it("reads what a refresh found from the engine's recorded stream (same / update / delete)", () => {
    const events = recordedStream("refresh-preview", {
      resA: "avd-0-vm",
      resB: "avd-1-nic",
      resC: "avd-2-vm",
    });
    // The pre-events all say `refresh`; the outputs events carry what was found.
    expect(
      new Set(events.flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata.op] : []))),
    ).toEqual(new Set(["refresh"]));
    expect(cloudDriftFromRefreshEvents(events)).toEqual([
      { urn: "urn:pulumi:test::test::pkgA:m:typA::avd-2-vm", kind: "deleted", properties: [] },
      { urn: "urn:pulumi:test::test::pkgA:m:typA::avd-0-vm", kind: "changed", properties: ["oof"] },
    ]);
  });

  it("reports nothing for a refresh that found everything as recorded", () => {
    const vm = urnOf("azure-native:compute:VirtualMachine", "avd-0-vm");
    const events: EngineEvent[] = [
      {
        sequence: 1,
        timestamp: 1,
        resourcePreEvent: { metadata: { op: "refresh", urn: vm, type: "t", provider: "" } },
      },
      {
        sequence: 2,
        timestamp: 2,
        resOutputsEvent: { metadata: { op: "same", urn: vm, type: "t", provider: "" } },
      },
    ];
    expect(cloudDriftFromRefreshEvents(events)).toEqual([]);
  });

  it("counts an update the engine reports without property details as a change", () => {
    const vm = urnOf("azure-native:compute:VirtualMachine", "avd-0-vm");
    const events: EngineEvent[] = [
      {
        sequence: 1,
        timestamp: 1,
        resOutputsEvent: { metadata: { op: "update", urn: vm, type: "t", provider: "" } },
      },
    ];
    expect(cloudDriftFromRefreshEvents(events)).toEqual([{ urn: vm, kind: "changed", properties: [] }]);
  });
});
