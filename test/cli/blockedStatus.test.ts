/**
 * A rollout held by a host that stays down: it does not stall in silence. The event log shows
 * `rollout.blocked` again and again, and `status` (text and JSON, from another machine) says what
 * it waits for, since when and what to do; `cancel` still ends it.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { StatusDocument } from "../../automation/cli/statusView";
import { recordingIo, runCli, runtimeFor, simulatedPool } from "./harness";

const MINUTE = 60_000;

describe("a rollout waiting on a host that stays down", () => {
  it("reports rollout.blocked, status explains the wait, cancel ends it", async () => {
    const pool = simulatedPool({
      hostPool: { hosts: 4, vmNamePrefix: "avd" },
      update: { maxVmsRemoved: 1, logOffDelayMinutes: 30 },
      latency: { jitter: 0 },
      faults: { outages: [{ host: "avd-3", atMinutes: 5 }] },
    });
    const alice = runtimeFor(pool, recordingIo(), "alice@laptop");
    const log = join(mkdtempSync(join(tmpdir(), "blocked-")), "events.jsonl");
    const rollout = runCli(["start", "--stack", "prod", "--yes", "--json", "--events", log], alice);
    await pool.clock.advance(5 * 60 * MINUTE);

    const events = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { type: string });
    const blocked = events.filter((e) => e.type === "rollout.blocked");
    // The initial host is held from the end of its notice (26 minutes: it emptied early) on, every 10 minutes.
    expect(blocked.length).toBeGreaterThanOrEqual(20);
    const viewer = runtimeFor(pool, recordingIo(), "viewer");
    const text = await runCli(["status", "--stack", "prod"], viewer, pool.clock);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(
      /Waiting since 2026-04-13T08:\d\d:\d\d\.\d+Z \(budget\): avd-0 is ready to leave service, but the budget of 1 host\(s\) out of service is used up by hosts that are down for reasons of their own: avd-3\. Bring them back \(or raise --batch-size\) and the rollout continues\./,
    );
    const json = JSON.parse(
      (await runCli(["status", "--stack", "prod", "--json"], viewer, pool.clock)).stdout,
    ) as StatusDocument;
    expect(json.rollout).toMatchObject({ status: "running", blocked: { waitingFor: "budget" } });
    expect(json.progress?.completed).toBe(0);

    const cancel = await runCli(["cancel", "--stack", "prod", "--json"], viewer, pool.clock);
    expect(cancel.exitCode).toBe(0);
    const ended = await pool.clock.runUntilSettled(rollout);
    expect(JSON.parse(ended.stdout)).toMatchObject({ result: "cancelled" });
    const after = JSON.parse(
      (await runCli(["status", "--stack", "prod", "--json"], viewer, pool.clock)).stdout,
    ) as StatusDocument;
    expect(after.rollout?.blocked).toBeNull();
  });
});
