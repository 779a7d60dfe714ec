// `npm run test:properties [runs] [seed]`: the property tests with a random seed (or the given
// one) and more runs than CI's fixed ones (default 300), to look further for a failing case. A
// failure prints the seed and path that replay it (docs/rehearsal.md).
import { spawnSync } from "node:child_process";

const [runs = "300", seed = "random"] = process.argv.slice(2);
const result = spawnSync("npx", ["vitest", "run", "test/rehearse/invariants.property.test.ts"], {
  stdio: "inherit",
  shell: process.platform === "win32",
  env: { ...process.env, PROPERTY_RUNS: runs, PROPERTY_SEED: seed },
});
process.exit(result.status ?? 1);
