/**
 * Reports of real rehearsals: the figures the log implies agree with what the simulated world
 * counted, the HTML is self-contained and escapes what users typed, and the Markdown summary
 * holds the figures, the batches and (where it renders) a chart.
 */
import { describe, expect, it } from "vitest";
import { reportsFromEvents, renderReportHtml, type RunReport } from "../../automation/report";
import { renderSummaryMarkdown } from "../../automation/report/markdown";
import { rehearseWithDetails, type RehearsalRun } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";

const scenario = parseScenario({
  name: "report-small",
  seed: 11,
  hostPool: { hosts: 12, vmNamePrefix: "avd", maxSessionsPerHost: 8, sessionsPerHost: 4 },
  users: { arrivalsPerHour: 30 },
  update: {
    maxVmsRemoved: 4,
    logOffDelayMinutes: 15,
    logOffMessage: 'Save your work | sign out <b>now</b> & "come back"',
  },
  faults: { registrationFailureRate: 0.3 },
});

async function rehearsed(
  strategy: "avd-rollout" | "azure",
): Promise<{ run: RehearsalRun; report: RunReport }> {
  const run = await rehearseWithDetails(scenario, { strategy });
  const reports = reportsFromEvents(run.events);
  expect(reports).toHaveLength(1);
  return { run, report: reports[0] };
}

describe("a rehearsal's report, from its event log alone", () => {
  it("agrees with the simulated world's own counts", async () => {
    const { run, report } = await rehearsed("avd-rollout");
    const { result } = run;
    expect(report.summary).toMatchObject({
      result: result.result,
      updated: result.updated,
      failed: result.failed,
      minAvailable: result.minAvailable,
      forcedSignOuts: result.forcedSignOuts,
      stackUps: result.stackUps,
      crashes: result.crashes,
      durationMinutes: result.makespanMinutes,
    });
    const retries = run.events.filter((e) => e.type === "host.retry").length;
    expect(retries).toBeGreaterThan(0);
    expect(report.summary.retries).toBe(retries);
    const batches = run.events.filter((e) => e.type === "batch.started").length;
    expect(report.batches).toHaveLength(batches);
    // The capacity series keeps the lowest point.
    expect(Math.min(...report.capacity.map((p) => p.serving ?? Infinity))).toBe(result.minAvailable);
  });

  it("renders one self-contained HTML page that escapes what users typed", async () => {
    const { report } = await rehearsed("avd-rollout");
    // What users were told, as rollout.started records it (set here too: drivers before that field).
    const told = { ...report, logOffMessage: scenario.update.logOffMessage };
    const html = await renderReportHtml({ title: "Rehearsal <small>", runs: [told] });
    expect(html.startsWith("<!doctype html>")).toBe(true);
    // Nothing to fetch: no external script, style, font or image, no link to one.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|@import|url\(\s*["']?https?:/i);
    expect(html).toContain("Rehearsal &lt;small&gt;");
    expect(html).toContain("Save your work | sign out &lt;b&gt;now&lt;/b&gt; &amp; &quot;come back&quot;");
    expect(html).not.toContain("<b>now</b>");
    for (const chart of ["batches", "capacity", "users", "hosts"])
      expect(html).toMatch(new RegExp(`<figure data-chart="${chart}"[^>]*><svg`));
    expect(html).toContain("prefers-color-scheme: dark");
    expect(html).toContain("@media print");
  });

  it("shows two strategies side by side", async () => {
    const ours = await rehearsed("avd-rollout");
    const azure = await rehearsed("azure");
    const runs = [
      { ...ours.report, strategy: ours.report.strategy ?? "avd-rollout" },
      { ...azure.report, strategy: azure.report.strategy ?? "azure" },
    ];
    const html = await renderReportHtml({ title: "Compared", runs });
    expect(html).toContain('data-chart="compare-updated"');
    expect(html).toContain('data-chart="compare-serving"');
    expect(html.match(/<section class="run"/g)).toHaveLength(2);

    const markdown = renderSummaryMarkdown(runs, { title: "Compared", chart: true });
    expect(markdown).toContain("|  | avd-rollout | azure |");
    expect(markdown).toContain(
      `| Duration | ${Math.floor(ours.run.result.makespanMinutes / 60)} h`.replace(" 0 h", ""),
    );
    expect(markdown.match(/^ {2}line \[/gm)).toHaveLength(2);
    expect(markdown).toContain("### azure: per batch");
  });

  it("writes a Markdown summary whose tables stay tables, with a chart only where asked", async () => {
    const { report } = await rehearsed("avd-rollout");
    const withChart = renderSummaryMarkdown([report], { title: "Summary", chart: true });
    const without = renderSummaryMarkdown([report], { title: "Summary", chart: false });
    expect(withChart).toContain("```mermaid\nxychart-beta");
    expect(without).not.toContain("mermaid");
    const rows = without.split("\n").filter((line) => /^\| (Initial host|Batch \d+) \|/.test(line));
    expect(rows.length).toBe(report.batches.length);
    // Every table row has as many cells as its header.
    for (const table of without.split("\n\n").filter((block) => block.startsWith("|"))) {
      const cells = table
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => line.replace(/\\\|/g, "").split("|").length);
      expect(new Set(cells).size).toBe(1);
    }
  });
});
