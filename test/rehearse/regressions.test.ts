/**
 * Cases the property tests found (shrunk), kept as plain rehearsals so they stay checked whatever
 * the generators draw. Each rehearsal must keep every promise.
 */
import { describe, expect, it } from "vitest";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import type { ScenarioInput } from "../../automation/sim/scenario";

const quiet = { signOutAfterNotice: { probability: 0, meanMinutes: 0 }, arrivalsPerHour: 0, signBackIn: 0 };

describe("regressions found by the property tests", () => {
  it.each<[string, ScenarioInput, number]>([
    [
      // The resumed driver confirmed an interrupted notice at 08:01:00 but reported it at 08:01:02
      // (after a throttled record write), stating a deadline 58 s after the report.
      "a notice confirmed after a crash is reported when it is confirmed (PROPERTY_SEED=1608554797)",
      {
        name: "property-3",
        seed: 121055,
        hostPool: { hosts: 3, maxSessionsPerHost: 1, sessionsPerHost: 0 },
        users: quiet,
        update: { maxVmsRemoved: 1, logOffDelayMinutes: 1 },
        latency: { jitter: 0 },
        faults: { registrationFailureRate: 0.01, armTransientRate: 0.01, crashes: 1 },
      },
      1,
    ],
    [
      // A crash between recording batch 2's start and reporting it lost its batch.started.
      "a batch's start is reported even when the driver dies right after recording it (PROPERTY_SEED=524637182)",
      {
        name: "property-61",
        seed: 63765,
        hostPool: {
          hosts: 61,
          loadBalancer: "DepthFirst",
          maxSessionsPerHost: 6,
          sessionsPerHost: 2,
          drained: ["avd-4"],
        },
        users: { ...quiet, arrivalsPerHour: 83, signBackIn: 0.01 },
        update: { maxVmsRemoved: 2, logOffDelayMinutes: 37 },
        latency: { jitter: 0.04 },
        faults: { crashes: 3 },
      },
      5,
    ],
  ])("%s", async (_name, input, maxAttempts) => {
    const scenario = parseScenario(input);
    const run = await rehearseWithDetails(scenario, { tuning: { maxAttempts } });
    expect(checkInvariants(run.events, scenario)).toEqual([]);
    expect(run.result.result).toBe("succeeded");
  });
});
