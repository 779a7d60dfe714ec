/**
 * Time-boxed runs through the CLI (issue 10): `--max-run-minutes` / AVD_ROLLOUT_MAX_RUN_MINUTES on
 * `start`, `resume`, `retry` and `continue`, exit code 4, and `plan`'s warning — on a simulated
 * pool, each run a different pipeline job (lease owner), with virtual waits between runs.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanDocument } from "../../automation/cli/commands/plan";
import type { StatusDocument } from "../../automation/cli/statusView";
import {
  MAX_RUN_MINUTES_ENV,
  MIN_MAX_RUN_MINUTES,
  TIME_BOX_RESERVE_MINUTES,
} from "../../automation/cli/timeBox";
import type { AnyEvent } from "../../automation/core/events";
import { recordingIo, runCli, runtimeFor, simulatedPool, type SimulatedPool } from "./harness";

const MINUTE = 60_000;
/** About 3 hours uncut: far longer than one 45-minute run. */
const LONG = {
  hostPool: { hosts: 10, vmNamePrefix: "avd" },
  update: { maxVmsRemoved: 2, logOffDelayMinutes: 30 },
};

async function statusOf(pool: SimulatedPool): Promise<StatusDocument> {
  const run = await runCli(
    ["status", "--stack", "prod", "--json"],
    runtimeFor(pool, recordingIo()),
    pool.clock,
  );
  return JSON.parse(run.stdout) as StatusDocument;
}

