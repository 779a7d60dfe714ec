/**
 * The HTML report: one self-contained file (inline CSS and SVG, no script from anywhere, no font,
 * image or style fetched), readable in light and dark (prefers-color-scheme), at laptop width and
 * printed.
 */
import {
  CAPACITY_SERIES,
  batchTimelineSpec,
  capacitySpec,
  comparisonSpec,
  hostTimelineSpec,
  runName,
  usersSpec,
  type TimeDomain,
} from "./charts";
import { BATCH_COLUMNS, batchTableRows, minutesText, runTitle, summaryRows, timeText } from "./figures";
import type { RunReport } from "./model";
import { renderSvg } from "./render";

export interface ReportPage {
  title: string;
  /** A line under the title: the scenario, the stack, what was compared. */
  subtitle?: string;
  /** The runs to show (two or more are shown side by side in the summary). */
  runs: RunReport[];
  /** A live rollout's state from its record (`status --report`), shown above everything. */
  live?: { heading: string; lines: string[] };
  /** Reload the page every N seconds (a report rewritten while a rollout runs). */
  refreshSeconds?: number;
  /** When the report was written (ISO); shown in the footer. */
  generatedAt?: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1d232b; --muted: #5b6470; --line: #d8dde3; --panel: #f5f7f9; --accent: #2f6fb3; --bad: #b3261e; --good: #1e7d5b; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14171c; --fg: #e3e6ea; --muted: #9aa3ad; --line: #333a44; --panel: #1c2027; --accent: #7fb3ea; --bad: #f28b82; --good: #6fd3a8; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; }
h2 { font-size: 1.25rem; margin: 32px 0 8px; padding-top: 8px; border-top: 1px solid var(--line); }
h3 { font-size: 1.02rem; margin: 22px 0 6px; }
.sub, .meta, footer, .note { color: var(--muted); }
.meta { margin: 2px 0; }
.note { font-size: 0.9rem; margin: 4px 0; }
.live { background: var(--panel); border-left: 4px solid var(--accent); padding: 10px 14px; margin: 16px 0; }
.live p { margin: 2px 0; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; margin: 6px 0; }
th, td { text-align: left; padding: 5px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: var(--panel); }
table.figures td:not(:first-child), table.figures th:not(:first-child) { text-align: right; }
table.figures td:first-child { color: var(--muted); }
.batches { font-size: 0.9rem; }
.tables { display: grid; gap: 16px; }
figure { margin: 6px 0 0; }
figure svg { width: 100%; height: auto; display: block; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.result-succeeded { color: var(--good); font-weight: 600; }
.result-failed, .result-cancelled { color: var(--bad); font-weight: 600; }
blockquote { margin: 4px 0; padding: 4px 12px; border-left: 3px solid var(--line); color: var(--muted); }
details > summary { cursor: pointer; font-weight: 600; margin: 22px 0 6px; }
ul.incidents { padding-left: 20px; margin: 4px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(var(--card, 170px), 1fr)); gap: 10px; margin: 8px 0 4px; }
.card { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px 12px; }
.card .label { color: var(--muted); font-size: 0.85rem; }
.card .value { font-size: 1.15rem; font-weight: 600; font-variant-numeric: tabular-nums; white-space: nowrap; }
.cards.compared { --card: 250px; }
.cards.compared .value { display: flex; justify-content: space-between; gap: 8px; font-size: 1.05rem; }
.card .run { font-size: 0.8rem; font-weight: 600; align-self: center; }
.run-1 { color: #2f7fd0; } .run-2 { color: #d0652e; }
@media (prefers-color-scheme: dark) { .run-1 { color: #6fb0f0; } .run-2 { color: #f0925c; } }
table.figures { font-size: 0.9rem; max-width: 760px; }
table.figures th, table.figures td { padding: 3px 10px; }
@media (max-width: 900px) { .pair { grid-template-columns: 1fr; } main { padding: 16px; } }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --panel: #f0f0f0; }
  main { max-width: none; padding: 0; }
  h2 { break-before: page; }
  h2.first { break-before: avoid; }
  figure, table, .live { break-inside: avoid; }
}
`;

// Printing shows every collapsed section (the only script: no network, nothing loaded).
const PRINT_SCRIPT = `addEventListener("beforeprint",function(){document.querySelectorAll("details").forEach(function(d){d.open=true})});`;

function tableHtml(head: string[], rows: string[][], className: string): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map((cells) => `<tr>${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`)
    .join("\n");
  return `<table class="${className}"><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

async function figure(name: string, label: string, spec: Parameters<typeof renderSvg>[0]): Promise<string> {
  const svg = await renderSvg(spec);
  return `<figure data-chart="${escapeHtml(name)}" aria-label="${escapeHtml(label)}">${svg}</figure>`;
}

function domainOf(runs: readonly RunReport[]): TimeDomain {
  // Compared rehearsals start at the same virtual time: one axis shows which one ends later.
  return { start: Math.min(...runs.map((r) => r.start)), end: Math.max(...runs.map((r) => r.end)) };
}

async function runSection(
  report: RunReport,
  index: number,
  domain: TimeDomain,
  compared: boolean,
): Promise<string> {
  const id = `run-${index + 1}`;
  const parts: string[] = [];
  parts.push(
    `<section class="run" id="${id}" data-run="${escapeHtml(report.rollout ?? "")}" data-strategy="${escapeHtml(report.strategy ?? "")}">`,
  );
  parts.push(`<h2${index === 0 && !compared ? ' class="first"' : ""}>${escapeHtml(runTitle(report))}</h2>`);
  const when = `${timeText(report.start, true)} – ${report.finished ? timeText(report.end, true) : "(log ends) " + timeText(report.end, true)} UTC`;
  parts.push(
    `<p class="meta">Result <span class="result-${escapeHtml(report.summary.result)}">${escapeHtml(report.summary.result)}</span> · ${escapeHtml(minutesText(report.summary.durationMinutes))} · ${escapeHtml(when)}</p>`,
  );
  const facts: string[] = [];
  if (report.owner) facts.push(`started by ${report.owner}`);
  if (report.revision) facts.push(`revision ${report.revision}`);
  if (report.batchSize !== null) facts.push(`batches of ${report.batchSize}`);
  if (report.logOffDelayMinutes !== null) facts.push(`${report.logOffDelayMinutes} min notice`);
  if (report.deleteOriginalVm !== null)
    facts.push(report.deleteOriginalVm ? "original VMs deleted" : "original VMs kept deallocated");
  if (facts.length > 0) parts.push(`<p class="meta">${escapeHtml(facts.join(" · "))}</p>`);
  if (report.logOffMessage)
    parts.push(
      `<p class="meta">Message users saw:</p><blockquote>${escapeHtml(report.logOffMessage)}</blockquote>`,
    );
  if (report.error) parts.push(`<p class="meta">Error: ${escapeHtml(report.error)}</p>`);
  for (const note of report.notes) parts.push(`<p class="note">${escapeHtml(note)}</p>`);

  parts.push(`<h3>Batches over time</h3>`);
  parts.push(
    await figure(
      "batches",
      `Timeline per batch, ${runName(report, index)}`,
      batchTimelineSpec(report, domain),
    ),
  );
  parts.push(`<h3>Capacity</h3>`);
  parts.push(
    await figure("capacity", `Capacity over time, ${runName(report, index)}`, capacitySpec(report, domain)),
  );
  parts.push(`<h3>Users</h3>`);
  parts.push(await figure("users", `Users over time, ${runName(report, index)}`, usersSpec(report, domain)));

  parts.push(`<h3>Per batch</h3>`);
  const rows = batchTableRows(report);
  parts.push(
    tableHtml(
      BATCH_COLUMNS.map((c) => c.title),
      rows.map((r) => BATCH_COLUMNS.map((c) => r[c.key])),
      "batches",
    ),
  );

  const failures = report.hosts.filter((h) => h.error !== null);
  if (report.incidents.length > 0 || failures.length > 0) {
    parts.push(`<h3>Incidents</h3><ul class="incidents">`);
    const items = [
      ...report.incidents.map((i) => ({ t: i.t, text: i.text })),
      ...failures.map((h) => ({
        t: h.marks.find((m) => m.kind === "failed")?.t ?? report.end,
        text: `${h.host} failed: ${h.error}`,
      })),
    ].sort((a, b) => a.t - b.t);
    const shown = items.slice(0, 200);
    for (const item of shown) parts.push(`<li>${escapeHtml(timeText(item.t))} ${escapeHtml(item.text)}</li>`);
    if (items.length > shown.length) parts.push(`<li>… and ${items.length - shown.length} more</li>`);
    parts.push(`</ul>`);
  }

  const touched = report.hosts.filter((h) => h.spans.length > 0 || h.marks.length > 0).length;
  parts.push(`<details${touched <= 150 ? " open" : ""}><summary>Hosts over time (${touched})</summary>`);
  parts.push(
    await figure("hosts", `Timeline per host, ${runName(report, index)}`, hostTimelineSpec(report, domain)),
  );
  parts.push(`</details></section>`);
  return parts.join("\n");
}

/** The figures a reader looks for first, as cards above everything else. */
const KEY_FIGURES = [
  "Duration",
  "Hosts updated",
  "Lowest capacity (hosts serving)",
  "Signed out by force",
  "Notices shorter than the delay",
  "Sign-ins refused",
];

function keyFigures(runs: readonly RunReport[], figures: ReturnType<typeof summaryRows>): string {
  const compared = runs.length > 1;
  const cards = KEY_FIGURES.map((label) => figures.find((f) => f.label === label))
    .filter((f): f is NonNullable<typeof f> => f !== undefined)
    .map((f) => {
      const values = f.values
        .map((value, i) =>
          compared
            ? `<div class="value"><span class="run run-${i + 1}">${escapeHtml(runName(runs[i], i))}</span><span>${escapeHtml(value)}</span></div>`
            : `<div class="value">${escapeHtml(value)}</div>`,
        )
        .join("");
      return `<div class="card" data-figure="${escapeHtml(f.label)}"><div class="label">${escapeHtml(f.label)}</div>${values}</div>`;
    });
  return `<div class="cards${compared ? " compared" : ""}">${cards.join("")}</div>`;
}

export async function renderReportHtml(page: ReportPage): Promise<string> {
  const { runs } = page;
  const compared = runs.length > 1;
  const parts: string[] = [];
  parts.push(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8">`);
  parts.push(
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">`,
  );
  if (page.refreshSeconds)
    parts.push(`<meta http-equiv="refresh" content="${Math.max(5, Math.round(page.refreshSeconds))}">`);
  parts.push(`<title>${escapeHtml(page.title)}</title><style>${STYLE}</style></head><body><main>`);
  parts.push(`<header><h1>${escapeHtml(page.title)}</h1>`);
  if (page.subtitle) parts.push(`<p class="sub">${escapeHtml(page.subtitle)}</p>`);
  parts.push(`</header>`);
  if (page.live) {
    parts.push(`<div class="live" id="live"><p><strong>${escapeHtml(page.live.heading)}</strong></p>`);
    for (const line of page.live.lines) parts.push(`<p>${escapeHtml(line)}</p>`);
    parts.push(`</div>`);
  }
  if (runs.length === 0) {
    parts.push(`<p class="note">The event log holds no rollout.</p>`);
  } else {
    parts.push(`<h2 class="first" id="summary">Summary</h2>`);
    const figures = summaryRows(runs);
    parts.push(keyFigures(runs, figures));
    parts.push(
      `<details${compared ? "" : " open"}><summary>All figures</summary>` +
        tableHtml(
          ["", ...runs.map((r, i) => (compared ? runName(r, i) : runTitle(r)))],
          figures.map((f) => [f.label, ...f.values]),
          "figures",
        ) +
        `</details>`,
    );
    if (compared) {
      parts.push(`<div class="pair">`);
      parts.push(
        await figure("compare-updated", "Hosts updated over time, compared", comparisonSpec(runs, "updated")),
      );
      if (runs.some((r) => r.capacity.some((p) => p.serving !== null)))
        parts.push(
          await figure(
            "compare-serving",
            `${CAPACITY_SERIES.serving} over time, compared`,
            comparisonSpec(runs, "serving"),
          ),
        );
      parts.push(`</div>`);
    }
    const domain = domainOf(runs);
    for (const [index, run] of runs.entries()) parts.push(await runSection(run, index, domain, compared));
  }
  parts.push(
    `<footer><p>avd-rollout report${page.generatedAt ? `, written ${escapeHtml(page.generatedAt)}` : ""}. Times are UTC. Built from the event log alone (docs/events.md).</p></footer>`,
  );
  parts.push(`</main><script>${PRINT_SCRIPT}</script></body></html>\n`);
  return parts.join("\n");
}
