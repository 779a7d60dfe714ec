// Mutation testing of the invariant checker (part of `npm run test:mutation`, see
// stryker.config.mjs): its boundary tests (test/rehearse/invariants.test.ts) — one promise broken
// just past its limit, and kept just inside it — must catch every mutant.
import base from "./stryker.config.mjs";

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: "vitest.mutation-checker.config.mts", related: false },
  mutate: ["automation/sim/invariants.ts"],
  incrementalFile: ".stryker/incremental-checker.json",
  htmlReporter: { fileName: ".stryker/report/checker.html" },
  jsonReporter: { fileName: ".stryker/report/checker.json" },
};
