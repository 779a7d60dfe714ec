/**
 * `avd-rollout rehearse [--scenario FILE] [--strategy avd-rollout|azure] [--compare]
 * [--batch-size N] [--log-off-delay MIN] [--report FILE.html] [--summary-md FILE] [--events FILE] [--json]`
 * (spec sections 7 and 9): runs the driver against the simulated host pool on a virtual clock.
 * Without `--scenario` it rehearses the bundled demo scenario; `npm start` does exactly that.
 */
import { appendFileSync } from "node:fs";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { InputError } from "../../core/errors";
import type { AnyEvent, EventSink } from "../../core/events";
import type { RehearsalResult, Strategy } from "../../sim/rehearse";
import { rehearse } from "../../sim/rehearse";
import type { Scenario } from "../../sim/scenario";
import { loadScenarioFile } from "../../sim/scenario";
import { JSON_OPTION, fanOut, runCommand, type BaseArgs, type CommandResult } from "../command";
import { EXIT } from "../exitCodes";
import { parseBatchSize, parseLogOffDelay, parseOptionalText, parseSwitch } from "../flags";
import { demoScenarioPath } from "../packageFiles";
import { rehearsalProgress } from "../rehearsalProgress";

/** Wall time, for progress on long rehearsals (virtual time is the rehearsal's own). */
const wallClock = (): number => Date.now();
import { reportsFromEvents } from "../../report";
import { comparisonText } from "../../report/figures";
import {
  REPORT_OPTION,
  SUMMARY_MD_OPTION,
  collectingSink,
  parseReportOutputs,
  wantsReports,
  writeReports,
} from "../reportOutputs";

const STRATEGIES: readonly Strategy[] = ["avd-rollout", "azure"];

interface RehearseArgs extends BaseArgs {
  scenario?: string;
  strategy?: string;
  events?: string;
  compare?: boolean;
  report?: string;
  "summary-md"?: string;
  "batch-size"?: string;
  "log-off-delay"?: string;
}

function parseStrategy(flag: string | undefined): Strategy {
  const value = parseOptionalText("strategy", flag);
  if (value === undefined) return "avd-rollout";
  if ((STRATEGIES as readonly string[]).includes(value)) return value as Strategy;
  throw new InputError(`--strategy ${JSON.stringify(value)} is not a strategy; use avd-rollout or azure`);
}

/**
 * Appends events to a JSON-lines file in chunks: a 1,000-host rehearsal emits tens of
 * thousands of events, and one write per event would dominate its run time.
 */
export function bufferedEventsFile(path: string): EventSink & { flush(): void } {
  let lines: string[] = [];
  const flush = (): void => {
    if (lines.length === 0) return;
    appendFileSync(path, lines.join(""));
    lines = [];
  };
  return {
    emit(event: AnyEvent) {
      lines.push(`${JSON.stringify(event)}\n`);
      if (lines.length >= 2000) flush();
    },
    flush,
  };
}

function checkEventsPath(path: string): void {
  try {
    appendFileSync(path, "");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "not writable";
    throw new InputError(
      `--events ${JSON.stringify(path)}: cannot write the file (${reason}); pass a writable path`,
    );
  }
}

