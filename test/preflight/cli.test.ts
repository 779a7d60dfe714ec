/**
 * The preflight through the CLI on a simulated pool: the commands get, besides the simulated
 * ports, the stack's preflight subject (a parsed stack configuration's target and a simulated
 * subscription). `plan` reports it; `start` (and a `resume` before the first notice) refuses what
 * would fail part-way with exit 2, before any host is touched.
 */
import { describe, expect, it } from "vitest";
import type { PlanDocument } from "../../automation/cli/commands/plan";
import { passingCatalog, type EnvironmentCatalog } from "../../automation/preflight/catalog";
import { SimulatedAzureEnvironment } from "../../automation/preflight/simulatedEnvironment";
import { preflightTargetOf, type PreflightTarget } from "../../automation/preflight/target";
import { parseStackConfig } from "../../program/config";
import { recordingIo, runCli, runtimeFor, simulatedPool, type SimulatedPool } from "../cli/harness";
import { entraConfig } from "../program/config/fixtures";

const SMALL = {
  hostPool: { hosts: 4, vmNamePrefix: "avd" },
  update: { maxVmsRemoved: 2, logOffDelayMinutes: 5 },
};

interface PreflightPool extends SimulatedPool {
  target: PreflightTarget;
  catalog: EnvironmentCatalog;
}

/** A simulated pool whose stack has a session host configuration moving to `vmSize`. */
function poolWithPreflight(vmSize = "Standard_D4ads_v5"): PreflightPool {
  const pool = simulatedPool(SMALL);
  const raw = entraConfig();
  (raw["avd-rollout:sessionHostConfiguration"] as Record<string, unknown>).vmSizeId = vmSize;
  const target = preflightTargetOf(parseStackConfig(raw), pool.world.subscriptionId);
  const catalog = passingCatalog(target);
  const environment = new SimulatedAzureEnvironment(catalog);
  return {
    ...pool,
    target,
    catalog,
    factory: {
      open: async (stack) => {
        pool.opened.push(stack);
        return { ports: pool.world.ports(), preflight: { target, environment } };
      },
    },
  };
}

/** The DSv5 family has 4 vCPUs left: far from the 32 that 4 hosts moving to D8s_v5 need. */
function quotaExceeded(): PreflightPool {
  const pool = poolWithPreflight("Standard_D8s_v5");
  Object.assign(
    pool.catalog.usages.find((u) => u.name === "standardDSv5Family")!,
    { current: 96, limit: 100 },
  );
  return pool;
}

