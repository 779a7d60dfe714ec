/**
 * The frame every operations command runs in: its runtime, error → exit code mapping
 * (spec section 7, exitCodes.ts: 0 done, 1 failed or could not run, 2 invalid input, 3 busy/locked,
 * 5 drift found), and the
 * `--json` contract (exactly one JSON document on stdout, whatever happens).
 */
import { appendFileSync } from "node:fs";
import type { AnyEvent, EventSink } from "../core/events";
import { redactSecrets } from "../pulumi/redact";
import { EXIT, errorKindOf, exitCodeOf } from "./exitCodes";
import type { CliRuntime } from "./runtime";
import { runtimeOf } from "./runtime";

export interface CommandResult {
  exitCode: number;
  /** The `--json` document. */
  json: unknown;
  /** What a person reads on stdout without `--json`. */
  text: string;
}

export interface BaseArgs {
  runtime?: unknown;
  json?: boolean;
}

/** Runs a command body and reports its result or error the way the CLI contract says. */
export async function runCommand(
  argv: BaseArgs,
  body: (runtime: CliRuntime) => Promise<CommandResult>,
): Promise<void> {
  const runtime = runtimeOf(argv);
  const { io } = runtime;
  const json = argv.json === true;
  try {
    const result = await body(runtime);
    if (json) io.out(`${JSON.stringify(result.json, null, 2)}\n`);
    else if (result.text !== "") io.out(result.text.endsWith("\n") ? result.text : `${result.text}\n`);
    io.setExitCode(result.exitCode);
  } catch (error) {
    const exitCode = exitCodeOf(error);
    const message = redactSecrets(error instanceof Error ? error.message : String(error));
    io.err(`avd-rollout: ${message}\n`);
    if (exitCode === EXIT.failed && error instanceof Error && error.stack && io.env.AVD_ROLLOUT_DEBUG) {
      io.err(`${redactSecrets(error.stack)}\n`);
    }
    if (json)
      io.out(`${JSON.stringify({ error: { kind: errorKindOf(error), message }, exitCode }, null, 2)}\n`);
    io.setExitCode(exitCode);
  }
}

/** Appends events to a JSON-lines file (spec section 8). */
export function eventsFileSink(path: string): EventSink {
  return {
    emit(event: AnyEvent) {
      appendFileSync(path, `${JSON.stringify(event)}\n`);
    },
  };
}

/** Sends each event to every sink. */
export function fanOut(...sinks: (EventSink | undefined)[]): EventSink {
  const live = sinks.filter((sink): sink is EventSink => sink !== undefined);
  return {
    emit(event: AnyEvent) {
      for (const sink of live) sink.emit(event);
    },
  };
}

/** yargs options every operations command shares. */
export const STACK_OPTION = {
  type: "string",
  describe: "Pulumi stack of the host pool (stacks/Pulumi.<stack>.yaml)",
  // Shown as [required] in --help; a missing --stack gets parseStack's message (commands/index.ts).
  demandOption: true,
} as const;

export const BATCH_SIZE_OPTION = {
  type: "string",
  describe: "Hosts replaced at once (overrides avd-rollout:update.maxVmsRemoved)",
} as const;

export const JSON_OPTION = {
  type: "boolean",
  describe: "Print exactly one JSON document on stdout (logs go to stderr)",
} as const;
