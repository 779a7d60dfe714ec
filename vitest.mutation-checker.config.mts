/** The tests mutation testing runs against the invariant checker (stryker.checker.config.mjs). */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/rehearse/invariants.test.ts", "test/rehearse/invariants.rules.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