describe("plan", () => {
  it("shows the preflight in a few readable lines, and --json carries every check", async () => {
    const pool = poolWithPreflight();
    const text = await runCli(["plan", "--stack", "prod"], runtimeFor(pool, recordingIo()), pool.clock);
    expect(text.exitCode).toBe(0);
    const lines = text.stdout.split("\n");
    const at = lines.findIndex((line) => line.startsWith("Preflight:"));
    expect(lines[at]).toBe("Preflight: passed (5 of 8 check(s) passed).");
    expect(lines[at + 1]).toBe("  ok   vCPU quota, VM size, image, subnet addresses, access");

    const json = await runCli(
      ["plan", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    const document = JSON.parse(json.stdout) as PlanDocument;
    expect(document.preflight?.result).toBe("passed");
    expect(document.preflight?.checks.map((c) => c.id)).toEqual([
      "quota",
      "vmSize",
      "image",
      "purchasePlan",
      "subnet",
      "access",
      "dataCollectionRule",
      "downloadUrls",
    ]);
  });

  it("reports a failing preflight with what to change, and still exits 0 (plan changes nothing)", async () => {
    const pool = quotaExceeded();
    const run = await runCli(["plan", "--stack", "prod"], runtimeFor(pool, recordingIo()), pool.clock);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("Preflight: FAILED, 1 of 8 check(s); `start` refuses until this is fixed:");
    expect(run.stdout).toContain(
      "  FAIL vCPU quota: Standard DSv5 Family vCPUs in westeurope: 4 free, the rollout needs up to 32 (28 missing)",
    );
    expect(run.stdout).toMatch(/ {7}fix: request an increase of Standard DSv5 Family vCPUs by at least 28/);
  });

  it("says nothing of a preflight where the world has none to run", async () => {
    const pool = simulatedPool(SMALL);
    const run = await runCli(
      ["plan", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect((JSON.parse(run.stdout) as PlanDocument).preflight).toBeNull();
  });
});

describe("start", () => {
  it("refuses a rollout whose new size exceeds the quota before any host is touched (exit 2)", async () => {
    const pool = quotaExceeded();
    const run = await runCli(
      ["start", "--stack", "prod", "--yes", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(2);
    const error = JSON.parse(run.stdout) as { error: { kind: string; message: string } };
    expect(error.error.kind).toBe("invalidInput");
    expect(error.error.message).toContain("preflight failed for stack prod");
    expect(error.error.message).toContain("vCPU quota: Standard DSv5 Family vCPUs in westeurope: 4 free");
    expect(error.error.message).toContain("fix: request an increase");
    // Nothing happened: no record, no notice, no drain, no stack update.
    expect(pool.world.stats.stackUps).toBe(0);
    expect(pool.events.filter((e) => !e.type.startsWith("world."))).toEqual([]);
    expect([...pool.world.hosts()].every((host) => host.sessionHost?.allowNewSession !== false)).toBe(true);
    const status = await runCli(
      ["status", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect((JSON.parse(status.stdout) as { rollout: unknown }).rollout).toBeNull();

    // With the quota raised, the same start goes through.
    Object.assign(
      pool.catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { limit: 200 },
    );
    const again = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain("Preflight: passed");
    expect(again.stdout).toContain("succeeded: 4 host(s) updated");
    pool.world.stop();
  });

  it("refuses on a terminal before asking", async () => {
    const pool = quotaExceeded();
    const io = recordingIo({ tty: true, answer: true });
    const run = await runCli(["start", "--stack", "prod"], runtimeFor(pool, io), pool.clock);
    expect(run.exitCode).toBe(2);
    expect(io.questions).toEqual([]);
    expect(run.stderr).toContain("FAIL vCPU quota");
    expect(pool.world.stats.stackUps).toBe(0);
  });

  it("counts the run's --delete-original-vm and --batch-size", async () => {
    const pool = poolWithPreflight();
    // 11 usable addresses (16 - 5 reserved), 9 in use: 2 free. Keeping the 4 originals needs 4 new
    // addresses for good; deleting them needs one batch (2) at once.
    Object.assign(pool.catalog.subnets[0]!, { addressPrefixes: ["10.0.1.0/28"], ipConfigurations: 9 });
    const kept = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(kept.exitCode).toBe(2);
    expect(kept.stderr).toContain(
      "subnet addresses: subnet vnet-avd/hosts: 10.0.1.0/28 has 11 usable addresses",
    );
    const deleting = await runCli(
      ["start", "--stack", "prod", "--yes", "--delete-original-vm", "--batch-size", "2"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(deleting.exitCode).toBe(0);
    pool.world.stop();
  });
});

describe("resume of a rollout that has not notified anyone yet", () => {
  it("runs the preflight again and refuses, leaving the rollout as it was", async () => {
    const pool = poolWithPreflight("Standard_D8s_v5");
    const alice = runtimeFor(pool, recordingIo(), "alice@laptop");
    // Scheduled for the evening, then paused before it began.
    const scheduled = runCli(["start", "--stack", "prod", "--yes", "--at", "2026-04-13T20:00:00Z"], alice);
    await pool.clock.advance(60_000);
    expect((await runCli(["pause", "--stack", "prod"], alice, pool.clock)).exitCode).toBe(0);
    expect((await pool.clock.runUntilSettled(scheduled)).stdout).toContain("paused");

    // Meanwhile the family's quota was used up elsewhere.
    Object.assign(
      pool.catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { current: 1000, limit: 1000 },
    );
    const resume = await runCli(
      ["resume", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(resume.exitCode).toBe(2);
    expect(resume.stderr).toContain("preflight failed for stack prod");
    const status = await runCli(["status", "--stack", "prod", "--json"], alice, pool.clock);
    expect(
      (JSON.parse(status.stdout) as { rollout: { status: string; owner: string } }).rollout,
    ).toMatchObject({
      status: "paused",
      owner: "alice@laptop",
    });
    expect(pool.world.stats.stackUps).toBe(0);

    Object.assign(
      pool.catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { limit: 2000 },
    );
    const resumed = await runCli(
      ["resume", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stderr).toContain("Preflight: passed");
    pool.world.stop();
  });

  it("is not repeated once users were notified: the rollout is under way", async () => {
    const pool = poolWithPreflight("Standard_D8s_v5");
    const alice = runtimeFor(pool, recordingIo(), "alice@laptop");
    const running = runCli(["start", "--stack", "prod", "--yes"], alice);
    const touched = async (): Promise<boolean> => {
      const { record } = await pool.world.ports().hostPool.readRecord();
      return Object.values(record?.hosts ?? {}).some(
        (h) => h.noticeAt !== undefined || h.committedAt !== undefined,
      );
    };
    for (let step = 0; step < 20 && !(await touched()); step++) await pool.clock.advance(30_000);
    expect(await touched()).toBe(true);
    expect((await runCli(["pause", "--stack", "prod"], alice, pool.clock)).exitCode).toBe(0);
    expect((await pool.clock.runUntilSettled(running)).stdout).toContain("paused");

    Object.assign(
      pool.catalog.usages.find((u) => u.name === "standardDSv5Family")!,
      { current: 1000, limit: 1000 },
    );
    const resumed = await runCli(
      ["resume", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(resumed.stderr).not.toContain("Preflight");
    expect(resumed.exitCode).toBe(0);
    expect(resumed.stdout).toContain("succeeded");
    pool.world.stop();
  });
});
