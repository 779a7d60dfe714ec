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

/**
 * Typed loosely on the argument side (`never`) so commands with different flags fit one list;
 * each module is fully typed where it is defined.
 */
export const commands: readonly CommandModule<object, never>[] = [
  rehearseCommand as CommandModule<object, never>,
  planCommand as CommandModule<object, never>,
  startCommand as CommandModule<object, never>,
  statusCommand as CommandModule<object, never>,
  pauseCommand as CommandModule<object, never>,
  resumeCommand as CommandModule<object, never>,
  cancelCommand as CommandModule<object, never>,
  retryCommand as CommandModule<object, never>,
  driftCommand as CommandModule<object, never>,
];

/**
 * The avd-rollout CLI over `args`. Usage errors (unknown commands or flags, missing values)
 * become InputErrors so they exit 2 like every other invalid input.
 */
export function buildCli(args: readonly string[]): Argv {
  let cli = yargs([...args])
    .scriptName("avd-rollout")
    .usage("$0 <command> [options]\n\nRolling updates of Azure Virtual Desktop session hosts (Pulumi + AVD).")
    .strict()
    .help()
    .version(false)
    .fail((message: string | undefined, error: Error | undefined) => {
      if (error) throw error;
      throw new InputError(`${message ?? "invalid command line"}; see avd-rollout --help`);
    });
  for (const command of commands) cli = cli.command(command);
  return cli;
}
