/**
 * The property tests can fail: the real driver with an off-by-one planted through a test-only
 * wrapper (production code untouched) — its notice one minute short, or its capacity budget one
 * host too generous — runs through the same property as invariants.property.test.ts. The property
 * must find a failing case, shrink it, and print the seed and path that replay it; replayed, the
 * case fails again with the plant and holds without it.
 *
 * The plants work on the rollout record as the driver reads it back (the driver is level-
 * triggered: every step decides from the record it reads), so the real decide() runs with:
 * - notice: every delivery time one minute earlier than it was (deadlines a minute early);
 * - capacity: the start's baseline one host lower (one more host may leave than the budget allows).
 */
import { describe, expect, it } from "vitest";
import { continueRollout, startRollout } from "../../automation/core/driver";
import type { RolloutRecord } from "../../automation/core/record";
import type { RehearsalDriver, RehearsalDriverDeps } from "../../automation/sim/driverModule";
import { checkRehearsals, propertyParameters, rehearsalHolds } from "./rehearsalProperty";
import type { Outcome } from "./rehearsalProperty";
import { rehearsalCase } from "./scenarioArbitrary";
import type { RehearsalCase } from "./scenarioArbitrary";

const FILE = "test/rehearse/plantedBugs.test.ts";
const MINUTE = 60_000;

/** The real driver, reading every rollout record through `plant`. */
function planted(plant: (record: RolloutRecord) => void): RehearsalDriver {
  const wrap = (deps: RehearsalDriverDeps): RehearsalDriverDeps => {
    const hostPool = deps.ports.hostPool;
    return {
      ...deps,
      ports: {
        ...deps.ports,
        hostPool: {
          ...hostPool,
          readRecord: async () => {
            const stored = await hostPool.readRecord();
            if (!stored.record) return stored;
            // The store hands out frozen records: plant on a copy.
            const record = structuredClone(stored.record);
            plant(record);
            return { ...stored, record };
          },
        },
      },
    };
  };
  return {
    startRollout: (deps, request) => startRollout(wrap(deps), request),
    continueRollout: (deps) => continueRollout(wrap(deps)),
  };
}

/** Notice off by one minute: each delivery time reads a minute early (once: shifted values are known). */
function shortNotice(): RehearsalDriver {
  const shifted = new Set<string>();
  return planted((record) => {
    for (const entry of Object.values(record.hosts))
      for (const group of [...(entry.notices ?? []), ...(entry.restoreNotices ?? [])]) {
        if (group.sentAt === undefined || shifted.has(group.sentAt)) continue;
        group.sentAt = new Date(Date.parse(group.sentAt) - MINUTE).toISOString();
        shifted.add(group.sentAt);
      }
  });
}

/** Capacity off by one host: the baseline reads one lower than the driver recorded it. */
function generousBudget(): RehearsalDriver {
  const recorded = new Map<string, number>();
  return planted((record) => {
    if (record.baselineAvailable === undefined) return;
    if (!recorded.has(record.id)) recorded.set(record.id, record.baselineAvailable);
    record.baselineAvailable = (recorded.get(record.id) as number) - 1;
  });
}

const arbitrary = rehearsalCase({ maxHosts: 120, maxCrashes: 4, hostFaults: true });

describe.each([
  ["notice one minute short", shortNotice, /noticeRespected/],
  ["capacity budget one host too generous", generousBudget, /"capacity"|most budget hosts out at once/],
])("a planted off-by-one: %s", (name, plant, caught) => {
  const title = `the property finds the plant: ${name}`;
  let report = "";

  it("fails the property, shrinks the case and prints a replayable seed and path", async () => {
    const holds = (c: RehearsalCase): Promise<Outcome> => rehearsalHolds(c, "avd-rollout", plant());
    const failure = await checkRehearsals(title, FILE, arbitrary, holds, {
      seed: 20261125,
      numRuns: 40,
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    report = (failure as Error).message;
    expect(report).toMatch(caught);
    expect(report).toMatch(/shrunk [1-9]\d* time\(s\)/);
    expect(report).toMatch(
      /^Replay exactly this case: PROPERTY_SEED=\d+ PROPERTY_PATH=[\d:]+ npx vitest run /m,
    );
    expect(report).toContain('"logOffDelayMinutes"');
  }, 300_000);

  it("replays: the printed seed and path give the same case, which fails with the plant and holds without it", async () => {
    expect(report).not.toBe("");
    const [, seed, path] = /PROPERTY_SEED=(\d+) PROPERTY_PATH=([\d:]+)/.exec(report) ?? [];
    const saved = {
      seed: process.env.PROPERTY_SEED,
      path: process.env.PROPERTY_PATH,
      runs: process.env.PROPERTY_RUNS,
    };
    process.env.PROPERTY_SEED = seed;
    process.env.PROPERTY_PATH = path;
    process.env.PROPERTY_RUNS = "1";
    try {
      const params = propertyParameters({ seed: 0, numRuns: 0 });
      expect(params).toEqual({ seed: Number(seed), path, numRuns: 1 });
      const replay = (driver: () => RehearsalDriver | undefined, cases: RehearsalCase[]) =>
        checkRehearsals(
          title,
          FILE,
          arbitrary,
          (c) => {
            cases.push(c);
            return rehearsalHolds(c, "avd-rollout", driver());
          },
          { seed: 0, numRuns: 0 },
        );
      const withPlant: RehearsalCase[] = [];
      await expect(replay(plant, withPlant)).rejects.toThrow(caught);
      // The first case replayed is the one the report printed.
      expect(report).toContain(JSON.stringify(withPlant[0].scenario, null, 2));
      const without: RehearsalCase[] = [];
      await replay(() => undefined, without);
      expect(without[0]).toEqual(withPlant[0]);
    } finally {
      for (const [key, value] of [
        ["PROPERTY_SEED", saved.seed],
        ["PROPERTY_PATH", saved.path],
        ["PROPERTY_RUNS", saved.runs],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  }, 120_000);
});
