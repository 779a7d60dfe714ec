/**
 * A rollout cut into time-boxed runs at random points (issue 10): each run is a fresh driver with
 * its own lease owner and `runUntil`, started with `startRollout` and carried on with
 * `continueRollout` after a virtual wait, all against one simulated world. Cutting must not
 * change what users, capacity and retries get: the invariant checker finds nothing on the joined
 * event log, and the rollout takes no longer than the uncut one plus the waits between runs
 * (within 2 %).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HANDOVER_REGISTRATION_GRACE_MS, TAIL_UP_START_WINDOW_MS } from "../../automation/core/reconciler";
import type { AnyEvent } from "../../automation/core/events";
import type { Scenario } from "../../automation/sim/scenario";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { parseScenario, type ScenarioInput } from "../../automation/sim/scenario";
import { rehearsalCase } from "../rehearse/scenarioArbitrary";
import { rehearseInTimeBoxedRuns, type RunPlan, type TimeBoxedRehearsal } from "./timeBoxedRehearsal";

const MINUTE = 60_000;

/** Where runs are cut: how long each one may start new work, and the wait before the next one. */
const cutsArbitrary = (maxWork: number, maxGap: number): fc.Arbitrary<RunPlan[]> =>
  fc.array(
    fc.record({
      workMinutes: fc.integer({ min: 1, max: maxWork }),
      gapMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: maxGap })),
    }),
    { minLength: 1, maxLength: 12 },
  );

/** The longest `up` of the log (ms). */
function longestUp(events: readonly AnyEvent[]): number {
  let longest = 0;
  let startedAt: number | null = null;
  for (const event of events) {
    if (event.type === "stack.up") startedAt = Date.parse(event.t);
    if (event.type === "stack.upFinished" && startedAt !== null)
      longest = Math.max(longest, Date.parse(event.t) - startedAt);
  }
  return longest;
}

/**
 * Every run but the last handed over, and each ended within what a run may still do past its
 * time box: start one `up` for hosts already out (within its window), see it through, give its
 * hosts the registration grace, and let the last quick action (a deallocation, a deletion) end.
 */
function expectHandovers(cut: TimeBoxedRehearsal, scenario: Scenario): void {
  const last = cut.runs.length - 1;
  const { latency } = scenario;
  const quickAction =
    Math.max(latency.deallocateMinutes, latency.deleteMinutes) * (1 + latency.jitter) * MINUTE + MINUTE;
  const bound =
    TAIL_UP_START_WINDOW_MS + longestUp(cut.events) + HANDOVER_REGISTRATION_GRACE_MS + quickAction;
  cut.runs.forEach((run, index) => {
    if (index < last) expect(run.outcome.result).toBe("handover");
    expect(run.endedAt - run.runUntil).toBeLessThanOrEqual(bound);
  });
  expect(cut.events.filter((e) => e.type === "rollout.handover")).toHaveLength(last);
}

describe("a rollout cut into time-boxed runs", () => {
  it("keeps every promise (notices, budget, order, retries) on the joined event log", async () => {
    await fc.assert(
      fc.asyncProperty(
        rehearsalCase({ maxHosts: 60, maxCrashes: 0, hostFaults: false }).map((c) => c.scenario),
        cutsArbitrary(120, 60),
        async (input, cuts) => {
          const scenario = parseScenario(input);
          const cut = await rehearseInTimeBoxedRuns(scenario, cuts);
          const violations = checkInvariants(cut.events, scenario);
          expect(violations, JSON.stringify(violations.slice(0, 5))).toEqual([]);
          expect(cut.world.stats.sessionsRenotified).toBe(0);
          expect(cut.world.stats.maxInitialHostsOut).toBeLessThanOrEqual(scenario.update.maxVmsRemoved);
          expect(["succeeded", "failed"]).toContain(cut.outcome.result);
          expectHandovers(cut, scenario);
        },
      ),
      { numRuns: 12, seed: 10, endOnFailure: true },
    );
  });

  it("takes no longer than the uncut rollout plus the waits between runs (within 2 %)", async () => {
    // Users who stay put: with sign-ins and sign-outs drawn at random, any shift of a notice
    // (a run's wait) hands the rest of the rollout different users, and the comparison would
    // measure their luck instead of the cut.
    const shapes = fc.record({
      hosts: fc.integer({ min: 1, max: 120 }),
      maxVmsRemoved: fc.integer({ min: 1, max: 15 }),
      logOffDelayMinutes: fc.constantFrom(0, 5, 30, 60),
      sessionsPerHost: fc.integer({ min: 0, max: 8 }),
      seed: fc.integer({ min: 0, max: 100_000 }),
    });
    await fc.assert(
      fc.asyncProperty(shapes, cutsArbitrary(120, 45), async (shape, cuts) => {
        const input: ScenarioInput = {
          name: "cut",
          seed: shape.seed,
          hostPool: { hosts: shape.hosts, sessionsPerHost: shape.sessionsPerHost },
          users: { signOutAfterNotice: { probability: 0 }, arrivalsPerHour: 0, meanSessionMinutes: 1e9 },
          update: { maxVmsRemoved: shape.maxVmsRemoved, logOffDelayMinutes: shape.logOffDelayMinutes },
          latency: { jitter: 0 },
        };
        const scenario = parseScenario(input);
        const uncut = await rehearseWithDetails(scenario);
        const cut = await rehearseInTimeBoxedRuns(scenario, cuts);
        expect(checkInvariants(cut.events, scenario)).toEqual([]);
        expect(cut.outcome.result).toBe(uncut.result.result);
        expectHandovers(cut, scenario);
        const allowed = uncut.result.makespanMinutes * 1.02 + cut.gapMinutes;
        expect(
          cut.makespanMinutes,
          `uncut ${uncut.result.makespanMinutes} min, cut ${cut.makespanMinutes.toFixed(1)} min in ${cut.runs.length} runs with ${cut.gapMinutes} min of waits`,
        ).toBeLessThanOrEqual(allowed);
      }),
      { numRuns: 25, seed: 2026, endOnFailure: true },
    );
  });
});
