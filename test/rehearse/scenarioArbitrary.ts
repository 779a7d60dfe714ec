/** Random rehearsal scenarios for property tests (fast-check). */
import fc from "fast-check";
import type { ScenarioInput } from "../../automation/sim/scenario";

export interface ScenarioShape {
  maxHosts: number;
  maxCrashes: number;
}

export function scenarioArbitrary({ maxHosts, maxCrashes }: ScenarioShape): fc.Arbitrary<ScenarioInput> {
  const hostsArb = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.min(20, maxHosts) }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: maxHosts }) },
  );
  return hostsArb.chain((hosts) => {
    const names = Array.from({ length: hosts }, (_, i) => `avd-${i}`);
    const subset = fc.subarray(names, { maxLength: Math.max(0, Math.ceil(hosts / 3)) });
    return fc
      .record({
        seed: fc.integer({ min: 0, max: 1_000_000 }),
        maxSessionsPerHost: fc.integer({ min: 1, max: 16 }),
        sessionsShare: fc.integer({ min: 0, max: 100 }).map((p) => p / 100),
        loadBalancer: fc.constantFrom("BreadthFirst" as const, "DepthFirst" as const),
        deallocated: subset,
        drained: subset,
        maxVmsRemoved: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: hosts + 5 })),
        logOffDelayMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 })),
        deleteOriginalVm: fc.boolean(),
        probability: fc.integer({ min: 0, max: 100 }).map((p) => p / 100),
        meanMinutes: fc.integer({ min: 0, max: 30 }),
        arrivalsPerHour: fc.integer({ min: 0, max: 120 }),
        signBackIn: fc.integer({ min: 0, max: 100 }).map((p) => p / 100),
        jitter: fc.integer({ min: 0, max: 50 }).map((p) => p / 100),
        // Whole percentages: doubles would mostly be subnormal numbers that never fire.
        registrationFailureRate: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 25 }).map((p) => p / 100),
        ),
        armTransientRate: fc.oneof(
          fc.constant(0),
          fc.integer({ min: 1, max: 5 }).map((p) => p / 100),
        ),
        crashes: fc.integer({ min: 0, max: maxCrashes }),
      })
      .map((r): ScenarioInput => ({
        name: `property-${hosts}`,
        seed: r.seed,
        hostPool: {
          hosts,
          loadBalancer: r.loadBalancer,
          maxSessionsPerHost: r.maxSessionsPerHost,
          sessionsPerHost: Math.floor(r.sessionsShare * r.maxSessionsPerHost),
          deallocated: r.deallocated,
          drained: r.drained,
        },
        users: {
          signOutAfterNotice: { probability: r.probability, meanMinutes: r.meanMinutes },
          arrivalsPerHour: r.arrivalsPerHour,
          signBackIn: r.signBackIn,
        },
        update: {
          maxVmsRemoved: r.maxVmsRemoved,
          logOffDelayMinutes: r.logOffDelayMinutes,
          deleteOriginalVm: r.deleteOriginalVm,
        },
        latency: { jitter: r.jitter },
        faults: {
          registrationFailureRate: r.registrationFailureRate,
          armTransientRate: r.armTransientRate,
          crashes: r.crashes,
        },
      }));
  });
}
