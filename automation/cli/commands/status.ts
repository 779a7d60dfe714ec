/**
 * `avd-rollout status --all | --stacks a,b,c [--json] [--summary-md FILE]`: every pool's rollout
 * in one table (automation/cli/fleetStatus.ts).
 *
 * `avd-rollout status --stack S [--json] [--watch] [--report FILE.html] [--summary-md FILE]
 * [--events LOG]`: the rollout recorded on the pool and where each host stands, derived from the
 * record plus observed state (so it works from any machine, while another machine or pipeline
 * runs the driver). `--watch` follows it until it ends (rewriting the report at every poll).
 * The report's timeline and charts come from the rollout's event log (`--events`, the file
 * `start --events` appends to); without it the report shows the record's state alone.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { InputError } from "../../core/errors";
import type { Ports } from "../../core/ports";
import { DEFAULT_TUNING } from "../../core/tuning";
import {
  allStacks,
  fleetExitCode,
  fleetText,
  parseStackList,
  readFleet,
  writeFleetSummary,
} from "../fleetStatus";
import type { CliRuntime } from "../runtime";
import { EXIT } from "../exitCodes";
import { JSON_OPTION, STACK_OPTION, runCommand, type BaseArgs, type CommandResult } from "../command";
import { parseEventsFile, parseStack, parseSwitch } from "../flags";
import { progressDisplay } from "../progress";
import { statusDocument, statusText, type StatusDocument } from "../statusView";
import {
  REPORT_OPTION,
  SUMMARY_MD_OPTION,
  parseReportOutputs,
  runsOfRollout,
  wantsReports,
  writeReports,
  type ReportContent,
} from "../reportOutputs";

interface StatusArgs extends BaseArgs {
  stack?: string;
  all?: boolean;
  stacks?: string;
  watch?: boolean;
  report?: string;
  "summary-md"?: string;
  events?: string;
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
      // One pool (--stack), or many (--all, --stacks): none of them required on its own.
      .option("stack", { ...STACK_OPTION, demandOption: false })
      .option("all", {
        type: "boolean",
        describe: "Every stack of the project (stacks/Pulumi.<stack>.yaml), one row each",
      })
      .option("stacks", { type: "string", describe: "These stacks, one row each: --stacks a,b,c" })
      .option("watch", { type: "boolean", describe: "Follow the rollout with live progress until it ends" })
      .option("report", REPORT_OPTION)
      .option("summary-md", SUMMARY_MD_OPTION)
      .option("events", {
        type: "string",
        describe: "The rollout's event log (written by start --events) for the report's timeline and charts",
      })
      .option("json", JSON_OPTION)
      .strict() as unknown as Argv<StatusArgs>,
  handler: (argv: ArgumentsCamelCase<StatusArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      if (argv.all !== undefined || argv.stacks !== undefined) return fleetStatus(argv, runtime);
      const stack = parseStack(argv.stack);
      const watch = parseSwitch("watch", argv.watch);
      const outputs = parseReportOutputs(argv, runtime.io.env);
      const eventsFile = parseEventsFile(argv.events);
      if (eventsFile !== undefined && !wantsReports(outputs))
        throw new InputError(
          `--events "${argv.events}": status reads the event log only for --report or --summary-md; add one of them or drop --events`,
        );
      const { ports } = await runtime.ports.open(stack);
      let document = await readStatus(stack, ports);
      const report = async (final: boolean) => {
        if (!wantsReports(outputs)) return;
        const content = statusReport(document, eventsFile, watch && !final);
        await writeReports(final ? outputs : { ...outputs, summaries: [] }, content, new Date(runtime.now()));
      };
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
            if (outputs.report !== undefined) await report(false);
            await ports.clock.sleep(DEFAULT_TUNING.pollIntervalMs);
            document = await readStatus(stack, ports);
          }
        } finally {
          display.stop();
        }
      }
      await report(true);
      const exitCode = watch && document.rollout?.status === "failed" ? EXIT.failed : EXIT.ok;
      return { exitCode, json: document, text: statusText(document) };
    }),
};

/** `status --all` / `--stacks a,b,c`: one row per stack. */
async function fleetStatus(argv: StatusArgs, runtime: CliRuntime): Promise<CommandResult> {
  const all = parseSwitch("all", argv.all);
  // `--all=no` reaches here as false: say how to write it.
  if (!all && argv.stacks === undefined)
    throw new InputError("--all takes no value: write just --all (or name the stacks with --stacks a,b,c)");
  if (all && argv.stacks !== undefined)
    throw new InputError("--all and --stacks both name the stacks; give one of them");
  if (argv.stack !== undefined)
    throw new InputError(
      `--stack ${String(argv.stack)} and --${all ? "all" : "stacks"}: give --stack for one pool, or --all / --stacks for many`,
    );
  for (const flag of ["watch", "report", "events"] as const)
    if (argv[flag] !== undefined)
      throw new InputError(
        `--${flag} shows one pool: use it with --stack S, not with --${all ? "all" : "stacks"}`,
      );
  const outputs = parseReportOutputs({ "summary-md": argv["summary-md"] }, runtime.io.env);
  const stacks = all ? await allStacks(runtime.ports) : parseStackList(argv.stacks);
  const document = await readFleet(stacks, async (stack) =>
    readStatus(stack, (await runtime.ports.open(stack)).ports),
  );
  writeFleetSummary(outputs, document);
  return { exitCode: fleetExitCode(document), json: document, text: fleetText(document) };
}

/** What `status --report` / `--summary-md` show: the record's state on top, the log's run below. */
export function statusReport(
  document: StatusDocument,
  eventsFile: string | undefined,
  refreshing: boolean,
): ReportContent {
  const [heading, ...lines] = statusText(document).split("\n");
  if (eventsFile === undefined)
    lines.push(
      "No event log given: pass --events FILE (the file start --events appends to) for the timeline and charts.",
    );
  const runs = eventsFile !== undefined ? runsOfRollout(document.rollout?.id ?? null, eventsFile, []) : [];
  if (eventsFile !== undefined && runs.length === 0)
    lines.push(`The event log ${eventsFile} holds no events of this rollout.`);
  const content: ReportContent = {
    title: `avd-rollout status of stack ${document.stack}`,
    live: { heading, lines },
    runs,
  };
  // A page that a watching `status` rewrites reloads itself while the rollout runs.
  if (refreshing) content.refreshSeconds = 30;
  return content;
}
