/**
 * Property tests: random rehearsals (test/rehearse/scenarioArbitrary.ts) — pool sizes, load, load
 * balancers, delays, batch sizes, mixed power and drain states, session hosts the stack does not
 * manage, outages, drain that reverts, stuck sessions, fault rates, crash points, attempts per
 * host — each rehearsed end to end; every promise must hold (rehearsalProperty.ts).
 *
 * CI runs fixed seeds (the default runs exercise both a succeeded and a failed rollout, asserted);
 * a failure prints the shrunk scenario and the seed and path that replay it. To explore further:
 * `npm run test:properties` (random seed, more runs), or PROPERTY_SEED / PROPERTY_RUNS /
 * PROPERTY_PATH by hand (docs/rehearsal.md).
 */
import { describe, expect, it } from "vitest";
import { referenceDriver } from "./referenceDriver";
import { checkRehearsals, rehearsalHolds } from "./rehearsalProperty";
import { rehearsalCase } from "./scenarioArbitrary";

const FILE = "test/rehearse/invariants.property.test.ts";
const exploring = ["PROPERTY_SEED", "PROPERTY_RUNS", "PROPERTY_PATH"].some((name) => process.env[name]);
/** Exploring runs as long as it takes (and shrinking a failure can take minutes). */
const TIMEOUT_MS = exploring ? 60 * 60_000 : 120_000;

describe("rollout invariants over random rehearsals", () => {
  it(
    "hold for the avd-rollout strategy, with faults, crashes and hosts that do not behave",
    async () => {
      const { outcomes } = await checkRehearsals(
        "hold for the avd-rollout strategy",
        FILE,
        rehearsalCase({ maxHosts: 120, maxCrashes: 4, hostFaults: true }),
        (c) => rehearsalHolds(c, "avd-rollout"),
        { seed: 20261125, numRuns: 40 },
      );
      // Both branches of the promises ran: rollouts that succeeded and rollouts with a failed host.
      if (!exploring) expect(new Set(outcomes)).toEqual(new Set(["succeeded", "failed"]));
    },
    TIMEOUT_MS,
  );

  it(
    "hold for the azure strategy",
    async () => {
      await checkRehearsals(
        "hold for the azure strategy",
        FILE,
        rehearsalCase({ maxHosts: 40, maxCrashes: 2, hostFaults: true }),
        (c) => rehearsalHolds(c, "azure"),
        { seed: 4242, numRuns: 10 },
      );
    },
    TIMEOUT_MS,
  );

  it(
    "hold for the reference driver (the world and the checker agree on a simple correct driver)",
    async () => {
      await checkRehearsals(
        "hold for the reference driver",
        FILE,
        rehearsalCase({ maxHosts: 30, maxCrashes: 3, hostFaults: false }),
        (c) => rehearsalHolds({ ...c, maxAttempts: 5 }, "avd-rollout", referenceDriver),
        { seed: 7, numRuns: 8 },
      );
    },
    TIMEOUT_MS,
  );
});
