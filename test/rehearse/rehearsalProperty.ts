/**
 * The rollout's promises as a property over random rehearsals, and how a failure is reported:
 * the shrunk scenario as a file `avd-rollout rehearse --scenario` reads, and the seed and path
 * that replay exactly that case (PROPERTY_SEED / PROPERTY_PATH, docs/rehearsal.md).
 */
import fc from "fast-check";
import { expect } from "vitest";
import { checkInvariants } from "../../automation/sim/invariants";
import type { RehearsalDriver, Strategy } from "../../automation/sim/driverModule";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import { unmanagedHosts } from "../../automation/sim/scenarioHosts";
import type { RehearsalCase } from "./scenarioArbitrary";

export type Outcome = "succeeded" | "failed";

/**
 * Rehearses one case and asserts every promise; returns the outcome. Beyond the checker: nobody
 * got a second message, the per-host budget held, unmanaged hosts were never touched, and the
 * rollout reported itself blocked only while a host of its own was down.
 */
export async function rehearsalHolds(
  { scenario: input, maxAttempts }: RehearsalCase,
  strategy: Strategy,
  driver?: RehearsalDriver,
): Promise<Outcome> {
  const scenario = parseScenario(input);
  const run = await rehearseWithDetails(scenario, { strategy, driver, tuning: { maxAttempts } });
  const violations = checkInvariants(run.events, scenario);
  expect(violations, JSON.stringify({ result: run.result, violations: violations.slice(0, 5) })).toEqual([]);
  // The world knows each session: none received a second message (crash-resume included).
  expect(run.world.stats.sessionsRenotified, "sessions messaged twice").toBe(0);
  // Capacity budget per host (spec 5.2): the stack's hosts serving at the start and not serving now.
  expect(run.world.stats.maxInitialHostsOut, "most budget hosts out at once").toBeLessThanOrEqual(
    scenario.update.maxVmsRemoved,
  );
  expect(run.result.crashes).toBeLessThanOrEqual(scenario.faults.crashes);
  const unmanaged = unmanagedHosts(scenario).map((h) => `"${h.name}"`);
  const touching = run.events.filter(
    (e) => !e.type.startsWith("world.") && unmanaged.some((name) => JSON.stringify(e).includes(name)),
  );
  expect(touching, "driver events naming unmanaged session hosts").toEqual([]);
  const down = new Set<string>();
  for (const e of run.events) {
    if (e.type === "world.fault" && e.fault === "outageStarted") down.add(e.host);
    if (e.type === "world.fault" && e.fault === "outageEnded") down.delete(e.host);
    if (e.type === "rollout.blocked")
      expect(down.size, `${e.t} ${e.reason}: nothing was down`).toBeGreaterThan(0);
  }
  if (run.result.result === "succeeded") {
    expect(run.result.updated).toBe(scenario.hostPool.hosts);
    expect(run.result.failed).toEqual([]);
    return "succeeded";
  }
  expect(run.result.result).toBe("failed");
  expect(run.result.failed.length).toBeGreaterThan(0);
  return "failed";
}

export interface PropertyRun {
  /** Default seed (CI is deterministic); PROPERTY_SEED overrides it, `random` draws one. */
  seed: number;
  numRuns: number;
}

/** Seed, path and run count from the environment (PROPERTY_SEED, PROPERTY_PATH, PROPERTY_RUNS). */
export function propertyParameters(defaults: PropertyRun): fc.Parameters<[RehearsalCase]> {
  const env = process.env;
  const seed =
    env.PROPERTY_SEED === "random"
      ? Math.floor(Math.random() * 2 ** 31)
      : env.PROPERTY_SEED
        ? Number(env.PROPERTY_SEED)
        : defaults.seed;
  const path = env.PROPERTY_PATH || undefined;
  const numRuns = env.PROPERTY_RUNS ? Number(env.PROPERTY_RUNS) : defaults.numRuns;
  return { seed, numRuns, ...(path ? { path } : {}) };
}

/** What a failing run prints: how to replay it, and the shrunk scenario. */
export function replayReport(
  title: string,
  testFile: string,
  details: fc.RunDetails<[RehearsalCase]>,
): string {
  const lines = [
    `Property "${title}" failed after ${details.numRuns} run(s); the case below was shrunk ${details.numShrinks} time(s).`,
  ];
  if (details.counterexample) {
    const [failing] = details.counterexample;
    lines.push(
      `Replay exactly this case: PROPERTY_SEED=${details.seed} PROPERTY_PATH=${details.counterexamplePath} npx vitest run ${testFile} -t "${title}"`,
      `Or rehearse it (driver maxAttempts ${failing.maxAttempts}): avd-rollout rehearse --scenario FILE, with FILE:`,
      JSON.stringify(failing.scenario, null, 2),
    );
  } else lines.push(`Seed ${details.seed}; no counterexample (interrupted or too many skips).`);
  const error = details.errorInstance;
  lines.push(`Failure: ${error instanceof Error ? error.message : String(error)}`);
  return lines.join("\n");
}

/** Runs the property; on failure, throws the replay report. Returns the outcomes seen. */
export async function checkRehearsals(
  title: string,
  testFile: string,
  arbitrary: fc.Arbitrary<RehearsalCase>,
  run: (c: RehearsalCase) => Promise<Outcome>,
  defaults: PropertyRun,
): Promise<{ outcomes: Outcome[]; details: fc.RunDetails<[RehearsalCase]> }> {
  const outcomes: Outcome[] = [];
  const details = await fc.check(
    fc.asyncProperty(arbitrary, async (c) => {
      outcomes.push(await run(c));
    }),
    propertyParameters(defaults),
  );
  if (details.failed) throw new Error(replayReport(title, testFile, details));
  return { outcomes, details };
}
