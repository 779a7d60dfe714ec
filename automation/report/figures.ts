/**
 * The summary figures and the per-batch table as rows of text, shared by the HTML report, the
 * Markdown summary and the terminal's side-by-side comparison, so all three say the same.
 */
import { batchLabel } from "./charts";
import type { BatchRow, RunReport } from "./model";

export function minutesText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes - h * 60);
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `08:15` (UTC), with the date when the run spans more than one day. */
export function timeText(t: number | null, withDate = false): string {
  if (t === null) return "—";
  const d = new Date(t);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  return withDate ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${time}` : time;
}

const spansDays = (report: RunReport): boolean =>
  new Date(report.start).toISOString().slice(0, 10) !== new Date(report.end).toISOString().slice(0, 10);

export interface FigureRow {
  label: string;
  values: string[];
}

const known = (value: number | null, text: (n: number) => string = String): string =>
  value === null ? "n/a" : text(value);

/** One row per figure, one value per run. */
export function summaryRows(reports: readonly RunReport[]): FigureRow[] {
  const row = (label: string, value: (r: RunReport) => string): FigureRow => ({
    label,
    values: reports.map(value),
  });
  return [
    row("Result", (r) => r.summary.result + (r.finished ? "" : " (log ends here)")),
    row("Duration", (r) => minutesText(r.summary.durationMinutes)),
    row("Hosts updated", (r) => {
      const s = r.summary;
      const planned = s.outOfDate ?? r.hosts.length;
      return `${s.updated} of ${planned}${s.hosts !== null && s.hosts !== planned ? ` (pool of ${s.hosts})` : ""}`;
    }),
    row("Failed hosts", (r) => (r.summary.failed.length === 0 ? "none" : r.summary.failed.join(", "))),
    row(
      "Batch size · notice",
      (r) =>
        `${known(r.batchSize)} · ${r.logOffDelayMinutes === null ? "n/a" : `${r.logOffDelayMinutes} min`}`,
    ),
    row("Lowest capacity (hosts serving)", (r) =>
      r.summary.minAvailable === null
        ? "n/a"
        : `${r.summary.minAvailable}${r.summary.availableAtStart !== null ? ` of ${r.summary.availableAtStart}` : ""}`,
    ),
    row("Capacity floor", (r) => known(r.summary.floor)),
    row("Most hosts out of service at once", (r) => String(r.summary.maxOutOfService)),
    row("Lowest count accepting new sessions", (r) => known(r.summary.minAccepting)),
    row("Sessions notified", (r) => String(r.summary.sessionsNotified)),
    row("Users notified more than once", (r) => known(r.summary.usersNotifiedTwice)),
    row("Signed out by force", (r) => String(r.summary.forcedSignOuts)),
    row("Signed out themselves after a notice", (r) => known(r.summary.voluntarySignOuts)),
    row("Sign-ins refused", (r) => known(r.summary.refusedSignIns)),
    row("Notices shorter than the delay", (r) => known(r.summary.shortNotices)),
    row("Shortest notice before a forced sign-out", (r) =>
      known(r.summary.shortestNoticeMinutes, (n) => `${n} min`),
    ),
    row("Stack updates (failed)", (r) => `${r.summary.stackUps} (${r.summary.failedStackUps})`),
    row("Host retries", (r) => String(r.summary.retries)),
    row("Driver crashes", (r) => String(r.summary.crashes)),
  ];
}

export interface BatchTableRow {
  batch: string;
  hosts: string;
  start: string;
  end: string;
  duration: string;
  outOfService: string;
  retries: string;
  failed: string;
}

export const BATCH_COLUMNS: { key: keyof BatchTableRow; title: string }[] = [
  { key: "batch", title: "Batch" },
  { key: "hosts", title: "Hosts" },
  { key: "start", title: "Start" },
  { key: "end", title: "End" },
  { key: "duration", title: "Duration" },
  { key: "outOfService", title: "Out of service (first leaves – last back)" },
  { key: "retries", title: "Retries" },
  { key: "failed", title: "Failed" },
];

function hostsText(hosts: readonly string[]): string {
  if (hosts.length <= 3) return hosts.join(", ");
  return `${hosts.length}: ${hosts[0]} … ${hosts[hosts.length - 1]}`;
}

export function batchTableRows(report: RunReport): BatchTableRow[] {
  const withDate = spansDays(report);
  return report.batches.map((b: BatchRow) => ({
    batch: batchLabel(b.batch),
    hosts: hostsText(b.hosts),
    start: timeText(b.start, withDate),
    end: b.end === null ? "running" : timeText(b.end, withDate),
    duration: b.durationMinutes === null ? "—" : minutesText(b.durationMinutes),
    outOfService:
      b.firstLeft === null
        ? "—"
        : `${timeText(b.firstLeft, withDate)} – ${timeText(b.lastReturned, withDate)}`,
    retries: String(b.retries),
    failed: b.failed.length === 0 ? "" : b.failed.join(", "),
  }));
}

/** The heading of a run: its strategy and rollout id. */
export function runTitle(report: RunReport): string {
  const strategy = report.strategy ? `${report.strategy}` : "Rollout";
  return report.rollout ? `${strategy} · ${report.rollout}` : strategy;
}

/** The summary figures as a plain-text table for the terminal, one column per run. */
export function comparisonText(title: string, reports: readonly RunReport[]): string {
  const names = reports.map((r, i) => r.strategy ?? r.rollout ?? `run ${i + 1}`);
  const rows = summaryRows(reports);
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const widths = names.map((name, i) => Math.max(name.length, ...rows.map((r) => r.values[i].length)));
  const line = (label: string, values: string[]) =>
    `  ${label.padEnd(labelWidth)}  ${values.map((v, i) => v.padEnd(widths[i])).join("  ")}`.trimEnd();
  return [
    `${title}: ${names.join(" compared with ")}`,
    line("", names),
    ...rows.map((r) => line(r.label, r.values)),
  ].join("\n");
}
