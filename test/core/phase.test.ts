import { describe, expect, it } from "vitest";
import { deriveHostPhase, isBeforeUp, isFreshGeneration } from "../../automation/core/phase";
import type { PhaseInput } from "../../automation/core/phase";
import type { DeployedHost, SessionHostInfo } from "../../automation/core/ports";
import type { HostRecord } from "../../automation/core/record";

const ORIGINAL = { name: "avd-3-gen1", resourceId: "/sub/vm/avd-3-gen1" };
const old: DeployedHost = {
  host: "avd-3",
  vmName: ORIGINAL.name,
  vmResourceId: ORIGINAL.resourceId,
  revision: "r1",
};
const fresh: DeployedHost = {
  host: "avd-3",
  vmName: "avd-3-gen2",
  vmResourceId: "/sub/vm/avd-3-gen2",
  revision: "r2",
};
const sh = (over: Partial<SessionHostInfo> = {}): SessionHostInfo => ({
  name: "avd-3.contoso.com",
  resourceId: ORIGINAL.resourceId,
  status: "Available",
  allowNewSession: true,
  sessions: 3,
  ...over,
});
const at = "2026-04-13T08:00:00.000Z";
const original = { vm: ORIGINAL, allowNewSession: true, powerState: "running" as const, accepting: true };
const committed: HostRecord = { batch: 1, original, noticeAt: at, committedAt: at };

function phase(entry: HostRecord | undefined, over: Partial<PhaseInput> = {}) {
  return deriveHostPhase({ target: "r2", entry, deployed: old, originalSessionHost: sh(), ...over });
}

describe("deriveHostPhase", () => {
  it.each<[string, HostRecord | undefined, Partial<PhaseInput>, string]>([
    ["untouched and out of date", undefined, {}, "pending"],
    ["untouched and up to date", undefined, { deployed: fresh }, "done"],
    ["notice started", { batch: 1, original, noticeAt: at }, {}, "noticed"],
    ["drained ahead of its notice", { batch: 1, original }, {}, "pending"],
    ["entry kept only for attempts", { batch: 1, attempts: 1 }, {}, "pending"],
    ["committed, still accepting sessions", committed, {}, "draining"],
    [
      "committed, drained, sessions left",
      committed,
      { originalSessionHost: sh({ allowNewSession: false }) },
      "draining",
    ],
    [
      "committed, drained and empty",
      committed,
      { originalSessionHost: sh({ allowNewSession: false, sessions: 0 }) },
      "drained",
    ],
    [
      "removed from the pool, VM running",
      committed,
      { originalSessionHost: undefined, originalPower: "running" },
      "removed",
    ],
    ["removed, power unknown", committed, { originalSessionHost: undefined }, "removed"],
    [
      "removed and deallocated",
      committed,
      { originalSessionHost: undefined, originalPower: "deallocated" },
      "deallocated",
    ],
    [
      "removed and VM gone",
      committed,
      { originalSessionHost: undefined, originalPower: "notFound" },
      "deallocated",
    ],
    [
      "new generation deployed",
      committed,
      { deployed: fresh, originalSessionHost: undefined },
      "registering",
    ],
    ["new generation registered", { ...committed, registeredAt: at }, { deployed: fresh }, "registered"],
    ["restored", { ...committed, registeredAt: at, restoredAt: at }, { deployed: fresh }, "restored"],
    ["failed", { ...committed, failed: true }, {}, "failed"],
  ])("%s -> %s", (_name, entry, over, expected) => {
    expect(phase(entry, over)).toBe(expected);
  });

  it("a discarded attempt is not a new generation: the host waits for another up", () => {
    const entry: HostRecord = {
      ...committed,
      discardedVms: [{ name: fresh.vmName, resourceId: fresh.vmResourceId.toUpperCase() }],
    };
    expect(isFreshGeneration(entry, fresh)).toBe(false);
    expect(
      phase(entry, { deployed: fresh, originalSessionHost: undefined, originalPower: "deallocated" }),
    ).toBe("deallocated");
  });

  it("matches the original VM case-insensitively", () => {
    const entry: HostRecord = {
      ...committed,
      original: { ...original, vm: { ...ORIGINAL, resourceId: ORIGINAL.resourceId.toUpperCase() } },
    };
    expect(isFreshGeneration(entry, old)).toBe(false);
  });

  it.each([
    ["pending", true],
    ["noticed", true],
    ["deallocated", true],
    ["provisioning", false],
    ["registering", false],
    ["restored", false],
    ["done", false],
  ] as const)("before its batch's up: %s -> %s", (phaseName, expected) => {
    expect(isBeforeUp(phaseName)).toBe(expected);
  });
});
