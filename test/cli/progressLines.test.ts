import { describe, expect, it } from "vitest";
import {
  etaText,
  formatMinutes,
  phasesSummary,
  plainLine,
  snapshotLine,
} from "../../automation/cli/progressLines";
import type { ProgressSnapshot } from "../../automation/core/progress";

const snapshot: ProgressSnapshot = {
  at: "2026-04-13T09:15:00.000Z",
  total: 20,
  completed: 7,
  failed: 1,
  inProgress: 8,
  pending: 4,
  percent: 35,
  inFlight: {
    "avd-8": "drained",
    "avd-9": "noticed",
    "avd-10": "provisioning",
    "avd-11": "registering",
    "avd-12": "noticed",
    "avd-13": "noticed",
    "avd-14": "noticed",
    "avd-15": "noticed",
  },
  etaMs: 95 * 60_000,
  estimatedFinish: "2026-04-13T10:50:00.000Z",
};

describe("progress lines", () => {
  it("formats minutes and the ETA", () => {
    expect(formatMinutes(null)).toBe("--");
    expect(formatMinutes(42.4)).toBe("42m");
    expect(formatMinutes(95)).toBe("1h35m");
    expect(etaText(snapshot)).toBe("1h35m");
    expect(etaText({ ...snapshot, etaMs: null })).toBe("--");
  });

  it("names the phase of each in-flight host, a bounded number of them", () => {
    expect(phasesSummary(snapshot, 3)).toBe("avd-8 drained, avd-9 noticed, avd-10 provisioning, +5 more");
  });

  it("sums a snapshot up in one pipeline line", () => {
    expect(snapshotLine(snapshot)).toBe(
      "09:15:00 progress: 7/20 done (35%), 8 in progress, 1 failed, ETA 1h35m | avd-8 drained, avd-9 noticed, avd-10 provisioning, avd-11 registering, avd-12 noticed, avd-13 noticed, +2 more",
    );
  });

  it("gives rollout events a line and world events none", () => {
    expect(
      plainLine({
        t: "2026-04-13T09:00:00.000Z",
        type: "host.failed",
        rollout: "r1",
        host: "avd-3",
        error: "boom",
      }),
    ).toBe("09:00:00 avd-3: FAILED: boom");
    expect(
      plainLine({
        t: "2026-04-13T09:00:00.000Z",
        type: "world.availability",
        available: 3,
        accepting: 3,
        freeSlots: 30,
        total: 4,
      }),
    ).toBeNull();
  });
});
