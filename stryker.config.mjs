// Mutation testing (`npm run test:mutation`, StrykerJS with its vitest runner): plants one small
// bug at a time in the modules below and checks that a test fails. Not part of `npm test` (a full
// run takes tens of minutes on two cores); incremental (on here): a later run re-tests only mutants
// whose code or covering tests changed, recorded in .stryker/incremental.json (gitignored: local
// to a checkout). Scores and surviving mutants: bench/RESULTS.md.
//
// The invariant checker has a run of its own (stryker.checker.config.mjs): every simulated rollout
// calls it, so here its mutants would each re-run every rehearsal, which can only catch a checker
// made stricter — its own boundary tests catch both ways.
/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutation.config.mts", related: false },
  mutate: [
    "automation/core/decide.ts",
    "automation/core/policies/*.ts",
    "automation/core/planner.ts",
    "automation/core/phase.ts",
    "program/sessionHosts/*.ts",
    "automation/azure/armErrors.ts",
  ],
  coverageAnalysis: "perTest",
  incremental: true,
  incrementalFile: ".stryker/incremental.json",
  tempDirName: ".stryker/tmp",
  cleanTempDir: "always",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: ".stryker/report/mutation.html" },
  jsonReporter: { fileName: ".stryker/report/mutation.json" },
  concurrency: 2,
  // Static mutants (module-level constants) would need every test re-run per mutant.
  ignoreStatic: true,
  timeoutMS: 60_000,
  thresholds: { high: 90, low: 85, break: null },
};