describe("--max-run-minutes", () => {
  it("cuts a rollout into runs of at most M minutes that exit 4, and `continue` carries it to the end", async () => {
    const pool = simulatedPool(LONG);
    const dir = mkdtempSync(join(tmpdir(), "avd-timebox-"));
    const eventsFile = join(dir, "rollout.jsonl");
    const summary = join(dir, "summary.md");
    const first = pool.clock.now();
    const start = await runCli(
      ["start", "--stack", "prod", "--yes", "--max-run-minutes", "45", "--events", eventsFile, "--json"],
      runtimeFor(pool, recordingIo(), "pipeline#1"),
      pool.clock,
    );
    expect(start.exitCode).toBe(4);
    expect(JSON.parse(start.stdout)).toMatchObject({ stack: "prod", result: "handover", failed: [] });
    expect(pool.clock.now() - first).toBeLessThanOrEqual(45 * MINUTE);
    expect(pool.clock.now() - first).toBeGreaterThanOrEqual((45 - TIME_BOX_RESERVE_MINUTES) * MINUTE);
    const handedOver = await statusOf(pool);
    expect(handedOver.rollout?.status).toBe("running");
    expect(handedOver.rollout?.releasedAt).not.toBeNull();

    // The schedule: a new job every 15 minutes continues it, each a new owner, until it is done.
    let exitCode = 4;
    let runs = 1;
    while (exitCode === 4) {
      await pool.clock.runUntilSettled(pool.clock.sleep(15 * MINUTE));
      const began = pool.clock.now();
      const run = await runCli(
        [
          "continue",
          "--stack",
          "prod",
          "--max-run-minutes",
          "45",
          "--events",
          eventsFile,
          "--summary-md",
          summary,
        ],
        runtimeFor(pool, recordingIo(), `pipeline#${++runs}`),
        pool.clock,
      );
      exitCode = run.exitCode;
      expect(pool.clock.now() - began).toBeLessThanOrEqual(45 * MINUTE);
      if (exitCode === 4) expect(run.stdout).toContain("avd-rollout continue --stack prod");
      expect(runs).toBeLessThan(30);
    }
    expect(exitCode).toBe(0);
    expect(runs).toBeGreaterThan(2);
    const done = await statusOf(pool);
    expect(done.rollout?.status).toBe("succeeded");
    expect(done.hosts).toEqual({ total: 10, upToDate: 10, outOfDate: [] });
    // One event log across all runs: one start, one finish, a handover per run but the last.
    const events = readFileSync(eventsFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AnyEvent);
    expect(events.filter((e) => e.type === "rollout.started")).toHaveLength(1);
    expect(events.filter((e) => e.type === "rollout.handover")).toHaveLength(runs - 1);
    expect(events.at(-1)).toMatchObject({ type: "rollout.finished", result: "succeeded" });
    // The last run's summary covers the whole rollout (from the shared event log).
    expect(readFileSync(summary, "utf8")).toMatch(/succeeded/);
    pool.world.stop();
  });

  it(`reads ${MAX_RUN_MINUTES_ENV} when the flag is absent; the flag wins`, async () => {
    const pool = simulatedPool(LONG);
    const env = { [MAX_RUN_MINUTES_ENV]: "45" };
    const began = pool.clock.now();
    const start = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo({ env }), "pipeline#1"),
      pool.clock,
    );
    expect(start.exitCode).toBe(4);
    expect(pool.clock.now() - began).toBeLessThanOrEqual(45 * MINUTE);
    // The flag overrides the environment: a long time box lets this run finish the rollout.
    const rest = await runCli(
      ["continue", "--stack", "prod", "--max-run-minutes", "1440"],
      runtimeFor(pool, recordingIo({ env }), "pipeline#2"),
      pool.clock,
    );
    expect(rest.exitCode).toBe(0);
    expect(rest.stdout).toContain("succeeded");
  });

  it("refuses a bad time box (exit 2) naming the flag or the variable, before anything changes", async () => {
    const pool = simulatedPool(LONG);
    const cases: { args: string[]; env?: NodeJS.ProcessEnv; says: string }[] = [
      { args: ["--max-run-minutes", "20"], says: `--max-run-minutes 20: out of range` },
      { args: ["--max-run-minutes", "45.5"], says: `--max-run-minutes "45.5": not a whole number` },
      { args: ["--max-run-minutes", "50", "--max-run-minutes", "60"], says: "given 2 times" },
      { args: [], env: { [MAX_RUN_MINUTES_ENV]: "an hour" }, says: `${MAX_RUN_MINUTES_ENV} "an hour"` },
    ];
    for (const command of ["start", "continue", "resume", "retry", "plan"]) {
      for (const { args, env, says } of cases) {
        const extra = command === "start" ? ["--yes"] : [];
        const run = await runCli(
          [command, "--stack", "prod", ...extra, ...args],
          runtimeFor(pool, recordingIo({ env: env ?? {} })),
          pool.clock,
        );
        expect(run.exitCode, `${command} ${args.join(" ")}`).toBe(2);
        expect(run.stderr).toContain(says);
        if (says.includes("out of range")) expect(run.stderr).toContain(`from ${MIN_MAX_RUN_MINUTES}`);
      }
    }
    expect(pool.opened).toEqual([]);
    expect((await statusOf(pool)).rollout).toBeNull();
    // pause and cancel do not drive: the variable is not theirs to read.
    const pause = await runCli(
      ["pause", "--stack", "prod"],
      runtimeFor(pool, recordingIo({ env: { [MAX_RUN_MINUTES_ENV]: "oops" } })),
      pool.clock,
    );
    expect(pause.stderr).toContain("no rollout is recorded");
  });

  it("lets resume and retry take over a handed-over rollout, time-boxed", async () => {
    const pool = simulatedPool({ ...LONG, faults: { registrationFailureRate: 0 } });
    const start = await runCli(
      ["start", "--stack", "prod", "--yes", "--max-run-minutes", "45"],
      runtimeFor(pool, recordingIo(), "pipeline#1"),
      pool.clock,
    );
    expect(start.exitCode).toBe(4);
    // An administrator resumes it from a laptop: the lease was released, so it drives at once.
    const resume = await runCli(
      ["resume", "--stack", "prod", "--max-run-minutes", "60", "--json"],
      runtimeFor(pool, recordingIo(), "alice@laptop"),
      pool.clock,
    );
    expect(resume.exitCode).toBe(4);
    expect(JSON.parse(resume.stdout)).toMatchObject({ result: "handover" });
    expect((await statusOf(pool)).rollout?.owner).toBe("alice@laptop");

    // A failure, then `retry` in a time box.
    (pool.world.scenario.faults as { registrationFailureRate: number }).registrationFailureRate = 1;
    const failing = await runCli(
      ["continue", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "pipeline#2"),
      pool.clock,
    );
    expect(failing.exitCode).toBe(1);
    (pool.world.scenario.faults as { registrationFailureRate: number }).registrationFailureRate = 0;
    const retry = await runCli(
      ["retry", "--stack", "prod", "--max-run-minutes", "45", "--json"],
      runtimeFor(pool, recordingIo(), "pipeline#3"),
      pool.clock,
    );
    expect([0, 4]).toContain(retry.exitCode);
    const rest = await runCli(
      ["continue", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "pipeline#4"),
      pool.clock,
    );
    expect(rest.exitCode).toBe(0);
    expect((await statusOf(pool)).rollout?.status).toBe("succeeded");
  });
});

