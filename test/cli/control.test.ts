import { describe, expect, it } from "vitest";
import type { StatusDocument } from "../../automation/cli/statusView";
import { recordingIo, runCli, runtimeFor, simulatedPool, type SimulatedPool } from "./harness";

const POOL = {
  hostPool: { hosts: 6, vmNamePrefix: "avd" },
  update: { maxVmsRemoved: 1, logOffDelayMinutes: 30 },
};

async function statusOf(pool: SimulatedPool): Promise<StatusDocument> {
  const run = await runCli(
    ["status", "--stack", "prod", "--json"],
    runtimeFor(pool, recordingIo(), "viewer"),
    pool.clock,
  );
  return JSON.parse(run.stdout) as StatusDocument;
}

describe("pause / resume", () => {
  it("pauses after the in-flight batch, holds the pool, and resumes to the end from another machine", async () => {
    const pool = simulatedPool(POOL);
    const alice = runtimeFor(pool, recordingIo(), "alice@laptop");
    const rollout = runCli(["start", "--stack", "prod", "--yes", "--json"], alice);
    await pool.clock.advance(40 * 60_000);

    const pause = await runCli(
      ["pause", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(pause.exitCode).toBe(0);
    expect(JSON.parse(pause.stdout)).toMatchObject({ action: "pause", status: "pausing", changed: true });

    const paused = await pool.clock.runUntilSettled(rollout);
    expect(paused.exitCode).toBe(0);
    expect(JSON.parse(paused.stdout)).toMatchObject({ result: "paused" });
    const during = await statusOf(pool);
    expect(during.rollout?.status).toBe("paused");
    expect(during.hosts.upToDate).toBeGreaterThan(0);
    expect(during.hosts.upToDate).toBeLessThan(6);

    // A paused rollout still holds the pool: a new start is refused with exit 3 and what to do.
    const carol = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo(), "carol@desk"),
      pool.clock,
    );
    expect(carol.exitCode).toBe(3);
    expect(carol.stderr).toContain("paused");
    expect(carol.stderr).toContain("resume");

    const resume = await runCli(
      ["resume", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(resume.exitCode).toBe(0);
    expect(JSON.parse(resume.stdout)).toMatchObject({ result: "succeeded", failed: [] });
    const after = await statusOf(pool);
    expect(after.rollout).toMatchObject({ status: "succeeded", owner: "bob@desk" });
    expect(after.hosts).toEqual({ total: 6, upToDate: 6, outOfDate: [] });
    pool.world.stop();
  });

  it("refuses to pause or resume when no rollout is recorded (exit 2)", async () => {
    const pool = simulatedPool(POOL);
    for (const action of ["pause", "resume", "cancel", "retry"]) {
      const run = await runCli([action, "--stack", "prod"], runtimeFor(pool, recordingIo()), pool.clock);
      expect(run.exitCode).toBe(2);
      expect(run.stderr).toContain(`cannot ${action}: no rollout is recorded`);
    }
  });
});

describe("cancel", () => {
  it("lets the in-flight batch finish, ends the rollout, and frees the pool", async () => {
    const pool = simulatedPool(POOL);
    const rollout = runCli(
      ["start", "--stack", "prod", "--yes", "--json"],
      runtimeFor(pool, recordingIo(), "alice@laptop"),
    );
    await pool.clock.advance(40 * 60_000);
    const cancel = await runCli(
      ["cancel", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(cancel.exitCode).toBe(0);
    expect(cancel.stdout).toContain("cancelling");
    const ended = await pool.clock.runUntilSettled(rollout);
    expect(ended.exitCode).toBe(0);
    const outcome = JSON.parse(ended.stdout) as { result: string; updated: string[] };
    expect(outcome.result).toBe("cancelled");
    const status = await statusOf(pool);
    expect(status.rollout?.status).toBe("cancelled");
    // Completed hosts stay updated; the rest were never touched.
    expect(status.hosts.upToDate).toBe(outcome.updated.length);
    expect(status.hosts.upToDate).toBeLessThan(6);
    // The pool is free again: a new start runs the remaining hosts.
    const again = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo(), "carol@desk"),
      pool.clock,
    );
    expect(again.exitCode).toBe(0);
    expect((await statusOf(pool)).hosts.upToDate).toBe(6);
    pool.world.stop();
  });
});

describe("retry", () => {
  it("retries a failed rollout once the cause is fixed, without redoing the hosts that succeeded", async () => {
    const pool = simulatedPool({
      ...POOL,
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 0 },
      faults: { registrationFailureRate: 1 },
    });
    const failed = await runCli(
      ["start", "--stack", "prod", "--yes", "--json"],
      runtimeFor(pool, recordingIo(), "pipeline#1"),
      pool.clock,
    );
    expect(failed.exitCode).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ result: "failed", failed: ["avd-0"] });
    expect((await statusOf(pool)).failed).toHaveProperty("avd-0");

    // resume is refused for a failed rollout: it names retry (exit 2, nothing changed).
    const resume = await runCli(
      ["resume", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "pipeline#2"),
      pool.clock,
    );
    expect(resume.exitCode).toBe(2);
    expect(resume.stderr).toContain("use retry");

    // The cause is fixed (registrations succeed again), then retry drives it to the end.
    (pool.world.scenario.faults as { registrationFailureRate: number }).registrationFailureRate = 0;
    const ups = pool.world.stats.stackUps;
    const retry = await runCli(
      ["retry", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo(), "pipeline#2"),
      pool.clock,
    );
    expect(retry.exitCode).toBe(0);
    expect(JSON.parse(retry.stdout)).toMatchObject({ result: "succeeded", failed: [] });
    const status = await statusOf(pool);
    expect(status.rollout).toMatchObject({ status: "succeeded", owner: "pipeline#2" });
    expect(status.hosts.upToDate).toBe(6);
    // One up for the retried initial host plus one per remaining batch of 2 (5 hosts → 3).
    expect(pool.world.stats.stackUps - ups).toBe(4);
    pool.world.stop();
  });
});

describe("after a crash", () => {
  it("resume takes over a rollout whose driver died, once its heartbeat is stale", async () => {
    const pool = simulatedPool(POOL);
    const rollout = runCli(["start", "--stack", "prod", "--yes"], runtimeFor(pool, recordingIo(), "agent-1"));
    await pool.clock.advance(40 * 60_000);
    pool.world.crashCurrent(); // the pipeline agent dies mid-rollout
    const died = await pool.clock.runUntilSettled(rollout);
    expect(died.exitCode).toBe(1);

    // Right away the lease is still fresh: another machine is told who holds it.
    const early = await runCli(
      ["resume", "--stack", "prod"],
      runtimeFor(pool, recordingIo(), "agent-2"),
      pool.clock,
    );
    expect(early.exitCode).toBe(0);
    expect(early.stderr).toContain("is running");
    const busy = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo(), "agent-2"),
      pool.clock,
    );
    expect(busy.exitCode).toBe(3);
    expect(busy.stderr).toContain("held by agent-1");

    await pool.clock.advance(6 * 60_000);
    const resumed = await runCli(
      ["resume", "--stack", "prod", "--json"],
      runtimeFor(pool, recordingIo(), "agent-2"),
      pool.clock,
    );
    expect(resumed.exitCode).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ result: "succeeded", failed: [] });
    expect((await statusOf(pool)).hosts).toEqual({ total: 6, upToDate: 6, outOfDate: [] });
    pool.world.stop();
  });
});
