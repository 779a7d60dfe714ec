import { describe, expect, it } from "vitest";
import type { PlanDocument } from "../../automation/cli/commands/plan";
import type { StatusDocument } from "../../automation/cli/statusView";
import { DESIRED_REVISION } from "../../automation/sim/world";
import { recordingIo, runCli, runtimeFor, simulatedPool } from "./harness";

describe("plan", () => {
  it("lists the initial host and the batches in natural order, and changes nothing", async () => {
    const pool = simulatedPool({
      hostPool: { hosts: 12, vmNamePrefix: "avd" },
      update: { maxVmsRemoved: 4, logOffDelayMinutes: 30 },
    });
    const run = await runCli(
      ["plan", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    const plan = JSON.parse(run.stdout) as PlanDocument;
    expect(plan.stack).toBe("prod");
    expect(plan.revision).toBe(DESIRED_REVISION);
    expect(plan.initial).toBe("avd-0");
    expect(plan.batches.map((b) => b.hosts)).toEqual([
      ["avd-0"],
      ["avd-1", "avd-2", "avd-3", "avd-4"],
      ["avd-5", "avd-6", "avd-7", "avd-8"],
      ["avd-9", "avd-10", "avd-11"],
    ]);
    expect(plan.batchSize).toBe(4);
    // The initial host alone (delay + replacement), then the next notice, then one replacement
    // per batch (15 min estimate each): 2W + P + 3P.
    expect(plan.estimatedMinutes).toBe(2 * 30 + 4 * 15);
    expect(plan.rollout).toBeNull();
    expect(pool.world.stats.stackUps).toBe(0);
    expect(pool.events.filter((e) => !e.type.startsWith("world."))).toEqual([]);
  });

  it("uses --batch-size over the stack's policy and prints a readable plan without --json", async () => {
    const pool = simulatedPool({ hostPool: { hosts: 5, vmNamePrefix: "avd" }, update: { maxVmsRemoved: 1 } });
    const run = await runCli(
      ["plan", "--stack", "prod", "--batch-size", "2"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("batch 0 (initial): avd-0");
    expect(run.stdout).toContain("batch 1: avd-1, avd-2");
    expect(run.stdout).toContain("batch 2: avd-3, avd-4");
  });
});

describe("status", () => {
  it("reports no rollout and the out-of-date hosts as one JSON document", async () => {
    const pool = simulatedPool({ hostPool: { hosts: 3, vmNamePrefix: "avd" } });
    const run = await runCli(
      ["status", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    const status = JSON.parse(run.stdout) as StatusDocument;
    expect(status).toEqual({
      stack: "prod",
      rollout: null,
      progress: null,
      failed: {},
      hosts: { total: 3, upToDate: 0, outOfDate: ["avd-0", "avd-1", "avd-2"] },
    });
  });

  it("refuses --watch when there is nothing to watch (exit 2)", async () => {
    const pool = simulatedPool({ hostPool: { hosts: 2, vmNamePrefix: "avd" } });
    const run = await runCli(
      ["status", "--stack", "prod", "--watch"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("--watch: no rollout is recorded");
  });
});

describe("drift", () => {
  it("exits 5 (drift found) and names the out-of-date hosts when the configuration changed", async () => {
    const pool = simulatedPool({ hostPool: { hosts: 3, vmNamePrefix: "avd" } });
    const run = await runCli(
      ["drift", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(5);
    const report = JSON.parse(run.stdout) as {
      drift: boolean;
      outOfDate: string[];
      missing: string[];
      cloud: null;
    };
    expect(report.drift).toBe(true);
    expect(report.outOfDate).toEqual(["avd-0", "avd-1", "avd-2"]);
    expect(report.missing).toEqual([]);
    expect(report.cloud).toBeNull();
    expect(pool.world.stats.stackUps).toBe(0);
  });

  it("exits 1, not 5, when the check could not run (an expired credential, no Pulumi CLI)", async () => {
    const io = recordingIo();
    const runtime = {
      io,
      owner: "test",
      now: () => 0,
      ports: {
        open: () =>
          Promise.reject(new Error("AADSTS700082: The refresh token has expired due to inactivity")),
      },
    };
    const run = await runCli(["drift", "--stack", "prod", "--json"], runtime);
    expect(run.exitCode).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 1, error: { kind: "failed" } });
    expect(run.stderr).toContain("refresh token has expired");
  });
});

describe("--json on errors", () => {
  it("still prints exactly one JSON document, with the exit code", async () => {
    const pool = simulatedPool({ hostPool: { hosts: 2, vmNamePrefix: "avd" } });
    const run = await runCli(
      ["plan", "--stack", "bad stack!", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(2);
    expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 2, error: { kind: "invalidInput" } });
    expect(pool.opened).toEqual([]);
  });
});
