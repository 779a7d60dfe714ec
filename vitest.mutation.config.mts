/**
 * The test files mutation testing runs (npm run test:mutation, stryker.config.mjs): the unit and
 * table tests of the mutated modules, the simulated driver and checker tests, the ARM error table
 * over the emulator — not the CLI, browser or property suites, which are slow and reach these
 * modules only through what the listed ones cover.
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "test/core/**/*.test.ts",
      "test/rehearse/invariants.test.ts",
      "test/rehearse/invariants.rules.test.ts",
      "test/rehearse/rehearse.test.ts",
      "test/rehearse/hostFaults.test.ts",
      "test/rehearse/regressions.test.ts",
      "test/program/naming.test.ts",
      "test/program/hostResourceOptions.test.ts",
      "test/program/sessionHosts.test.ts",
      "test/program/registrationEquivalence.test.ts",
      "test/program/stateLedger.test.ts",
      "test/program/stackEntry.test.ts",
      "test/azure/adapters/armErrorTable.test.ts",
      "test/azure/adapters/armErrors.table.test.ts",
      "test/azure/adapters/pureParts.test.ts",
    ],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Stryker's vitest runner runs the files in one worker thread of its own (it overrides this).
    pool: "forks",
  },
});
