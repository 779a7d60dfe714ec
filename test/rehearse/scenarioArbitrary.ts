/**
 * Random rehearsals for the property tests (fast-check): a scenario — pool size, load, load
 * balancer, delay (> 0), batch size, faults, crash points — plus the driver's attempts per host,
 * so that some runs end with a failed host. Every field is drawn independently (no `chain`), so a
 * failing case shrinks field by field to a small one; host lists are drawn as indexes and cut to
 * the pool, so they shrink with it.
 */
import fc from "fast-check";
import type { ScenarioInput } from "../../automation/sim/scenario";

export interface RehearsalCase {
  scenario: ScenarioInput;
  /** Attempts per host before it fails for good (the driver's `maxAttempts`). */
  maxAttempts: number;
}

export interface CaseShape {
  maxHosts: number;
  maxCrashes: number;
  /**
   * Hosts that do not behave: session hosts the stack does not manage, outages (always ending,
   * so the rollout can finish), drain mode that reverts, sessions that outlive a sign-out.
   */
  hostFaults: boolean;
}

const percent = (min: number, max: number) => fc.integer({ min, max }).map((p) => p / 100);
/** Up to `max` distinct host indexes (cut to the pool when the case is built). */
const hostIndexes = (max: number) => fc.uniqueArray(fc.nat({ max: 199 }), { maxLength: max });

export function rehearsalCase({ maxHosts, maxCrashes, hostFaults }: CaseShape): fc.Arbitrary<RehearsalCase> {
  const none = <T>(value: T, arbitrary: fc.Arbitrary<T>) =>
    hostFaults
      ? fc.oneof({ weight: 2, arbitrary: fc.constant(value) }, { weight: 1, arbitrary })
      : fc.constant(value);
  return fc
    .record({
      hosts: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: Math.min(12, maxHosts) }) },
        { weight: 1, arbitrary: fc.integer({ min: 1, max: maxHosts }) },
      ),
      seed: fc.integer({ min: 0, max: 1_000_000 }),
      maxSessionsPerHost: fc.integer({ min: 1, max: 16 }),
      sessionsShare: percent(0, 100),
      loadBalancer: fc.constantFrom("BreadthFirst" as const, "DepthFirst" as const),
      deallocated: hostIndexes(4),
      drained: hostIndexes(4),
      unmanaged: none(
        { available: 0, drained: 0, down: 0 },
        fc.record({
          available: fc.integer({ min: 0, max: 3 }),
          drained: fc.integer({ min: 0, max: 2 }),
          down: fc.integer({ min: 0, max: 2 }),
        }),
      ),
      // Batch sizes up to beyond the pool ("larger than the pool is fine").
      maxVmsRemoved: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: maxHosts + 2 })),
      logOffDelayMinutes: fc.integer({ min: 1, max: 60 }),
      deleteOriginalVm: fc.boolean(),
      probability: percent(0, 100),
      meanMinutes: fc.integer({ min: 0, max: 30 }),
      arrivalsPerHour: fc.integer({ min: 0, max: 120 }),
      signBackIn: percent(0, 100),
      jitter: percent(0, 50),
      // Whole percentages: doubles would mostly be subnormal numbers that never fire.
      registrationFailureRate: fc.oneof(fc.constant(0), percent(1, 40)),
      armTransientRate: fc.oneof(fc.constant(0), percent(1, 5)),
      crashes: fc.integer({ min: 0, max: maxCrashes }),
      outages: none(
        [],
        fc.uniqueArray(
          fc.record({
            host: fc.nat({ max: 199 }),
            atMinutes: fc.integer({ min: 0, max: 240 }),
            minutes: fc.integer({ min: 5, max: 240 }),
          }),
          { maxLength: 2, selector: (o) => o.host },
        ),
      ),
      drainReverts: none([], hostIndexes(2)),
      stuckSessions: none([], hostIndexes(2)),
      maxAttempts: fc.oneof(
        { weight: 3, arbitrary: fc.constant(5) },
        { weight: 2, arbitrary: fc.integer({ min: 1, max: 2 }) },
      ),
    })
    .map((r): RehearsalCase => {
      const names = (indexes: readonly number[]) => indexes.filter((i) => i < r.hosts).map((i) => `avd-${i}`);
      return {
        maxAttempts: r.maxAttempts,
        scenario: {
          name: `property-${r.hosts}`,
          seed: r.seed,
          hostPool: {
            hosts: r.hosts,
            loadBalancer: r.loadBalancer,
            maxSessionsPerHost: r.maxSessionsPerHost,
            sessionsPerHost: Math.floor(r.sessionsShare * r.maxSessionsPerHost),
            deallocated: names(r.deallocated),
            drained: names(r.drained),
            unmanaged: r.unmanaged,
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
            outages: r.outages
              .filter((o) => o.host < r.hosts)
              .map((o) => ({ host: `avd-${o.host}`, atMinutes: o.atMinutes, minutes: o.minutes })),
            drainReverts: names(r.drainReverts),
            stuckSessions: names(r.stuckSessions),
          },
        },
      };
    });
}
