/**
 * `rehearse`'s flags and the default command: bad flags exit 2 with a message naming the flag;
 * `--batch-size` / `--log-off-delay` rehearse a variant of the scenario without editing it; no
 * command (or only rehearse's flags) rehearses.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withDefaultCommand } from "../../automation/cli/commands";
import type { RehearsalResult } from "../../automation/sim/rehearse";
import { offlineRuntime, runCli } from "./harness";

const dir = mkdtempSync(join(tmpdir(), "avd-rollout-rehearse-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const STANDARD_10 = join(__dirname, "../../scenarios/standard-10.json");

describe("rehearse flags", () => {
  const bad: [string[], RegExp][] = [
    [
      ["rehearse", "--scenario", "a.json", "--scenario", "b.json"],
      /--scenario was given 2 times \(a\.json, b\.json\); give it once/,
    ],
    [["rehearse", "--scenario"], /--scenario needs a value: write --scenario FILE/],
    [["rehearse", "--scenario", "--json"], /--scenario needs a value/],
    [["rehearse", "--strategy", "azure", "--strategy", "avd-rollout"], /--strategy was given 2 times/],
    [["rehearse", "--strategy", "fast"], /--strategy "fast" is not a strategy; use avd-rollout or azure/],
    [
      ["rehearse", "--batch-size", "0"],
      /--batch-size 0: out of range; give a whole number of hosts of at least 1/,
    ],
    [["rehearse", "--batch-size", "three"], /--batch-size "three": not a whole number/],
    [
      ["rehearse", "--log-off-delay", "1441"],
      /--log-off-delay 1441: out of range; give whole minutes from 0 to 1440/,
    ],
    [["rehearse", "--events", "a.jsonl", "--events", "b.jsonl"], /--events was given 2 times/],
    [
      ["rehearse", "--scenario", "no-such-file.json"],
      /--scenario "no-such-file\.json": cannot read the file \(ENOENT\)/,
    ],
  ];
  it.each(bad)("%j exits 2 naming the flag", async (args, message) => {
    const run = await runCli(args, offlineRuntime());
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain("ERR_INVALID_ARG_TYPE");
    // Nothing on stdout, or with --json the one error document.
    if (args.includes("--json")) expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 2 });
    else expect(run.stdout).toBe("");
  });

  it("--batch-size and --log-off-delay override the scenario's update policy for this run", async () => {
    const events = join(dir, "override.jsonl");
    const plain = JSON.parse(
      (await runCli(["rehearse", "--scenario", STANDARD_10, "--json"], offlineRuntime())).stdout,
    ) as RehearsalResult;
    const run = await runCli(
      [
        "rehearse",
        "--scenario",
        STANDARD_10,
        "--batch-size",
        "9",
        "--log-off-delay",
        "5",
        "--events",
        events,
        "--json",
      ],
      offlineRuntime(),
    );
    expect(run.exitCode, run.stderr).toBe(0);
    const varied = JSON.parse(run.stdout) as RehearsalResult;
    // standard-10 runs batches of 3 with a 30-minute delay (initial host + 3 batches, one stack
    // update each); the variant runs the initial host and one batch of 9, with 5 minutes' notice.
    expect(plain.stackUps).toBe(4);
    expect(varied.stackUps).toBe(2);
    expect(varied.updated).toBe(10);
    expect(varied.makespanMinutes).toBeLessThan(plain.makespanMinutes);
    const started = readFileSync(events, "utf8")
      .split("\n")
      .filter((line) => line.includes('"rollout.started"'))
      .map((line) => JSON.parse(line) as { batchSize: number; logOffDelayMinutes: number });
    expect(started).toEqual([expect.objectContaining({ batchSize: 9, logOffDelayMinutes: 5 })]);
    const text = await runCli(
      ["rehearse", "--scenario", STANDARD_10, "--batch-size", "9", "--log-off-delay", "5"],
      offlineRuntime(),
    );
    expect(text.stdout).toContain("batches of 9, 5 min notice");
  });
});

describe("the default command", () => {
  it("is rehearse for no arguments or only rehearse's flags, never for --help or --version", () => {
    expect(withDefaultCommand([])).toEqual(["rehearse"]);
    expect(withDefaultCommand(["--json"])).toEqual(["rehearse", "--json"]);
    expect(withDefaultCommand(["--scenario", "x.json"])).toEqual(["rehearse", "--scenario", "x.json"]);
    expect(withDefaultCommand(["--help"])).toEqual(["--help"]);
    expect(withDefaultCommand(["-h"])).toEqual(["-h"]);
    expect(withDefaultCommand(["--version"])).toEqual(["--version"]);
    expect(withDefaultCommand(["plan", "--stack", "prod"])).toEqual(["plan", "--stack", "prod"]);
  });

  it("with no arguments rehearses the bundled demo scenario", async () => {
    const run = await runCli([], offlineRuntime());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^Rehearsal "demo" \(/);
  });

  it("with only --json prints the demo rehearsal as one JSON document", async () => {
    const run = await runCli(["--json"], offlineRuntime());
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as RehearsalResult).scenario).toBe("demo");
  });
});
