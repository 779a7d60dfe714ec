/**
 * The Markdown summary for pipeline run pages (`--summary-md`, `$GITHUB_STEP_SUMMARY`, Azure
 * DevOps' `##vso[task.uploadsummary]`): the figures, the per-batch table and, where the platform
 * renders Mermaid (GitHub), a chart of hosts updated over time.
 */
import { runName } from "./charts";
import { BATCH_COLUMNS, batchTableRows, runTitle, summaryRows } from "./figures";
import type { RunReport } from "./model";

export interface SummaryOptions {
  title: string;
  subtitle?: string;
  /** Include a Mermaid chart (GitHub renders it; Azure DevOps summaries do not). */
  chart: boolean;
  /** A live rollout's state from its record (`status`). */
  live?: { heading: string; lines: string[] };
  /** Batches listed per run before the table is cut short. */
  maxBatchRows?: number;
}

/** Text safe inside a Markdown table cell. */
function cell(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ")
    .replace(/</g, "&lt;");
}

function table(head: string[], rows: string[][], alignRight: (column: number) => boolean): string {
  const line = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
  const rule = `|${head.map((_, i) => (alignRight(i) ? " ---: " : " --- ")).join("|")}|`;
  return [line(head), rule, ...rows.map(line)].join("\n");
}

/** Hosts updated over hours since the start, one line per run (Mermaid xychart). */
function progressChart(runs: readonly RunReport[]): string {
  const hours = Math.max(...runs.map((r) => (r.end - r.start) / 3_600_000), 0.01);
  const steps = 24;
  const ticks = Array.from({ length: steps + 1 }, (_, i) => (hours * i) / steps);
  const total = Math.max(1, ...runs.map((r) => r.summary.outOfDate ?? r.hosts.length));
  const lines = runs.map((run) => {
    const returns = run.hosts
      .filter((h) => h.result === "updated" && h.returnedAt !== null)
      .map((h) => ((h.returnedAt as number) - run.start) / 3_600_000);
    return `  line [${ticks.map((tick) => returns.filter((r) => r <= tick + 1e-9).length).join(", ")}]`;
  });
  const labels = ticks.map((tick) => `"${tick.toFixed(hours >= 10 ? 0 : 1)}"`);
  return [
    "```mermaid",
    "xychart-beta",
    '  title "Hosts updated"',
    `  x-axis "Hours since the start" [${labels.join(", ")}]`,
    `  y-axis "Hosts" 0 --> ${total}`,
    ...lines,
    "```",
  ].join("\n");
}

export function renderSummaryMarkdown(runs: readonly RunReport[], options: SummaryOptions): string {
  const out: string[] = [`## ${options.title}`, ""];
  if (options.subtitle) out.push(options.subtitle, "");
  if (options.live) {
    out.push(`**${options.live.heading}**`, "");
    for (const line of options.live.lines) out.push(`- ${line}`);
    out.push("");
  }
  if (runs.length === 0) {
    out.push("The event log holds no rollout.", "");
    return out.join("\n");
  }
  const compared = runs.length > 1;
  out.push(
    table(
      ["", ...runs.map((r, i) => (compared ? runName(r, i) : runTitle(r)))],
      summaryRows(runs).map((row) => [row.label, ...row.values]),
      (column) => column > 0,
    ),
    "",
  );
  if (options.chart) {
    out.push(progressChart(runs));
    if (compared) out.push("", `Lines in order: ${runs.map(runName).join(", ")}.`);
    out.push("");
  }
  const maxRows = options.maxBatchRows ?? 40;
  for (const run of runs) {
    out.push(`### ${compared ? `${runName(run, runs.indexOf(run))}: ` : ""}per batch`, "");
    const rows = batchTableRows(run);
    const shown = rows.length > maxRows ? [...rows.slice(0, maxRows - 5), ...rows.slice(-5)] : rows;
    out.push(
      table(
        BATCH_COLUMNS.map((c) => c.title),
        shown.map((r) => BATCH_COLUMNS.map((c) => r[c.key])),
        () => false,
      ),
    );
    if (shown.length < rows.length)
      out.push(
        "",
        `${rows.length - shown.length} batches in the middle left out; the HTML report (--report) has them all.`,
      );
    const failures = run.hosts.filter((h) => h.error !== null);
    if (failures.length > 0) {
      out.push("", "Failed hosts:", "");
      for (const host of failures.slice(0, 20)) out.push(`- ${cell(host.host)}: ${cell(host.error ?? "")}`);
      if (failures.length > 20) out.push(`- … and ${failures.length - 20} more`);
    }
    for (const note of run.notes) out.push("", `_${cell(note)}_`);
    out.push("");
  }
  return out.join("\n");
}
