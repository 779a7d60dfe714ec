/**
 * `status --all` / `status --stacks a,b,c`: one row per host pool, `--json` for dashboards — on
 * several simulated pools sharing one virtual clock, one of them unreadable.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FleetDocument, UnreadableStack } from "../../automation/cli/fleetStatus";
import type { PortsFactory } from "../../automation/cli/portsFactory";
import type { CliRuntime } from "../../automation/cli/runtime";
import { stackNamesOf } from "../../automation/cli/stackFiles";
import type { StatusDocument } from "../../automation/cli/statusView";
import { InputError } from "../../automation/core/errors";
import { parseScenario } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import { DEFAULT_START, SimulatedWorld } from "../../automation/sim/world";
import { recordingIo, runCli, type RecordingIo } from "./harness";

interface Fleet {
  clock: VirtualClock;
  runtime(io?: RecordingIo, owner?: string): CliRuntime;
  stop(): void;
}

/** Pools `weu` (6 hosts), `neu` (4) and `sea` (3) on one clock; stack `broken` has an invalid config. */
function fleet(): Fleet {
  const clock = new VirtualClock(DEFAULT_START);
  const worlds = new Map<string, SimulatedWorld>();
  for (const [stack, hosts] of [
    ["weu", 6],
    ["neu", 4],
    ["sea", 3],
  ] as const) {
    const scenario = parseScenario({
      name: stack,
      seed: hosts,
      hostPool: { hosts, vmNamePrefix: stack },
      update: { maxVmsRemoved: 1, logOffDelayMinutes: 30 },
    });
    const world = new SimulatedWorld(scenario, clock, undefined, { hostPoolName: `hp-${stack}` });
    world.start();
    worlds.set(stack, world);
  }
  const factory: PortsFactory = {
    open: async (stack) => {
      const world = worlds.get(stack);
      if (!world)
        throw new InputError(
          `avd-rollout:sessionHosts.count in stacks/Pulumi.${stack}.yaml is "ten": give a whole number`,
        );
      return { ports: world.ports() };
    },
    listStacks: async () => ["broken", "neu", "sea", "weu"],
  };
  return {
    clock,
    runtime: (io = recordingIo(), owner = "viewer") => ({
      io,
      ports: factory,
      owner,
      now: () => clock.now(),
    }),
    stop: () => {
      for (const world of worlds.values()) world.stop();
    },
  };
}

