/**
 * `status --all` / `status --stacks a,b,c`: the rollout of every host pool at a glance — one row
 * per stack (each stack is one host pool), read the way `status --stack` reads one, a few stacks
 * at a time. A stack that cannot be read gets a row saying why; the others are still shown.
 */
import { appendFileSync, writeFileSync } from "node:fs";
import pLimit from "p-limit";
import { InputError } from "../core/errors";
import { errorKindOf, exitCodeOf } from "./exitCodes";
import { parseStack } from "./flags";
import type { PortsFactory } from "./portsFactory";
import type { ReportOutputs } from "./reportOutputs";
import { formatMinutes } from "./progress";
import type { StatusDocument } from "./statusView";
import { redactSecrets } from "../pulumi/redact";

/** Stacks read at once: each opens a Pulumi workspace and lists its pool. */
const CONCURRENCY = 4;

export interface UnreadableStack {
  stack: string;
  error: { kind: "invalidInput" | "busy" | "failed"; message: string; exitCode: number };
}

export type FleetEntry = StatusDocument | UnreadableStack;

export interface FleetDocument {
  stacks: FleetEntry[];
}

export const isUnreadable = (entry: FleetEntry): entry is UnreadableStack => "error" in entry;

type FlagValue = string | number | boolean | (string | number)[] | undefined;

/** `--stacks a,b,c`: stack names, each valid, none twice. */
export function parseStackList(value: FlagValue): string[] {
  const texts = (Array.isArray(value) ? value : [value]).filter((v) => v !== undefined).map(String);
  if (texts.length === 0 || typeof value === "boolean")
    throw new InputError(`--stacks needs stack names, e.g. --stacks prod-weu,prod-neu`);
  const names = texts.flatMap((text) => text.split(",")).map((name) => name.trim());
  if (names.some((name) => name === ""))
    throw new InputError(
      `--stacks "${texts.join(",")}": an empty name; separate stack names with single commas, e.g. --stacks prod-weu,prod-neu`,
    );
  return [...new Set(names.map((name) => parseStack(name)))];
}

/** The stacks `--all` means: the project's stack files. */
export async function allStacks(factory: PortsFactory): Promise<string[]> {
  if (!factory.listStacks)
    throw new InputError("--all needs the project's stack files; name the stacks with --stacks a,b,c");
  const stacks = await factory.listStacks();
  if (stacks.length === 0)
    throw new InputError(
      "--all: the project has no stack files (stacks/Pulumi.<stack>.yaml); name the stacks with --stacks a,b,c",
    );
  return stacks;
}

/** Reads the status of each stack, a few at a time, in the order given. */
export async function readFleet(
  stacks: readonly string[],
  read: (stack: string) => Promise<StatusDocument>,
): Promise<FleetDocument> {
  const limit = pLimit(CONCURRENCY);
  const entries = await Promise.all(
    stacks.map((stack) =>
      limit(async (): Promise<FleetEntry> => {
        try {
          return await read(stack);
        } catch (error) {
          const message = redactSecrets(error instanceof Error ? error.message : String(error));
          return { stack, error: { kind: errorKindOf(error), message, exitCode: exitCodeOf(error) } };
        }
      }),
    ),
  );
  return { stacks: entries };
}

/** 0 when every stack was read, else 1 (the rows say why). */
export function fleetExitCode(document: FleetDocument): number {
  return document.stacks.some(isUnreadable) ? 1 : 0;
}

interface Row {
  stack: string;
  rollout: string;
  status: string;
  progress: string;
  failed: string;
  eta: string;
  owner: string;
  note: string;
}

const HEAD: Row = {
  stack: "STACK",
  rollout: "ROLLOUT",
  status: "STATUS",
  progress: "PROGRESS",
  failed: "FAILED",
  eta: "ETA",
  owner: "OWNER",
  note: "NOTE",
};

function rowOf(entry: FleetEntry): Row {
  if (isUnreadable(entry))
    return {
      ...blank(entry.stack),
      status: "unreadable",
      note: entry.error.message,
    };
  const { rollout, progress, hosts } = entry;
  if (!rollout)
    return {
      ...blank(entry.stack),
      status: "none",
      progress: `${hosts.upToDate}/${hosts.total} up to date`,
      note: hosts.outOfDate.length > 0 ? `${hosts.outOfDate.length} host(s) out of date` : "",
    };
  const notes: string[] = [];
  if (rollout.releasedAt) notes.push(`handed over ${rollout.releasedAt}`);
  if (rollout.blocked) notes.push(`waiting for ${rollout.blocked.waitingFor}`);
  if (rollout.error) notes.push(rollout.error);
  return {
    stack: entry.stack,
    rollout: rollout.id,
    status: rollout.status,
    progress: progress ? `${progress.completed}/${progress.total} (${progress.percent}%)` : "",
    failed: String(Object.keys(entry.failed).length),
    eta: progress?.etaMs != null && progress.etaMs > 0 ? formatMinutes(progress.etaMs / 60_000) : "",
    owner: rollout.owner,
    note: notes.join("; "),
  };
}

function blank(stack: string): Row {
  return { stack, rollout: "", status: "", progress: "", failed: "", eta: "", owner: "", note: "" };
}

const COLUMNS = Object.keys(HEAD) as (keyof Row)[];

/** One aligned table, a row per stack. */
export function fleetText(document: FleetDocument): string {
  const rows = [HEAD, ...document.stacks.map(rowOf)];
  const widths = COLUMNS.map((column) => Math.max(...rows.map((row) => row[column].length)));
  return rows
    .map((row) =>
      COLUMNS.map((column, i) => (i === COLUMNS.length - 1 ? row[column] : row[column].padEnd(widths[i])))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** The same table in Markdown (`--summary-md`, `$GITHUB_STEP_SUMMARY`). */
export function fleetMarkdown(document: FleetDocument, title: string): string {
  const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/[\r\n]+/g, " ");
  const line = (row: Row) => `| ${COLUMNS.map((column) => cell(row[column])).join(" | ")} |`;
  return [
    `## ${title}`,
    "",
    line(HEAD),
    `|${COLUMNS.map(() => " --- ").join("|")}|`,
    ...document.stacks.map((entry) => line(rowOf(entry))),
    "",
  ].join("\n");
}

/** Writes the table to `--summary-md` and appends it to `$GITHUB_STEP_SUMMARY` when set. */
export function writeFleetSummary(outputs: ReportOutputs, document: FleetDocument): void {
  const markdown = fleetMarkdown(document, "avd-rollout: every pool");
  for (const target of outputs.summaries) {
    if (target.append) appendFileSync(target.path, `${markdown}\n`);
    else writeFileSync(target.path, markdown);
  }
}
