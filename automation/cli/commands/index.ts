/**
 * The CLI's commands, registered by main.ts in this order. Each is a yargs CommandModule whose
 * handler runs through `runCommand` (automation/cli/command.ts) for exit codes and `--json`.
 */
import type { Argv, CommandModule } from "yargs";
import yargs from "yargs";
import { InputError } from "../../core/errors";
import { rehearseCommand } from "./rehearse";
import { planCommand } from "./plan";
import { startCommand } from "./start";
import { statusCommand } from "./status";
import { driftCommand } from "./drift";
import { cancelCommand, pauseCommand, resumeCommand, retryCommand } from "./control";
import { validateCommand } from "./validate";
import { parseStack } from "../flags";
import { packageVersion } from "../packageFiles";
import { continueCommand } from "./continue";

/**
 * Typed loosely on the argument side (`never`) so commands with different flags fit one list;
 * each module is fully typed where it is defined.
 */
export const commands: readonly CommandModule<object, never>[] = [
  rehearseCommand as CommandModule<object, never>,
  validateCommand as CommandModule<object, never>,
  planCommand as CommandModule<object, never>,
  startCommand as CommandModule<object, never>,
  statusCommand as CommandModule<object, never>,
  pauseCommand as CommandModule<object, never>,
  resumeCommand as CommandModule<object, never>,
  cancelCommand as CommandModule<object, never>,
  retryCommand as CommandModule<object, never>,
  continueCommand as CommandModule<object, never>,
  driftCommand as CommandModule<object, never>,
];

const TOP_LEVEL_FLAGS = new Set(["--help", "-h", "--version"]);

/**
 * `rehearse` is the default command: no arguments (`npm start`), or only its flags
 * (`avd-rollout --scenario x.json`), rehearse. It is not registered as yargs' default command,
 * whose options yargs would list as global ones in the top-level `--help`.
 */
export function withDefaultCommand(args: readonly string[]): string[] {
  const first = args[0];
  if (first === undefined) return ["rehearse"];
  if (first.startsWith("-") && !TOP_LEVEL_FLAGS.has(first)) return ["rehearse", ...args];
  return [...args];
}

/** yargs' message for a missing `--stack` (demandOption), replaced by the project's own. */
const MISSING_STACK = /^Missing required argument: stack$/;

/**
 * The avd-rollout CLI over `args`. Usage errors (unknown commands or flags, missing values)
 * become InputErrors so they exit 2 like every other invalid input.
 */
export function buildCli(args: readonly string[]): Argv {
  let cli = yargs(withDefaultCommand(args))
    .scriptName("avd-rollout")
    .usage(
      "$0 <command> [options]\n\nRolling updates of Azure Virtual Desktop session hosts (Pulumi + AVD).\nWithout a command: rehearse on the bundled demo scenario.",
    )
    .strict()
    .help()
    .alias("h", "help")
    .version(packageVersion())
    .fail((message: string | undefined, error: Error | undefined) => {
      if (error) throw error;
      if (message !== undefined && MISSING_STACK.test(message)) parseStack(undefined);
      throw new InputError(`${message ?? "invalid command line"}; see avd-rollout --help`);
    });
  for (const command of commands) cli = cli.command(command);
  return cli;
}
