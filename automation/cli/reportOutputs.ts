/**
 * The report outputs a command can write: `--report FILE.html` (the HTML report) and
 * `--summary-md FILE` (the Markdown summary; also appended to `$GITHUB_STEP_SUMMARY` whenever
 * GitHub Actions sets it). Paths are checked before the command does anything, so a typo fails
 * with exit 2 and nothing changed.
 */
import { appendFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../core/errors";
import type { AnyEvent, EventSink } from "../core/events";
import { readEventLog, reportsFromEvents, type RunReport } from "../report";
import { renderReportHtml, type ReportPage } from "../report/html";
import { renderSummaryMarkdown, type SummaryOptions } from "../report/markdown";

export interface ReportOutputs {
  /** The HTML report file, absolute. */
  report?: string;
  /** Markdown summary files: `--summary-md` is written, `$GITHUB_STEP_SUMMARY` appended to. */
  summaries: { path: string; append: boolean }[];
  /** Whether the summary may hold a Mermaid chart (not on Azure DevOps, which does not render it). */
  chart: boolean;
}

export const REPORT_OPTION = {
  type: "string",
  describe: "Write an HTML report (timeline, capacity and users charts) to FILE.html",
} as const;

export const SUMMARY_MD_OPTION = {
  type: "string",
  describe: "Write a Markdown summary to FILE (also appended to $GITHUB_STEP_SUMMARY when set)",
} as const;

type FlagValue = string | number | boolean | (string | number)[] | undefined;

/** A file the command will write: given once, its folder exists, and it is not a folder. */
export function parseOutputFile(flag: string, value: FlagValue, example: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value))
    throw new InputError(
      `--${flag} was given ${value.length} times; give it once, e.g. --${flag} ${example}`,
    );
  if (typeof value === "boolean" || String(value).trim() === "")
    throw new InputError(`--${flag} needs a file path, e.g. --${flag} ${example}`);
  const text = String(value);
  const path = resolve(text);
  let folderOk = false;
  try {
    folderOk = statSync(dirname(path)).isDirectory();
  } catch {
    folderOk = false;
  }
  if (!folderOk)
    throw new InputError(
      `--${flag} "${text}": folder ${dirname(path)} does not exist; create it or choose another path`,
    );
  let isFolder = false;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    // Does not exist yet: it will be created.
  }
  if (isFolder)
    throw new InputError(`--${flag} "${text}" is a folder; give a file path, e.g. ${text}/${example}`);
  return path;
}

export function parseReportOutputs(
  argv: { report?: FlagValue; "summary-md"?: FlagValue },
  env: NodeJS.ProcessEnv,
): ReportOutputs {
  const report = parseOutputFile("report", argv.report, "report.html");
  const summary = parseOutputFile("summary-md", argv["summary-md"], "summary.md");
  const summaries: ReportOutputs["summaries"] = [];
  if (summary !== undefined) summaries.push({ path: summary, append: false });
  const github = env.GITHUB_STEP_SUMMARY;
  if (github !== undefined && github.trim() !== "" && resolve(github) !== summary)
    summaries.push({ path: resolve(github), append: true });
  const outputs: ReportOutputs = { summaries, chart: !env.TF_BUILD };
  if (report !== undefined) outputs.report = report;
  return outputs;
}

export const wantsReports = (outputs: ReportOutputs): boolean =>
  outputs.report !== undefined || outputs.summaries.length > 0;

/** Collects events in memory (the run's own events, for its report). */
export function collectingSink(into: AnyEvent[]): EventSink {
  return { emit: (event) => void into.push(event) };
}

export interface ReportContent {
  title: string;
  subtitle?: string;
  runs: RunReport[];
  live?: { heading: string; lines: string[] };
  refreshSeconds?: number;
}

export async function writeReportFile(path: string, content: ReportContent, now: Date): Promise<void> {
  const page: ReportPage = { ...content, generatedAt: now.toISOString() };
  writeFileSync(path, await renderReportHtml(page));
}

export function writeSummaryFiles(outputs: ReportOutputs, content: ReportContent): void {
  if (outputs.summaries.length === 0) return;
  const options: SummaryOptions = { title: content.title, chart: outputs.chart };
  if (content.subtitle !== undefined) options.subtitle = content.subtitle;
  if (content.live !== undefined) options.live = content.live;
  const markdown = renderSummaryMarkdown(content.runs, options);
  for (const target of outputs.summaries) {
    if (target.append) appendFileSync(target.path, `${markdown}\n`);
    else writeFileSync(target.path, markdown);
  }
}

export async function writeReports(outputs: ReportOutputs, content: ReportContent, now: Date): Promise<void> {
  if (outputs.report !== undefined) await writeReportFile(outputs.report, content, now);
  writeSummaryFiles(outputs, content);
}

/**
 * The runs of rollout `id` for a report: from the event log file when there is one (it holds the
 * runs before this process too: a time-boxed `start`, then `continue`), else from `fallback`.
 */
export function runsOfRollout(
  id: string | null | undefined,
  logFile: string | undefined,
  fallback: readonly AnyEvent[],
): RunReport[] {
  const fromLog = logFile !== undefined ? reportsFromEvents(readEventLog(logFile, "--events")) : [];
  const pick = (runs: RunReport[]) => {
    if (id === null || id === undefined) return runs.slice(-1);
    const match = runs.filter((run) => run.rollout === id);
    return match.slice(-1);
  };
  const logged = pick(fromLog);
  return logged.length > 0 ? logged : pick(reportsFromEvents(fallback));
}
