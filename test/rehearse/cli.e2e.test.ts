/** The rehearse command end to end, as a user runs it: a child process, its exit code and outputs. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AnyEvent } from "../../automation/core/events";
import { checkInvariants } from "../../automation/sim/invariants";
import { parseScenario } from "../../automation/sim/scenario";

const dir = mkdtempSync(join(tmpdir(), "rehearse-cli-"));

/** `npx tsx automation/cli/main.ts ...` exactly as `npm start -- ...` runs it. */
function npxCli(...args: string[]) {
  const run = spawnSync("npx", ["tsx", "automation/cli/main.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The same through node and tsx's loader directly: no npx start-up cost on a busy machine. */
function cli(...args: string[]) {
  const run = spawnSync(process.execPath, ["-r", "tsx/cjs", "automation/cli/main.ts", ...args], {
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function scenarioFile(name: string, content: unknown): string {
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

describe("avd-rollout rehearse", () => {
  it("prints one JSON document and writes the event log (exit 0)", () => {
    const raw = {
      name: "cli-ok",
      seed: 3,
      hostPool: { hosts: 6, drained: ["avd-2"] },
      update: { maxVmsRemoved: 2 },
    };
    const events = join(dir, "ok.jsonl");
    const run = npxCli("rehearse", "--scenario", scenarioFile("ok", raw), "--json", "--events", events);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      scenario: "cli-ok",
      strategy: "avd-rollout",
      result: "succeeded",
      hosts: 6,
      updated: 6,
      failed: [],
    });
    const log = readFileSync(events, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as AnyEvent);
    const firstAvailability = log.findIndex((e) => e.type === "world.availability");
    expect(firstAvailability).toBeGreaterThanOrEqual(0);
    expect(firstAvailability).toBeLessThan(log.findIndex((e) => e.type === "rollout.started"));
    expect(log.some((e) => e.type === "rollout.finished")).toBe(true);
    expect(checkInvariants(log, parseScenario(raw))).toEqual([]);
  });

  it("exits 1 when the rollout fails", () => {
    const raw = { name: "cli-fail", hostPool: { hosts: 3 }, faults: { registrationFailureRate: 1 } };
    const run = cli("rehearse", "--scenario", scenarioFile("fail", raw), "--json");
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({
      scenario: "cli-fail",
      result: "failed",
      failed: ["avd-0"],
      updated: 0,
    });
  });

  it("exits 2 on invalid input, naming the field, value and fix, with nothing on stdout but the error document", () => {
    const bad = cli("rehearse", "--scenario", scenarioFile("bad", { update: { maxVmsRemoved: 0 } }));
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toMatch(/update\.maxVmsRemoved = 0 is invalid: .*set it to 1 or more/);
    const strategy = cli("rehearse", "--strategy", "fastest", "--json");
    expect(strategy.code).toBe(2);
    expect(JSON.parse(strategy.stdout)).toMatchObject({ exitCode: 2, error: { kind: "invalidInput" } });
    expect(strategy.stderr).toMatch(/--strategy "fastest".*avd-rollout or azure/);
    expect(cli("rehearse", "--no-such-flag").code).toBe(2);
  });

  it("runs the demo scenario with no arguments and prints a short summary", () => {
    const run = cli();
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Rehearsal "demo"/);
    for (const line of ["Duration:", "Lowest capacity:", "Signed out by force:", "Notified twice:"])
      expect(run.stdout).toContain(line);
  });
});