function minutesText(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = Math.round(minutes - h * 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/** The short human summary `npm start` prints. */
export function rehearsalText(scenario: Scenario, result: RehearsalResult, availableAtStart: number): string {
  const { hostPool, update } = scenario;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  return [
    `Rehearsal "${result.scenario}" (${plural(hostPool.hosts, "host")}, batches of ${update.maxVmsRemoved}, ${update.logOffDelayMinutes} min notice), strategy ${result.strategy}: ${result.result}`,
    `  Duration:              ${minutesText(result.makespanMinutes)} (virtual time)`,
    `  Lowest capacity:       ${result.minAvailable} of ${result.hosts} hosts serving (${availableAtStart} at start)`,
    `  Signed out by force:   ${plural(result.forcedSignOuts, "session")} after their full notice (${result.voluntarySignOuts} signed out themselves after the notice)`,
    `  Shortest notice:       ${result.shortestNoticeMinutes} min before a forced sign-out; ${plural(result.shortNotices, "session")} got less than ${update.logOffDelayMinutes} min`,
    `  Notified twice:        ${plural(result.sessionsNotifiedTwice, "session")} whose user had already been told to sign out from another session`,
    `  Refused sign-ins:      ${result.refusedSignIns} (no host had room)`,
    `  Users disrupted:       ${plural(result.disruptedUsers, "user")} (signed out by force or notified twice)`,
    `  Hosts updated:         ${result.updated} of ${result.hosts}${result.failed.length > 0 ? `; failed: ${result.failed.join(", ")}` : ""}; stack updates: ${result.stackUps}; driver crashes: ${result.crashes}`,
  ].join("\n");
}

/** `--batch-size` and `--log-off-delay` try a variant of the scenario's update policy without editing it. */
function withOverrides(scenario: Scenario, argv: RehearseArgs): Scenario {
  const batchSize = parseBatchSize(argv["batch-size"]);
  const logOffDelayMinutes = parseLogOffDelay(argv["log-off-delay"]);
  return {
    ...scenario,
    update: {
      ...scenario.update,
      ...(batchSize === undefined ? {} : { maxVmsRemoved: batchSize }),
      ...(logOffDelayMinutes === undefined ? {} : { logOffDelayMinutes }),
    },
  };
}

export const rehearseCommand: CommandModule<object, RehearseArgs> = {
  // The default command too (commands/index.ts withDefaultCommand), without being yargs' `$0`.
  command: "rehearse",
  describe: "Rehearse a rollout on a simulated host pool (virtual time): duration, capacity, users touched",
  builder: (yargs: Argv) =>
    yargs
      .option("scenario", {
        type: "string",
        describe: "Scenario JSON file (default: the bundled demo scenario)",
      })
      .option("strategy", {
        type: "string",
        describe: "avd-rollout (default) or azure (the service's documented behaviour)",
      })
      .option("compare", {
        type: "boolean",
        describe: "Rehearse the azure strategy on the same scenario too and show both side by side",
      })
      .option("batch-size", {
        type: "string",
        describe: "Hosts replaced at once (overrides the scenario's update.maxVmsRemoved)",
      })
      .option("log-off-delay", {
        type: "string",
        describe:
          "Minutes from the notice to the forced sign-out, 0-1440 (overrides update.logOffDelayMinutes)",
      })
      .option("report", REPORT_OPTION)
      .option("summary-md", SUMMARY_MD_OPTION)
      .option("events", { type: "string", describe: "Append the event log to FILE as JSON lines" })
      .option("json", JSON_OPTION) as unknown as Argv<RehearseArgs>,
  handler: (argv: ArgumentsCamelCase<RehearseArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const compare = parseSwitch("compare", argv.compare);
      if (compare && argv.strategy !== undefined)
        throw new InputError(
          `--strategy ${JSON.stringify(argv.strategy)} with --compare: --compare rehearses both strategies; drop --strategy`,
        );
      const strategies: Strategy[] = compare ? ["avd-rollout", "azure"] : [parseStrategy(argv.strategy)];
      const outputs = parseReportOutputs(argv, runtime.io.env);
      const scenarioFile = parseOptionalText("scenario", argv.scenario);
      if (scenarioFile !== undefined && scenarioFile.trim() === "") {
        throw new InputError(
          "--scenario needs a value: write --scenario FILE (a scenario JSON file, e.g. scenarios/standard-100.json), or leave it out for the demo scenario",
        );
      }
      const scenario = withOverrides(loadScenarioFile(scenarioFile ?? demoScenarioPath()), argv);
      const eventsPath = parseOptionalText("events", argv.events);
      if (eventsPath !== undefined) checkEventsPath(eventsPath);
      const file = eventsPath !== undefined ? bufferedEventsFile(eventsPath) : undefined;
      const runs: { result: RehearsalResult; events: AnyEvent[]; availableAtStart: number }[] = [];
      try {
        for (const strategy of strategies) {
          const run = { events: [] as AnyEvent[], availableAtStart: 0 };
          const events: EventSink = {
            emit(event) {
              if (event.type === "world.availability" && run.availableAtStart === 0)
                run.availableAtStart = event.available;
              file?.emit(event);
            },
          };
          const collect = wantsReports(outputs) || compare ? collectingSink(run.events) : undefined;
          const onProgress = rehearsalProgress(
            `${scenario.name} (${strategy})`,
            (line) => runtime.io.err(line),
            wallClock,
          );
          const result = await rehearse(scenario, { strategy, events: fanOut(events, collect), onProgress });
          runs.push({ ...run, result });
        }
      } finally {
        file?.flush();
      }
      const exitCode = runs.some((run) => run.result.result === "failed") ? EXIT.failed : EXIT.ok;
      // Logs of drivers that do not record the strategy in rollout.started: the rehearsal knows it.
      const reports =
        compare || wantsReports(outputs)
          ? runs.flatMap((run) =>
              reportsFromEvents(run.events).map((report) => ({
                ...report,
                strategy: report.strategy ?? run.result.strategy,
              })),
            )
          : [];
      if (wantsReports(outputs)) {
        const { hostPool, update } = scenario;
        await writeReports(
          outputs,
          {
            title: `Rehearsal "${scenario.name}"`,
            subtitle: `${hostPool.hosts} hosts, batches of ${update.maxVmsRemoved}, ${update.logOffDelayMinutes} min notice; simulated host pool on virtual time${compare ? "; avd-rollout compared with the azure strategy (the service's documented behaviour)" : ""}`,
            runs: reports,
          },
          new Date(runtime.now()),
        );
      }
      if (!compare) {
        const [only] = runs;
        return {
          exitCode,
          json: only.result,
          text: rehearsalText(scenario, only.result, only.availableAtStart),
        };
      }
      const json: Record<string, unknown> = { scenario: scenario.name };
      for (const run of runs) json[run.result.strategy] = run.result;
      return { exitCode, json, text: comparisonText(`Rehearsal "${scenario.name}"`, reports) };
    }),
};
