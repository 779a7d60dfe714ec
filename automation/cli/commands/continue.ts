/**
 * `avd-rollout continue --stack S [--max-run-minutes M] [--events FILE] [--summary-md FILE] [--json]`:
 * carries on whatever rollout is active on the stack's host pool — after a time-boxed run handed
 * it over (exit 4), after a driver died, or a scheduled one waiting for its time — from the record
 * and observed state alone, on this machine. What a scheduled pipeline runs every few minutes.
 *
 * - An active rollout (scheduled, running, pausing, cancelling) is driven on, time-boxed when
 *   asked: exit 0 when it ends, 1 when it fails, 4 when the time box ends first.
 * - No rollout, or one that is succeeded, cancelled, paused or failed: nothing to carry on, exit 0,
 *   with what to do next (a paused rollout waits for `resume`, a failed one for `retry`: a person
 *   decides that, not a schedule).
 * - A rollout whose driver runs elsewhere (fresh heartbeat, lease not released): exit 3.
 * Before the rollout's first notice the preflight gates it as it gates `resume` (exit 2).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { continueRollout } from "../../core/driver";
import type { AnyEvent } from "../../core/events";
import { isActive } from "../../core/lease";
import type { RolloutRecord } from "../../core/record";
import { JSON_OPTION, STACK_OPTION, fanOut, runCommand, type BaseArgs, type CommandResult } from "../command";
import { EXIT } from "../exitCodes";
import { parseEventsFile, parseStack } from "../flags";
import { gateBeforeFirstNotice } from "../preflight";
import { SUMMARY_MD_OPTION, collectingSink, parseReportOutputs } from "../reportOutputs";
import { MAX_RUN_MINUTES_OPTION, parseMaxRunMinutes, timeBoxOf } from "../timeBox";
import { driveWithProgress, writeRunSummary } from "./start";

interface ContinueArgs extends BaseArgs {
  stack?: string;
  "max-run-minutes"?: string;
  events?: string;
  "summary-md"?: string;
}

/** Why there is nothing to carry on, and what would. */
export function nothingToContinue(stack: string, record: RolloutRecord | null): string {
  if (!record) return `No rollout is recorded on the host pool of stack ${stack}: nothing to continue.`;
  const base = `Rollout ${record.id} on stack ${stack} is ${record.status}`;
  switch (record.status) {
    case "paused":
      return `${base}: nothing to continue until someone runs \`avd-rollout resume --stack ${stack}\` (or \`cancel\`).`;
    case "failed":
      return `${base}${record.error ? ` (${record.error})` : ""}: fix the cause, then \`avd-rollout retry --stack ${stack}\` (or \`cancel\`).`;
    default:
      return `${base}: nothing to continue.`;
  }
}

export const continueCommand: CommandModule<object, ContinueArgs> = {
  command: "continue",
  describe:
    "Carry on the active rollout of the stack here (after a time-boxed run, a crash, or a scheduled start)",
  builder: (yargs: Argv) =>
    yargs
      .option("stack", STACK_OPTION)
      .option("max-run-minutes", MAX_RUN_MINUTES_OPTION)
      .option("events", { type: "string", describe: "Append the event log to this file (JSON lines)" })
      .option("summary-md", SUMMARY_MD_OPTION)
      .option("json", JSON_OPTION)
      .strict() as unknown as Argv<ContinueArgs>,
  handler: (argv: ArgumentsCamelCase<ContinueArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const startedAt = runtime.now();
      const { io } = runtime;
      const stack = parseStack(argv.stack);
      const timeBox = timeBoxOf(parseMaxRunMinutes(argv["max-run-minutes"], io.env), startedAt);
      const eventsFile = parseEventsFile(argv.events);
      const outputs = parseReportOutputs({ "summary-md": argv["summary-md"] }, io.env);
      const session = await runtime.ports.open(stack);
      const { ports } = session;
      const { record } = await ports.hostPool.readRecord();
      if (!record || !isActive(record.status)) {
        const text = nothingToContinue(stack, record);
        const result: CommandResult = {
          exitCode: EXIT.ok,
          json: {
            stack,
            result: "nothingToContinue",
            rollout: record?.id ?? null,
            status: record?.status ?? null,
          },
          text,
        };
        writeRunSummary(outputs, stack, { ...result, json: { rollout: record?.id ?? null } }, eventsFile, []);
        return result;
      }
      await gateBeforeFirstNotice(session, stack, io);
      const seen: AnyEvent[] = [];
      const result = await driveWithProgress(runtime, stack, eventsFile, (events, onProgress) =>
        continueRollout({
          ports,
          events: fanOut(events, collectingSink(seen)),
          owner: runtime.owner,
          onProgress,
          ...(timeBox ? { runUntil: Date.parse(timeBox.runUntil) } : {}),
        }),
      );
      writeRunSummary(outputs, stack, result, eventsFile, seen);
      return result;
    }),
};