describe("status of many pools", () => {
  it("--all shows every stack's rollout in one table, and a stack it cannot read says why (exit 1)", async () => {
    const pools = fleet();
    // weu: a time-boxed run handed over; sea: rolled out; neu: nothing yet.
    const weu = await runCli(
      ["start", "--stack", "weu", "--yes", "--max-run-minutes", "45"],
      pools.runtime(recordingIo(), "pipeline#7"),
      pools.clock,
    );
    expect(weu.exitCode).toBe(4);
    const sea = await runCli(["start", "--stack", "sea", "--yes"], pools.runtime(), pools.clock);
    expect(sea.exitCode).toBe(0);

    const json = await runCli(["status", "--all", "--json"], pools.runtime(), pools.clock);
    expect(json.exitCode).toBe(1);
    const document = JSON.parse(json.stdout) as FleetDocument;
    expect(document.stacks.map((entry) => entry.stack)).toEqual(["broken", "neu", "sea", "weu"]);
    const [broken, neu, seaRow, weuRow] = document.stacks as [
      UnreadableStack,
      StatusDocument,
      StatusDocument,
      StatusDocument,
    ];
    expect(broken.error).toMatchObject({ kind: "invalidInput", exitCode: 2 });
    expect(broken.error.message).toContain("sessionHosts.count");
    expect(neu).toMatchObject({ rollout: null, hosts: { total: 4, upToDate: 0 } });
    expect(seaRow.rollout?.status).toBe("succeeded");
    expect(seaRow.progress).toMatchObject({ completed: 3, total: 3, percent: 100 });
    expect(weuRow.rollout).toMatchObject({ status: "running", owner: "pipeline#7" });
    expect(weuRow.rollout?.releasedAt).not.toBeNull();

    const table = await runCli(["status", "--all"], pools.runtime(), pools.clock);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^STACK\s+ROLLOUT\s+STATUS\s+PROGRESS\s+FAILED\s+ETA\s+OWNER\s+NOTE$/);
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^broken\s+unreadable\s+.*sessionHosts\.count/);
    expect(lines[2]).toMatch(/^neu\s+none\s+0\/4 up to date\s+4 host\(s\) out of date$/);
    expect(lines[3]).toMatch(/^sea\s+rollout-\S+\s+succeeded\s+3\/3 \(100%\)\s+0\s+viewer/);
    expect(lines[4]).toMatch(
      /^weu\s+rollout-\S+\s+running\s+\d\/6 \(\d+%\)\s+0\s+\S+\s+pipeline#7\s+handed over 20/,
    );
    // Columns line up.
    const status = lines[0].indexOf("STATUS");
    for (const line of lines.slice(2)) expect(line.slice(status, status + 4)).toMatch(/^(none|succ|runn)/);
    pools.stop();
  });

  it("--stacks reads the named stacks only (exit 0 when all read) and writes the table as Markdown", async () => {
    const pools = fleet();
    const dir = mkdtempSync(join(tmpdir(), "avd-fleet-"));
    const stepSummary = join(dir, "step-summary.md");
    writeFileSync(stepSummary, "");
    const run = await runCli(
      ["status", "--stacks", "sea, neu,sea", "--json"],
      pools.runtime(recordingIo({ env: { GITHUB_STEP_SUMMARY: stepSummary } })),
      pools.clock,
    );
    expect(run.exitCode).toBe(0);
    const document = JSON.parse(run.stdout) as FleetDocument;
    expect(document.stacks.map((entry) => entry.stack)).toEqual(["sea", "neu"]);
    const markdown = readFileSync(stepSummary, "utf8");
    expect(markdown).toContain("| STACK | ROLLOUT | STATUS |");
    expect(markdown).toContain("| sea |  | none | 0/3 up to date |");
    pools.stop();
  });

  it("refuses what a table of pools cannot do (exit 2, nothing read)", async () => {
    const pools = fleet();
    const cases: [string[], string][] = [
      [["--all", "--stacks", "weu"], "--all and --stacks"],
      [["--all", "--stack", "weu"], "give --stack for one pool"],
      [["--stacks", "weu", "--watch"], "--watch shows one pool"],
      [["--all", "--report", join(tmpdir(), "r.html")], "--report shows one pool"],
      [["--stacks", "weu,,neu"], "an empty name"],
      [["--stacks", "we u"], "not a valid Pulumi stack name"],
      [["--all=yes"], "--all takes no value"],
    ];
    for (const [args, says] of cases) {
      const run = await runCli(["status", ...args], pools.runtime(), pools.clock);
      expect(run.exitCode, args.join(" ")).toBe(2);
      expect(run.stderr).toContain(says);
    }
    pools.stop();
  });

  it("--all reads the project's stack files (stackConfigDir of Pulumi.yaml)", () => {
    const project = mkdtempSync(join(tmpdir(), "avd-project-"));
    writeFileSync(
      join(project, "Pulumi.yaml"),
      "name: avd-rollout\nruntime: nodejs\nstackConfigDir: stacks\n",
    );
    mkdirSync(join(project, "stacks"));
    for (const file of ["Pulumi.prod-weu.yaml", "Pulumi.prod-10.yaml", "Pulumi.prod-9.yml", "README.md"])
      writeFileSync(join(project, "stacks", file), "config: {}\n");
    expect(stackNamesOf(project)).toEqual(["prod-9", "prod-10", "prod-weu"]);
    // This repository's own stacks.
    expect(stackNamesOf(join(__dirname, "..", ".."))).toEqual(["dev", "example"]);
  });
});
