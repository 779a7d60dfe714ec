/**
 * The `avd-rollout` binary as a user runs it from a checkout: `--version`, `-h`, the help layout,
 * `npx avd-rollout`, the README's `--json | jq` example, and the missing-Pulumi-CLI message given
 * before any SDK is loaded.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultCliSearch, locatePulumiCli } from "../../automation/pulumi/pulumiCli";

const ROOT = join(__dirname, "..", "..");
const BIN = join(ROOT, "bin", "avd-rollout.js");
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CI: "true", ...env },
    timeout: 120_000,
  });
}

const cli = (...args: string[]) => run(process.execPath, [BIN, ...args]);

describe("avd-rollout from a checkout", () => {
  it("--version prints the package version", () => {
    const result = cli("--version");
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
  });

  it("-h prints the help, with each command's options only under that command", () => {
    const top = cli("-h");
    expect(top.status).toBe(0);
    expect(top.stdout).toContain("avd-rollout validate");
    const options = top.stdout.slice(top.stdout.indexOf("Options:"));
    expect(options).toContain("--version");
    expect(options).toContain("-h, --help");
    for (const flag of ["--scenario", "--strategy", "--stack", "--json", "--events"]) {
      expect(options).not.toContain(flag);
    }
    const plan = cli("plan", "--help");
    expect(plan.status).toBe(0);
    expect(plan.stdout).toMatch(/--stack\s+Pulumi stack of the host pool[^[]*\[string\] \[required\]/);
    const rehearse = cli("rehearse", "-h");
    expect(rehearse.stdout).toContain("--scenario");
    expect(rehearse.stdout).toContain("--batch-size");
    expect(rehearse.stdout).toContain("--log-off-delay");
  });

  it("npx avd-rollout runs the checkout's own binary (nothing is installed)", () => {
    const result = run("npx", ["--no-install", "avd-rollout", "--version"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(VERSION);
  });

  const hasJq = spawnSync("jq", ["--version"]).status === 0;
  it.skipIf(!hasJq)("the README's --json | jq example works and leaves no untracked file behind", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const examples = readme.split("\n").filter((line) => /--json\s*\|\s*jq/.test(line));
    expect(examples.length).toBeGreaterThan(0);
    const eventsFile = join(ROOT, "events.jsonl");
    const existed = existsSync(eventsFile);
    try {
      for (const example of examples) {
        const command = example.replace(/\s+#.*$/, "").trim();
        // npm's banner on stdout would break the pipe: the README uses --silent or npx.
        expect(command).toMatch(/^(npm start --silent --|npx avd-rollout) /);
        const result = run("bash", ["-o", "pipefail", "-c", command]);
        expect(result.status, `${command}\n${result.stderr}`).toBe(0);
        expect(result.stdout.trim()).not.toBe("");
      }
      if (existsSync(eventsFile)) {
        // What the example writes is ignored by git, so it never shows as a change.
        expect(run("git", ["check-ignore", "-q", "events.jsonl"]).status).toBe(0);
      }
    } finally {
      if (!existed) rmSync(eventsFile, { force: true });
    }
  });

  const cliInstalled = locatePulumiCli(defaultCliSearch()) !== null;
  it.skipIf(cliInstalled)("says the Pulumi CLI is required before loading the Azure SDK or Pulumi", () => {
    // Runs the CLI and reports, at exit, which heavy modules were loaded.
    const script = [
      'process.argv = [process.argv[0], "avd-rollout", "drift", "--stack", "prod"];',
      'require("./automation/cli/main.ts");',
      'process.on("exit", () => {',
      "  const heavy = Object.keys(require.cache).filter((file) =>",
      "    /@pulumi[\\\\/](pulumi[\\\\/]automation|azure-native)|@azure[\\\\/](arm-|identity)/.test(file));",
      '  process.stderr.write("\\nHEAVY=" + JSON.stringify(heavy) + "\\n");',
      "});",
    ].join("\n");
    const result = run(process.execPath, ["--require", "tsx/cjs", "-e", script], { PATH: "/usr/bin:/bin" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The Pulumi CLI is required");
    const heavy = JSON.parse(/HEAVY=(.*)/.exec(result.stderr)![1]!) as string[];
    expect(heavy).toEqual([]);
  });
});
