import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: forks keep the Pulumi mock runtime (process-global) isolated per file.
    pool: "forks",
    server: {
      deps: {
        // Imports its JSON schema without an import attribute (made for bundlers): let Vite load it.
        inline: ["@actions/workflow-parser"],
      },
    },
    reporters: process.env.CI ? ["default"] : ["default"],
  },
});
