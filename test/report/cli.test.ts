/**
 * The report flags end to end through the CLI: `rehearse --compare/--report/--summary-md`,
 * `$GITHUB_STEP_SUMMARY`, `start --summary-md`, `status --report/--summary-md/--events`, and the
 * refusals (exit 2, nothing written).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { recordingIo, runCli, runtimeFor, simulatedPool } from "../cli/harness";

const folder = () => mkdtempSync(join(tmpdir(), "avd-report-"));

function scenarioFile(dir: string): string {
  const path = join(dir, "small.json");
  writeFileSync(
    path,
    JSON.stringify({
      name: "small",
      seed: 5,
      hostPool: { hosts: 6, vmNamePrefix: "avd", maxSessionsPerHost: 8, sessionsPerHost: 3 },
      update: { maxVmsRemoved: 2, logOffDelayMinutes: 10 },
    }),
  );
  return path;
}

describe("rehearse with reports", () => {
  it("--compare rehearses both strategies and prints both side by side, in JSON too", async () => {
    const dir = folder();
    const pool = simulatedPool();
    const io = recordingIo();
    const json = await runCli(
      ["rehearse", "--scenario", scenarioFile(dir), "--compare", "--json"],
      runtimeFor(pool, io),
    );
    expect(json.exitCode).toBe(0);
    const document = JSON.parse(json.stdout) as Record<string, { strategy: string; makespanMinutes: number }>;
    expect(Object.keys(document)).toEqual(["scenario", "avd-rollout", "azure"]);
    expect(document["avd-rollout"].strategy).toBe("avd-rollout");
    expect(document.azure.strategy).toBe("azure");
    expect(document.azure.makespanMinutes).toBeGreaterThan(document["avd-rollout"].makespanMinutes);

    const text = await runCli(
      ["rehearse", "--scenario", scenarioFile(dir), "--compare"],
      runtimeFor(pool, io),
    );
    expect(text.stdout).toMatch(/avd-rollout compared with azure/);
    expect(text.stdout).toMatch(/^ {2}Duration +\d/m);
  });

  it("--report and --summary-md write the report and summary; $GITHUB_STEP_SUMMARY is appended to", async () => {
    const dir = folder();
    const stepSummary = join(dir, "step-summary.md");
    writeFileSync(stepSummary, "earlier step\n");
    const pool = simulatedPool();
    const io = recordingIo({ env: { GITHUB_STEP_SUMMARY: stepSummary } });
    const report = join(dir, "report.html");
    const summary = join(dir, "summary.md");
    const events = join(dir, "events.jsonl");
    const run = await runCli(
      [
        "rehearse",
        "--scenario",
        scenarioFile(dir),
        "--compare",
        "--report",
        report,
        "--summary-md",
        summary,
        "--events",
        events,
      ],
      runtimeFor(pool, io),
    );
    expect(run.stderr).toBe("");
    expect(run.exitCode).toBe(0);
    const html = readFileSync(report, "utf8");
    expect(html).toContain('data-strategy="avd-rollout"');
    expect(html).toContain('data-strategy="azure"');
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toMatch(/^## Rehearsal "small"/);
    expect(markdown).toContain("|  | avd-rollout | azure |");
    expect(markdown).toContain("```mermaid");
    expect(readFileSync(stepSummary, "utf8")).toBe(`earlier step\n${markdown}\n`);
    // The appended log holds both runs, and they can be told apart again.
    const { reportsFromEvents, parseEventLog } = await import("../../automation/report");
    expect(reportsFromEvents(parseEventLog(readFileSync(events, "utf8"), events))).toHaveLength(2);
  });

  it("leaves the Mermaid chart out on Azure DevOps, which does not render it", async () => {
    const dir = folder();
    const summary = join(dir, "summary.md");
    const io = recordingIo({ env: { TF_BUILD: "True" } });
    const run = await runCli(
      ["rehearse", "--scenario", scenarioFile(dir), "--summary-md", summary],
      runtimeFor(simulatedPool(), io),
    );
    expect(run.exitCode).toBe(0);
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).not.toContain("mermaid");
    expect(markdown).toContain("| Initial host |");
  });

  it("refuses a report path in a missing folder, and --strategy with --compare, with exit 2 and nothing written", async () => {
    const dir = folder();
    const io = recordingIo();
    const events = join(dir, "events.jsonl");
    const missing = await runCli(
      [
        "rehearse",
        "--scenario",
        scenarioFile(dir),
        "--report",
        join(dir, "nope", "r.html"),
        "--events",
        events,
      ],
      runtimeFor(simulatedPool(), io),
    );
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/--report ".*nope\/r\.html": folder .* does not exist/);
    expect(existsSync(events)).toBe(false);
    const both = await runCli(
      ["rehearse", "--scenario", scenarioFile(dir), "--compare", "--strategy", "azure"],
      runtimeFor(simulatedPool(), io),
    );
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("--compare rehearses both strategies; drop --strategy");
    const folderAsFile = await runCli(["rehearse", "--summary-md", dir], runtimeFor(simulatedPool(), io));
    expect(folderAsFile.exitCode).toBe(2);
    expect(folderAsFile.stderr).toContain("is a folder");
  });
});

describe("start and status with reports", () => {
  const SMALL = {
    hostPool: { hosts: 4, vmNamePrefix: "avd" },
    update: { maxVmsRemoved: 2, logOffDelayMinutes: 5 },
  };

  it("start --summary-md summarises the rollout from its event log; status --report shows it with its record", async () => {
    const dir = folder();
    const pool = simulatedPool(SMALL);
    const io = recordingIo();
    const events = join(dir, "rollout.jsonl");
    const summary = join(dir, "summary.md");
    const start = await runCli(
      ["start", "--stack", "prod", "--yes", "--events", events, "--summary-md", summary],
      runtimeFor(pool, io),
      pool.clock,
    );
    expect(start.exitCode).toBe(0);
    const markdown = readFileSync(summary, "utf8");
    expect(markdown).toMatch(/^## avd-rollout on stack prod/);
    expect(markdown).toContain("| Hosts updated | 4 of 4 |");
    expect(markdown).toContain("| Batch 2 |");

    const report = join(dir, "status.html");
    const statusSummary = join(dir, "status.md");
    const status = await runCli(
      ["status", "--stack", "prod", "--report", report, "--summary-md", statusSummary, "--events", events],
      runtimeFor(pool, io),
      pool.clock,
    );
    expect(status.exitCode).toBe(0);
    const html = readFileSync(report, "utf8");
    expect(html).toMatch(/<div class="live" id="live"><p><strong>Stack prod: 4 host\(s\), 4 up to date/);
    expect(html).toContain('data-chart="hosts"');
    expect(readFileSync(statusSummary, "utf8")).toContain("- Rollout rollout-");
  });

  it("status --report without a log shows the record alone and says how to get the charts", async () => {
    const dir = folder();
    const pool = simulatedPool(SMALL);
    const io = recordingIo();
    const report = join(dir, "status.html");
    const run = await runCli(
      ["status", "--stack", "prod", "--report", report],
      runtimeFor(pool, io),
      pool.clock,
    );
    expect(run.exitCode).toBe(0);
    const html = readFileSync(report, "utf8");
    expect(html).toContain("No event log given: pass --events FILE");
    expect(html).not.toContain("<figure");
  });

  it("status --events without a report is refused (exit 2)", async () => {
    const pool = simulatedPool(SMALL);
    const io = recordingIo();
    const run = await runCli(
      ["status", "--stack", "prod", "--events", "x.jsonl"],
      runtimeFor(pool, io),
      pool.clock,
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("status reads the event log only for --report or --summary-md");
  });
});
