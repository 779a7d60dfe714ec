/**
 * `avd-rollout pause | resume | cancel | retry --stack S` (spec section 5.7): control a rollout
 * from any machine through the rollout record on the host pool (core/control).
 *
 * - `pause` and `cancel` change the record; the running driver lets the in-flight batch finish
 *   and stops. They return at once.
 * - `resume` and `retry` change the record and make this process the rollout's owner, then drive
 *   the rollout on here with live progress until it ends (as `start` does). A `resume` of a
 *   rollout whose driver is still running elsewhere (it was only `pausing`) just lets it carry on.
 *   With `--max-run-minutes` (or AVD_ROLLOUT_MAX_RUN_MINUTES) they drive a time-boxed run, as
 *   `continue` does (exit 4 when it ends with the rollout still going).
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import {
  cancelRollout,
  pauseRollout,
  resumeRollout,
  retryRollout,
  type ControlAction,
  type ControlResult,
} from "../../core/control";
import type { ControlContext } from "../../core/control";
import { continueRollout } from "../../core/driver";
import type { AnyEvent } from "../../core/events";
import { isActive, mayTakeOver } from "../../core/lease";
import { DEFAULT_TUNING } from "../../core/tuning";
import { EXIT } from "../exitCodes";
import {
  JSON_OPTION,
  STACK_OPTION,
  eventsFileSink,
  fanOut,
  runCommand,
  type BaseArgs,
  type CommandResult,
} from "../command";
import { parseEventsFile, parseStack } from "../flags";
import { gateBeforeFirstNotice } from "../preflight";
import { plainLine } from "../progressLines";
import type { CliRuntime } from "../runtime";
import { MAX_RUN_MINUTES_OPTION, parseMaxRunMinutes, timeBoxOf } from "../timeBox";
import { driveWithProgress } from "./start";

interface ControlArgs extends BaseArgs {
  stack?: string;
  events?: string;
  "max-run-minutes"?: string;
}

const OPERATIONS: Record<ControlAction, (ctx: ControlContext) => Promise<ControlResult>> = {
  pause: pauseRollout,
  resume: resumeRollout,
  cancel: cancelRollout,
  retry: retryRollout,
};

const DESCRIPTIONS: Record<ControlAction, string> = {
  pause: "Pause the rollout: the in-flight batch finishes, then it stops (resume or cancel it later)",
  resume: "Resume a paused rollout (or take over one whose driver died) and drive it to the end here",
  cancel: "Cancel the rollout: the in-flight batch finishes; hosts already updated stay updated",
  retry: "Retry a failed rollout: its failed hosts and the remaining ones, driven to the end here",
};

/** Whether this process should drive the rollout after the control operation. */
export function shouldDrive(
  action: ControlAction,
  result: ControlResult,
  owner: string,
  now: number,
): boolean {
  if (action !== "resume" && action !== "retry") return false;
  const { record } = result;
  if (!isActive(record.status)) return false;
  // Ours, its driver died, or a time-boxed run handed it over.
  return mayTakeOver(record, owner, now, DEFAULT_TUNING.leaseStaleAfterMs).allowed;
}

async function runControl(
  action: ControlAction,
  argv: ControlArgs,
  runtime: CliRuntime,
): Promise<CommandResult> {
  const startedAt = runtime.now();
  const stack = parseStack(argv.stack);
  const eventsFile = parseEventsFile(argv.events);
  const { io } = runtime;
  const drives = action === "resume" || action === "retry";
  const timeBox = drives
    ? timeBoxOf(parseMaxRunMinutes(argv["max-run-minutes"], io.env), startedAt)
    : undefined;
  const session = await runtime.ports.open(stack);
  const { ports } = session;
  if (drives) await gateBeforeFirstNotice(session, stack, io);
  const log = {
    emit: (event: AnyEvent) => {
      const line = plainLine(event);
      if (line !== null) io.err(`${line}\n`);
    },
  };
  const result = await OPERATIONS[action]({
    hostPool: ports.hostPool,
    clock: ports.clock,
    by: runtime.owner,
    events: fanOut(log, eventsFile ? eventsFileSink(eventsFile) : undefined),
  });
  io.err(`${result.message}\n`);
  if (shouldDrive(action, result, runtime.owner, ports.clock.now())) {
    return driveWithProgress(runtime, stack, eventsFile, (events, onProgress) =>
      continueRollout({
        ports,
        events,
        owner: runtime.owner,
        onProgress,
        ...(timeBox ? { runUntil: Date.parse(timeBox.runUntil) } : {}),
      }),
    );
  }
  const { record } = result;
  return {
    exitCode: EXIT.ok,
    json: {
      stack,
      action,
      rollout: record.id,
      status: record.status,
      owner: record.owner,
      changed: result.changed,
      message: result.message,
    },
    text: `${result.message}.`,
  };
}

function controlCommand(action: ControlAction): CommandModule<object, ControlArgs> {
  return {
    command: action,
    describe: DESCRIPTIONS[action],
    builder: (yargs: Argv) => {
      let built = yargs.option("stack", STACK_OPTION);
      if (action === "resume" || action === "retry") {
        built = built
          .option("events", {
            type: "string",
            describe: "Append the event log to this file (JSON lines)",
          })
          .option("max-run-minutes", MAX_RUN_MINUTES_OPTION);
      }
      return built.option("json", JSON_OPTION).strict() as unknown as Argv<ControlArgs>;
    },
    handler: (argv: ArgumentsCamelCase<ControlArgs>) =>
      runCommand(argv, (runtime) => runControl(action, argv, runtime)),
  };
}

export const pauseCommand = controlCommand("pause");
export const resumeCommand = controlCommand("resume");
export const cancelCommand = controlCommand("cancel");
export const retryCommand = controlCommand("retry");
