/**
 * Property tests: random scenarios (pool sizes 1-200, batch sizes, delays, load balancers,
 * mixed power and drain states, fault rates, crash counts) rehearsed end to end; the invariant
 * checker must find nothing. Run counts keep the file well under a minute on two cores.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkInvariants } from "../../automation/sim/invariants";
import type { RehearsalDriver } from "../../automation/sim/driverModule";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import type { Strategy } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import { referenceDriver } from "./referenceDriver";
import { scenarioArbitrary } from "./scenarioArbitrary";

async function holds(
  input: Parameters<typeof parseScenario>[0],
  strategy: Strategy,
  driver?: RehearsalDriver,
): Promise<void> {
  const scenario = parseScenario(input);
  const run = await rehearseWithDetails(scenario, { strategy, driver });
  const violations = checkInvariants(run.events, scenario);
  expect(violations, JSON.stringify({ result: run.result, violations: violations.slice(0, 5) })).toEqual([]);
  // The world knows each session: none received a second message (crash-resume included).
  expect(run.world.stats.sessionsRenotified).toBe(0);
  // Capacity budget per host (spec 5.2): hosts available at the start and not available now.
  expect(run.world.stats.maxInitialHostsOut).toBeLessThanOrEqual(scenario.update.maxVmsRemoved);
  expect(run.result.crashes).toBeLessThanOrEqual(scenario.faults.crashes);
  if (run.result.result === "succeeded") {
    expect(run.result.updated).toBe(scenario.hostPool.hosts);
    expect(run.result.failed).toEqual([]);
  } else {
    expect(run.result.result).toBe("failed");
    expect(run.result.failed.length).toBeGreaterThan(0);
  }
}

describe("rollout invariants over random scenarios", () => {
  it("hold for the avd-rollout strategy, with faults and crashes", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary({ maxHosts: 200, maxCrashes: 4 }), (input) =>
        holds(input, "avd-rollout"),
      ),
      { numRuns: 14, seed: 20261125, endOnFailure: true },
    );
  });

  it("hold for the azure strategy", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary({ maxHosts: 60, maxCrashes: 2 }), (input) => holds(input, "azure")),
      { numRuns: 6, seed: 4242, endOnFailure: true },
    );
  });

  it("hold for the reference driver (the world and the checker agree on a simple correct driver)", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArbitrary({ maxHosts: 40, maxCrashes: 3 }), (input) =>
        holds(input, "avd-rollout", referenceDriver),
      ),
      { numRuns: 8, seed: 7, endOnFailure: true },
    );
  });
});
