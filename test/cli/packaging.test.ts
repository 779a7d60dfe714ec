/**
 * What `npm run build` produces runs on plain node (no tsx) and finds the bundled scenarios and
 * stacks; and `npm test` loads its config without Vite's config-loader warning.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(__dirname, "..", "..");

function run(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: ROOT, encoding: "utf8", env, timeout: 300_000 });
}

describe("packaging", () => {
  it("npm run build output runs: rehearse finds the demo scenario, validate the stacks", () => {
    const build = run("npm", ["run", "--silent", "build"]);
    expect(build.status, build.stdout + build.stderr).toBe(0);
    const main = join(ROOT, "dist", "automation", "cli", "main.js");
    const rehearse = run(process.execPath, [main, "rehearse", "--json"]);
    expect(rehearse.status, rehearse.stderr).toBe(0);
    expect(JSON.parse(rehearse.stdout)).toMatchObject({ scenario: "demo", result: "succeeded" });
    const validate = run(process.execPath, [main, "validate", "--stack", "example"]);
    expect(validate.status, validate.stderr).toBe(0);
    const version = run(process.execPath, [main, "--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("vitest loads its config without a config-loader warning", () => {
    // A child vitest, not this one: strip this run's own variables.
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST")));
    const list = run(
      process.execPath,
      [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "list", "test/cli/flags.test.ts"],
      env,
    );
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toContain("flags.test.ts");
    for (const output of [list.stdout, list.stderr]) {
      expect(output).not.toMatch(/configLoader|\(!\)|deprecated/i);
    }
  });
});
