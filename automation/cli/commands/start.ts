/**
 * `avd-rollout start --stack S [...]`: rolls the stack's configuration out (spec section 5),
 * with live progress; exit 0 done, 1 failed, 2 invalid input, 3 pool busy or stack locked, 4 a
 * time-boxed run (`--max-run-minutes`) ended with the rollout still going.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { startRollout, type RolloutOutcome, type StartRequest } from "../../core/driver";
import { InputError } from "../../core/errors";
import type { EventSink } from "../../core/events";
import type { ProgressSnapshot } from "../../core/progress";
import { EXIT } from "../exitCodes";
import {
  BATCH_SIZE_OPTION,
  JSON_OPTION,
  STACK_OPTION,
  eventsFileSink,
  fanOut,
  runCommand,
  type BaseArgs,
  type CommandResult,
} from "../command";
import {
  parseBatchSize,
  parseEventsFile,
  parseLogOffDelay,
  parseMessage,
  parseOptionalText,
  parseStack,
  parseSwitch,
} from "../flags";
import { progressDisplay } from "../progress";
import type { CliRuntime } from "../runtime";
import { parseStartAt } from "../startTime";
import { preflightForStart, preflightLog, requirePreflight } from "../preflight";
import { computePlan, planText } from "./plan";
import type { AnyEvent } from "../../core/events";
import {
  SUMMARY_MD_OPTION,
  collectingSink,
  parseReportOutputs,
  runsOfRollout,
  writeSummaryFiles,
  type ReportOutputs,
} from "../reportOutputs";
import { MAX_RUN_MINUTES_OPTION, parseMaxRunMinutes, timeBoxOf } from "../timeBox";

interface StartArgs extends BaseArgs {
  stack?: string;
  "batch-size"?: string;
  "log-off-delay"?: string;
  message?: string;
  "delete-original-vm"?: boolean;
  at?: string;
  "time-zone"?: string;
  yes?: boolean;
  events?: string;
  "summary-md"?: string;
  "max-run-minutes"?: string;
}

export interface StartOptions {
  stack: string;
  request: StartRequest;
  yes: boolean;
  eventsFile: string | undefined;
  /** A time-boxed run: at most this many minutes (`--max-run-minutes`, AVD_ROLLOUT_MAX_RUN_MINUTES). */
  maxRunMinutes?: number;
}

/** Every flag of `start`, validated before anything is read or changed. */
export function parseStartArgs(argv: StartArgs, now: number, env: NodeJS.ProcessEnv = {}): StartOptions {
  const stack = parseStack(argv.stack);
  const batchSize = parseBatchSize(argv["batch-size"]);
  const logOffDelayMinutes = parseLogOffDelay(argv["log-off-delay"]);
  const logOffMessage = parseMessage(argv.message);
  const deleteOriginalVm = parseSwitch("delete-original-vm", argv["delete-original-vm"]);
  const at = parseOptionalText("at", argv.at);
  const timeZone = parseOptionalText("time-zone", argv["time-zone"]);
  if (timeZone !== undefined && at === undefined) {
    throw new InputError(
      `--time-zone "${timeZone}" is only used with --at; add --at <time> or drop --time-zone`,
    );
  }
  const startAt = at === undefined ? undefined : parseStartAt(at, timeZone, now);
  const yes = parseSwitch("yes", argv.yes);
  const eventsFile = parseEventsFile(argv.events);
  const maxRunMinutes = parseMaxRunMinutes(argv["max-run-minutes"], env);
  const request: StartRequest = {};
  if (batchSize !== undefined) request.batchSize = batchSize;
  if (logOffDelayMinutes !== undefined) request.logOffDelayMinutes = logOffDelayMinutes;
  if (logOffMessage !== undefined) request.logOffMessage = logOffMessage;
  if (deleteOriginalVm) request.deleteOriginalVm = true;
  if (startAt !== undefined) request.startAt = startAt;
  const options: StartOptions = { stack, request, yes, eventsFile };
  if (maxRunMinutes !== undefined) options.maxRunMinutes = maxRunMinutes;
  return options;
}

/** Exit code of a finished driver run. */
export function exitCodeOfOutcome(outcome: RolloutOutcome): number {
  if (outcome.result === "handover") return EXIT.stillRunning;
  return outcome.result === "failed" ? EXIT.failed : EXIT.ok;
}

export function outcomeText(stack: string, outcome: RolloutOutcome): string {
  const id = outcome.rollout ? ` ${outcome.rollout}` : "";
  switch (outcome.result) {
    case "nothingToDo":
      return `Stack ${stack}: nothing to roll out, every host runs the current configuration.`;
    case "succeeded":
      return `Rollout${id} succeeded: ${outcome.updated.length} host(s) updated.`;
    case "failed":
      return `Rollout${id} failed: ${outcome.failed.length} host(s) failed (${outcome.failed.join(", ")}); ${outcome.updated.length} updated. Fix the cause, then \`avd-rollout retry --stack ${stack}\`.`;
    case "paused":
      return `Rollout${id} paused after ${outcome.updated.length} host(s); \`avd-rollout resume --stack ${stack}\` continues it.`;
    case "cancelled":
      return `Rollout${id} cancelled: ${outcome.updated.length} host(s) were updated and stay updated.`;
    case "handover":
      return `Rollout${id} is still running after this run's time box (${outcome.updated.length} host(s) updated so far); \`avd-rollout continue --stack ${stack}\` carries it on.`;
  }
}

