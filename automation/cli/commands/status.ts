/**
 * `avd-rollout status --stack S [--json] [--watch]`: the rollout recorded on the pool and where
 * each host stands, derived from the record plus observed state (so it works from any machine,
 * while another machine or pipeline runs the driver). `--watch` follows it until it ends.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { InputError } from "../../core/errors";
import type { Ports } from "../../core/ports";
import { DEFAULT_TUNING } from "../../core/tuning";
import { EXIT } from "../exitCodes";
import { JSON_OPTION, STACK_OPTION, runCommand, type BaseArgs, type CommandResult } from "../command";
import { parseStack, parseSwitch } from "../flags";
import { progressDisplay } from "../progress";
import { statusDocument, statusText, type StatusDocument } from "../statusView";

interface StatusArgs extends BaseArgs {
  stack?: string;
  watch?: boolean;
}

/** Statuses after which nothing moves without an operator (`--watch` stops there). */
const SETTLED = new Set(["paused", "cancelled", "failed", "succeeded"]);

export async function readStatus(stack: string, ports: Ports): Promise<StatusDocument> {
  const [stored, deployed, desired, sessionHosts] = await Promise.all([
    ports.hostPool.readRecord(),
    ports.stack.readDeployedHosts(),
    ports.stack.readDesired(),
    ports.hostPool.listSessionHosts(),
  ]);
  return statusDocument(
    stack,
    stored.record,
    deployed,
    desired.hosts,
    desired.revision,
    sessionHosts,
    ports.clock.now(),
  );
}

export const statusCommand: CommandModule<object, StatusArgs> = {
  command: "status",
  describe: "Show the rollout on the stack's host pool and where each host stands",
  builder: (yargs: Argv) =>
    yargs
      .option("stack", STACK_OPTION)
      .option("watch", { type: "boolean", describe: "Follow the rollout with live progress until it ends" })
      .option("json", JSON_OPTION)
      .strict() as unknown as Argv<StatusArgs>,
  handler: (argv: ArgumentsCamelCase<StatusArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const stack = parseStack(argv.stack);
      const watch = parseSwitch("watch", argv.watch);
      const { ports } = await runtime.ports.open(stack);
      let document = await readStatus(stack, ports);
      if (watch) {
        if (!document.rollout)
          throw new InputError(
            `--watch: no rollout is recorded on the host pool of stack ${stack}; start one with \`avd-rollout start --stack ${stack}\``,
          );
        const display = progressDisplay(runtime.io);
        try {
          for (;;) {
            if (document.progress) display.progress(document.progress);
            if (!document.rollout || SETTLED.has(document.rollout.status)) break;
            await ports.clock.sleep(DEFAULT_TUNING.pollIntervalMs);
            document = await readStatus(stack, ports);
          }
        } finally {
          display.stop();
        }
      }
      const exitCode = watch && document.rollout?.status === "failed" ? EXIT.failed : EXIT.ok;
      return { exitCode, json: document, text: statusText(document) };
    }),
};
