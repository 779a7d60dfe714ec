import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StatusDocument } from "../../automation/cli/statusView";
import type { AnyEvent } from "../../automation/core/events";
import { recordingIo, runCli, runtimeFor, simulatedPool } from "./harness";

const SMALL = {
  hostPool: { hosts: 4, vmNamePrefix: "avd" },
  update: { maxVmsRemoved: 2, logOffDelayMinutes: 5 },
};

describe("start on the simulated pool", () => {
  it("rolls every host out, writes the event log, and exits 0", async () => {
    const pool = simulatedPool(SMALL);
    const eventsFile = join(mkdtempSync(join(tmpdir(), "avd-cli-")), "rollout.jsonl");
    const io = recordingIo();
    const run = await runCli(
      ["start", "--stack", "prod", "--yes", "--events", eventsFile, "--json"],
      runtimeFor(pool, io),
      pool.clock,
    );
    expect(run.stderr).not.toContain("avd-rollout:");
    expect(run.exitCode).toBe(0);
    const outcome = JSON.parse(run.stdout) as {
      stack: string;
      result: string;
      updated: string[];
      failed: string[];
    };
    expect(outcome).toMatchObject({ stack: "prod", result: "succeeded", failed: [] });
    expect([...outcome.updated].sort()).toEqual(["avd-0", "avd-1", "avd-2", "avd-3"]);
    const logged = readFileSync(eventsFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AnyEvent);
    expect(logged[0]?.type).toBe("rollout.started");
    expect(logged.at(-1)).toMatchObject({ type: "rollout.finished", result: "succeeded" });
    expect(logged.some((e) => e.type.startsWith("world."))).toBe(false);
    // Plain progress lines on stderr (no TTY), never on stdout.
    expect(run.stderr).toContain("batch 0 (initial host): avd-0");
    expect(run.stderr).toMatch(/progress: 4\/4 done \(100%\)/);

    // Afterwards: no drift, status shows the finished rollout, and a second start has nothing to do.
    const drift = await runCli(["drift", "--stack", "prod"], runtimeFor(pool, io), pool.clock);
    expect(drift.exitCode).toBe(0);
    expect(drift.stdout).toContain("no drift");
    const status = await runCli(["status", "--stack", "prod", "--json"], runtimeFor(pool, io), pool.clock);
    const document = JSON.parse(status.stdout) as StatusDocument;
    expect(document.hosts).toEqual({ total: 4, upToDate: 4, outOfDate: [] });
    expect(document.rollout?.status).toBe("succeeded");
    expect(document.progress).toMatchObject({ completed: 4, total: 4, percent: 100, failed: 0 });
    const again = await runCli(["start", "--stack", "prod", "--yes"], runtimeFor(pool, io), pool.clock);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("nothing to roll out");
    pool.world.stop();
  });

  it("refuses to start without a terminal and without --yes (exit 2), changing nothing", async () => {
    const pool = simulatedPool(SMALL);
    const run = await runCli(
      ["start", "--stack", "prod"],
      runtimeFor(pool, recordingIo({ tty: false })),
      pool.clock,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("pass --yes");
    expect(pool.opened).toEqual([]);
    expect(pool.world.stats.stackUps).toBe(0);
  });

  it("asks on a terminal, shows the plan, and does nothing when the answer is no", async () => {
    const pool = simulatedPool(SMALL);
    const io = recordingIo({ tty: true, answer: false });
    const run = await runCli(["start", "--stack", "prod"], runtimeFor(pool, io), pool.clock);
    expect(io.questions).toEqual(["Start the rollout of 4 host(s)?"]);
    expect(run.stderr).toContain("batch 0 (initial): avd-0");
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain("Not started");
    expect(pool.world.stats.stackUps).toBe(0);
    const status = await runCli(["status", "--stack", "prod", "--json"], runtimeFor(pool, io), pool.clock);
    expect((JSON.parse(status.stdout) as StatusDocument).rollout).toBeNull();
  });

  it("draws a live bar on a terminal and plain lines when CI is set", async () => {
    const live = simulatedPool(SMALL);
    const tty = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(live, recordingIo({ tty: true })),
      live.clock,
    );
    expect(tty.exitCode).toBe(0);
    expect(tty.stderr).toMatch(/█{24} 100% \| 4\/4 hosts \| 0 in progress \| 0 failed/);
    // The first frame (drawn at once); later frames are throttled in real time by cli-progress.
    expect(tty.stderr).toMatch(/░{24} 0% \| 0\/4 hosts \| \d in progress \| 0 failed \| ETA \d+m/);
    const ci = simulatedPool(SMALL);
    const plain = await runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(ci, recordingIo({ tty: true, env: { CI: "true" } })),
      ci.clock,
    );
    expect(plain.exitCode).toBe(0);
    expect(plain.stderr).not.toMatch(/[█░]/);
    expect(plain.stderr).toContain("rollout finished: succeeded");
  });

  it("exits 3 naming who holds the pool and since when, when another rollout holds it", async () => {
    const pool = simulatedPool({ ...SMALL, update: { maxVmsRemoved: 1, logOffDelayMinutes: 60 } });
    const alice = runtimeFor(pool, recordingIo(), "alice@laptop");
    const bob = runtimeFor(pool, recordingIo(), "bob@build-agent");
    const first = runCli(["start", "--stack", "prod", "--yes"], alice);
    // Let alice's driver take the lease, then bob tries while her notice is running.
    await pool.clock.advance(60_000);
    const second = await runCli(["start", "--stack", "prod", "--yes", "--json"], bob, pool.clock);
    expect(second.exitCode).toBe(3);
    const error = JSON.parse(second.stdout) as { error: { kind: string; message: string } };
    expect(error.error.kind).toBe("busy");
    expect(error.error.message).toContain("alice@laptop");
    expect(error.error.message).toMatch(/20\d\d-\d\d-\d\dT/);
    const done = await pool.clock.runUntilSettled(first);
    expect(done.exitCode).toBe(0);
  });

  it("schedules the start with --at in a Windows time zone and overrides the policy for one run", async () => {
    const pool = simulatedPool(SMALL);
    const eventsFile = join(mkdtempSync(join(tmpdir(), "avd-cli-")), "rollout.jsonl");
    // Virtual now is 2026-04-13T08:00Z = 10:00 in Berlin (CEST); 13:30 Berlin is 11:30Z.
    const run = await runCli(
      [
        "start",
        "--stack",
        "prod",
        "--yes",
        "--at",
        "2026-04-13T13:30",
        "--time-zone",
        "W. Europe Standard Time",
        "--batch-size",
        "3",
        "--log-off-delay",
        "0",
        "--message",
        "Maintenance now",
        "--delete-original-vm",
        "--events",
        eventsFile,
      ],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    const events = readFileSync(eventsFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AnyEvent);
    const started = events.find((e) => e.type === "rollout.started");
    expect(started).toMatchObject({ batchSize: 3, logOffDelayMinutes: 0, deleteOriginalVm: true });
    expect(Date.parse(started?.t ?? "")).toBeGreaterThanOrEqual(Date.parse("2026-04-13T11:30:00Z"));
    const firstNotice = events.find((e) => e.type === "host.notified" || e.type === "host.drained");
    expect(Date.parse(firstNotice?.t ?? "")).toBeGreaterThanOrEqual(Date.parse("2026-04-13T11:30:00Z"));
    expect(events.filter((e) => e.type === "vm.deleted")).toHaveLength(4);
  });

  it("status --watch follows a rollout run by someone else until it ends", async () => {
    const pool = simulatedPool(SMALL);
    const rollout = runCli(
      ["start", "--stack", "prod", "--yes"],
      runtimeFor(pool, recordingIo(), "pipeline#42"),
    );
    await pool.clock.advance(60_000);
    const watch = await runCli(
      ["status", "--stack", "prod", "--watch", "--json"],
      runtimeFor(pool, recordingIo(), "bob@desk"),
      pool.clock,
    );
    expect(watch.exitCode).toBe(0);
    const document = JSON.parse(watch.stdout) as StatusDocument;
    expect(document.rollout).toMatchObject({ status: "succeeded", owner: "pipeline#42" });
    expect(document.progress).toMatchObject({ completed: 4, total: 4, percent: 100 });
    // Plain progress lines while it ran, on stderr.
    expect(watch.stderr).toMatch(/progress: 0\/4 done/);
    expect(watch.stderr).toMatch(/progress: 4\/4 done \(100%\)/);
    expect((await pool.clock.runUntilSettled(rollout)).exitCode).toBe(0);
  });

  it("exits 1 when the rollout fails, naming the failed host", async () => {
    const pool = simulatedPool({ ...SMALL, faults: { registrationFailureRate: 1 } });
    const run = await runCli(
      ["start", "--stack", "prod", "--yes", "--json"],
      runtimeFor(pool, recordingIo()),
      pool.clock,
    );
    expect(run.exitCode).toBe(1);
    const outcome = JSON.parse(run.stdout) as { result: string; failed: string[]; updated: string[] };
    expect(outcome.result).toBe("failed");
    // The initial host failed: the rest of the pool was not touched.
    expect(outcome.failed).toEqual(["avd-0"]);
    expect(outcome.updated).toEqual([]);
    expect(run.stderr).toMatch(/avd-0: FAILED: /);
    expect(run.stderr).toContain("rollout finished: failed");
    pool.world.stop();
  });

  it("starts after a yes on the terminal", async () => {
    const pool = simulatedPool(SMALL);
    const io = recordingIo({ tty: true, answer: true, env: { CI: "true" } });
    const run = await runCli(
      ["start", "--stack", "prod", "--batch-size", "3"],
      runtimeFor(pool, io),
      pool.clock,
    );
    expect(io.questions).toEqual(["Start the rollout of 4 host(s)?"]);
    expect(run.stderr).toContain("batch 1: avd-1, avd-2, avd-3");
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("succeeded: 4 host(s) updated");
    pool.world.stop();
  });
});