/** Runs a driver call with the progress display and the event file; returns the command result. */
export async function driveWithProgress(
  runtime: CliRuntime,
  stack: string,
  eventsFile: string | undefined,
  run: (events: EventSink, onProgress: (snapshot: ProgressSnapshot) => void) => Promise<RolloutOutcome>,
): Promise<CommandResult> {
  const display = progressDisplay(runtime.io);
  const events = fanOut(display, eventsFile ? eventsFileSink(eventsFile) : undefined);
  let outcome: RolloutOutcome;
  try {
    outcome = await run(events, (snapshot) => display.progress(snapshot));
  } finally {
    display.stop();
  }
  return {
    exitCode: exitCodeOfOutcome(outcome),
    json: { stack, ...outcome },
    text: outcomeText(stack, outcome),
  };
}

export const startCommand: CommandModule<object, StartArgs> = {
  command: "start",
  describe: "Roll the stack's session host configuration out to the host pool, batch by batch",
  builder: (yargs: Argv) =>
    yargs
      .option("stack", STACK_OPTION)
      .option("batch-size", BATCH_SIZE_OPTION)
      .option("log-off-delay", {
        type: "string",
        describe: "Minutes from the notice to the forced sign-out, 0-1440",
      })
      .option("message", {
        type: "string",
        describe: "Message shown to signed-in users (at most 260 characters)",
      })
      .option("delete-original-vm", {
        type: "boolean",
        describe: "Delete each original VM instead of keeping it deallocated",
      })
      .option("at", {
        type: "string",
        describe: "Start at this time: ISO with offset, or local with --time-zone",
      })
      .option("time-zone", {
        type: "string",
        describe: 'IANA or Windows time zone of --at (Europe/Berlin, "W. Europe Standard Time")',
      })
      .option("yes", { type: "boolean", describe: "Do not ask for confirmation (pipelines)" })
      .option("events", { type: "string", describe: "Append the event log to this file (JSON lines)" })
      .option("summary-md", SUMMARY_MD_OPTION)
      .option("max-run-minutes", MAX_RUN_MINUTES_OPTION)
      .option("json", JSON_OPTION)
      .strict() as unknown as Argv<StartArgs>,
  handler: (argv: ArgumentsCamelCase<StartArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const startedAt = runtime.now();
      const { io } = runtime;
      const options = parseStartArgs(argv, startedAt, io.env);
      const timeBox = timeBoxOf(options.maxRunMinutes, startedAt);
      const outputs = parseReportOutputs({ "summary-md": argv["summary-md"] }, io.env);
      if (!options.yes && !io.isTTY) {
        throw new InputError(
          "start replaces session hosts and asks for confirmation, but there is no terminal to ask on; pass --yes (pipelines run `avd-rollout plan` and an approval first)",
        );
      }
      const session = await runtime.ports.open(options.stack);
      if (!options.yes || session.preflight) {
        const { plan, document } = await computePlan(options.stack, session.ports, options.request.batchSize);
        // Before anyone is notified: refuse (exit 2, nothing changed) what would fail part-way.
        document.preflight = await preflightForStart(
          session,
          plan,
          document,
          options.request.deleteOriginalVm,
        );
        const shown = options.yes ? preflightLog(document.preflight) : [planText(document)];
        if (shown.length > 0) io.err(`${shown.join("\n")}\n`);
        requirePreflight(document.preflight, options.stack);
        if (!options.yes && document.outOfDate.length > 0) {
          const when = options.request.startAt ? ` at ${options.request.startAt}` : "";
          if (!(await io.confirm(`Start the rollout of ${document.outOfDate.length} host(s)${when}?`))) {
            return {
              exitCode: EXIT.failed,
              json: { stack: options.stack, result: "notStarted" },
              text: "Not started: nothing was changed.",
            };
          }
        }
      }
      const seen: AnyEvent[] = [];
      const result = await driveWithProgress(
        runtime,
        options.stack,
        options.eventsFile,
        (events, onProgress) =>
          startRollout(
            {
              ports: session.ports,
              events: fanOut(events, collectingSink(seen)),
              owner: runtime.owner,
              onProgress,
              ...(timeBox ? { runUntil: Date.parse(timeBox.runUntil) } : {}),
            },
            options.request,
          ),
      );
      writeRunSummary(outputs, options.stack, result, options.eventsFile, seen);
      return result;
    }),
};

/**
 * The Markdown summary of a driver run (`--summary-md`, `$GITHUB_STEP_SUMMARY`): the rollout's
 * figures and batches from the event log when one is kept (earlier runs of the rollout included),
 * else from this run's events.
 */
export function writeRunSummary(
  outputs: ReportOutputs,
  stack: string,
  result: CommandResult,
  eventsFile: string | undefined,
  seen: readonly AnyEvent[],
): void {
  if (outputs.summaries.length === 0) return;
  const outcome = result.json as { rollout?: string | null };
  writeSummaryFiles(outputs, {
    title: `avd-rollout on stack ${stack}`,
    subtitle: result.text,
    runs: runsOfRollout(outcome.rollout, eventsFile, seen),
  });
}