describe("continue", () => {
  it("has nothing to carry on without an active rollout (exit 0, and says what would)", async () => {
    const pool = simulatedPool(LONG);
    const none = await runCli(
      ["continue", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(none.exitCode).toBe(0);
    expect(JSON.parse(none.stdout)).toEqual({
      stack: "prod",
      result: "nothingToContinue",
      rollout: null,
      status: null,
    });

    // Paused: a person resumes it, not a schedule.
    const rollout = runCli(["start", "--stack", "prod", "--yes"], runtimeFor(pool, recordingIo(), "alice"));
    await pool.clock.advance(10 * MINUTE);
    await runCli(["pause", "--stack", "prod"], runtimeFor(pool, recordingIo(), "bob"), pool.clock);
    expect((await pool.clock.runUntilSettled(rollout)).exitCode).toBe(0);
    const paused = await runCli(["continue", "--stack", "prod"], runtimeFor(pool, recordingIo()), pool.clock);
    expect(paused.exitCode).toBe(0);
    expect(paused.stdout).toContain("is paused");
    expect(paused.stdout).toContain("avd-rollout resume --stack prod");
    expect((await statusOf(pool)).rollout?.status).toBe("paused");
  });

  it("names retry for a failed rollout, and exits 3 while another driver holds the pool", async () => {
    const pool = simulatedPool({ ...LONG, faults: { registrationFailureRate: 1 } });
    const failed = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(failed.exitCode).toBe(1);
    const after = await runCli(["continue", "--stack", "prod"], runtimeFor(pool, recordingIo()), pool.clock);
    expect(after.exitCode).toBe(0);
    expect(after.stdout).toContain("is failed");
    expect(after.stdout).toContain("avd-rollout retry --stack prod");

    const busy = simulatedPool(LONG);
    const running = runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(busy, recordingIo(), "pipeline#1"),
    );
    await busy.clock.advance(5 * MINUTE);
    const second = await runCli(
      ["continue", "--stack", "prod", "--json"],
      runtimeFor(busy, recordingIo(), "pipeline#2"),
      busy.clock,
    );
    expect(second.exitCode).toBe(3);
    expect(JSON.parse(second.stdout)).toMatchObject({ error: { kind: "busy" } });
    expect(second.stderr).toContain("pipeline#1");
    expect((await busy.clock.runUntilSettled(running)).exitCode).toBe(0);
  });

  it("takes over a rollout whose driver died once its heartbeat is stale", async () => {
    const pool = simulatedPool(LONG);
    // A job killed mid-run: its driver simply stops (the promise is dropped, its ports die).
    void runCli(["start", "--stack", "prod", "--yes"], runtimeFor(pool, recordingIo(), "pipeline#1"));
    await pool.clock.advance(20 * MINUTE);
    pool.world.crashCurrent();
    await pool.clock.advance(6 * MINUTE);
    const run = await runCli(
      ["continue", "--stack", "prod", "--max-run-minutes", "600"],
      runtimeFor(pool, recordingIo(), "pipeline#2"),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    expect((await statusOf(pool)).rollout).toMatchObject({ status: "succeeded", owner: "pipeline#2" });
  });
});

describe("plan and the job time a run gets", () => {
  it("warns when the estimate exceeds one run and says how many runs it takes", async () => {
    const pool = simulatedPool(LONG);
    const run = await runCli(
      ["plan", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo({ env: { [MAX_RUN_MINUTES_ENV]: "50" } })),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    const plan = JSON.parse(run.stdout) as PlanDocument;
    expect(plan.estimatedMinutes).toBeGreaterThan(50);
    const runs = Math.ceil(plan.estimatedMinutes / (50 - TIME_BOX_RESERVE_MINUTES));
    expect(plan.runs).toEqual({
      jobMinutes: 50,
      source: MAX_RUN_MINUTES_ENV,
      exceeds: true,
      maxRunMinutes: 50,
      runs,
    });
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings?.[0]).toContain(`up to ${runs} time-boxed runs`);
    const text = await runCli(
      ["plan", "--stack", "prod", "--max-run-minutes", "600"],
      runtimeFor(pool, recordingIo({ env: { [MAX_RUN_MINUTES_ENV]: "50" } })),
      pool.clock,
    );
    expect(text.stdout).not.toContain("Warning");
    const short = await runCli(
      ["plan", "--stack", "prod", "--max-run-minutes", "50"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(short.stdout).toContain(`Warning: the rollout takes about ${plan.estimatedMinutes} minutes`);
    expect(short.stdout).toContain("(--max-run-minutes)");
  });

  it("on GitHub Actions without a time box, warns past the hosted job's 6 hours", async () => {
    // About 12 hours: 40 batches of one host.
    const pool = simulatedPool({
      hostPool: { hosts: 40 },
      update: { maxVmsRemoved: 1, logOffDelayMinutes: 30 },
    });
    const github = await runCli(
      ["plan", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo({ env: { GITHUB_ACTIONS: "true" } })),
      pool.clock,
    );
    const plan = JSON.parse(github.stdout) as PlanDocument;
    expect(plan.estimatedMinutes).toBeGreaterThan(360);
    expect(plan.runs).toMatchObject({ jobMinutes: 360, source: "GitHub-hosted job limit", exceeds: true });
    expect(plan.warnings?.[0]).toContain(`${MAX_RUN_MINUTES_ENV}=50`);
    const local = await runCli(
      ["plan", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(JSON.parse(local.stdout)).toMatchObject({ runs: null, warnings: [] });
  });
});
