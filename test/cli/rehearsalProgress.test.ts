import { describe, expect, it } from "vitest";
import type { ProgressSnapshot } from "../../automation/core/progress";
import { REHEARSAL_PROGRESS_AFTER_MS, rehearsalProgress } from "../../automation/cli/rehearsalProgress";
import { rehearse } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";

const snapshot = (completed: number): ProgressSnapshot => ({
  at: "2026-04-13T09:30:00.000Z",
  total: 10,
  completed,
  failed: 0,
  inProgress: 2,
  pending: 10 - completed - 2,
  percent: completed * 10,
  inFlight: {},
  etaMs: 60_000,
  estimatedFinish: "2026-04-13T09:31:00.000Z",
});

describe("progress of a long rehearsal", () => {
  it("stays quiet for a few seconds of wall time, then prints a line every few seconds", () => {
    let wall = 0;
    const lines: string[] = [];
    const report = rehearsalProgress(
      "big (avd-rollout)",
      (line) => lines.push(line),
      () => wall,
    );
    report(snapshot(1));
    wall = REHEARSAL_PROGRESS_AFTER_MS - 1;
    report(snapshot(2));
    expect(lines).toEqual([]);
    wall = REHEARSAL_PROGRESS_AFTER_MS;
    report(snapshot(3));
    wall += 1_000;
    report(snapshot(4));
    expect(lines).toEqual([
      "rehearsing big (avd-rollout): 3 of 10 hosts updated (30%), 2 in progress; virtual time 2026-04-13 09:30 UTC\n",
    ]);
  });

  it("gets the driver's progress from a rehearsal", async () => {
    const seen: number[] = [];
    await rehearse(parseScenario({ hostPool: { hosts: 4 }, update: { maxVmsRemoved: 2 } }), {
      onProgress: (s) => seen.push(s.completed),
    });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.at(-1)).toBe(4);
  });
});
