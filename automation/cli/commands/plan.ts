/**
 * `avd-rollout plan --stack S [--batch-size N] [--max-run-minutes M] [--json]`: what a `start`
 * would replace, in which batches, and about how long it would take — and, when that is longer
 * than a pipeline job gives one run, a warning with how many time-boxed runs it takes. Reads only;
 * changes nothing.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { planRollout, type RolloutPlan } from "../../core/planner";
import { projectSchedule } from "../../core/policies/noticeSchedule";
import type { Ports } from "../../core/ports";
import type { RolloutRecord } from "../../core/record";
import { DEFAULT_TUNING } from "../../core/tuning";
import { preflightLines, type PreflightReport } from "../../preflight/report";
import { EXIT } from "../exitCodes";
import {
  BATCH_SIZE_OPTION,
  JSON_OPTION,
  STACK_OPTION,
  runCommand,
  type BaseArgs,
  type CommandResult,
} from "../command";
import { parseBatchSize, parseStack } from "../flags";
import { preflightOfPlan } from "../preflight";
import { formatMinutes } from "../progress";
import {
  MAX_RUN_MINUTES_ENV,
  MAX_RUN_MINUTES_OPTION,
  estimateRuns,
  parseMaxRunMinutes,
  runsWarning,
  type RunsEstimate,
} from "../timeBox";

interface PlanArgs extends BaseArgs {
  stack?: string;
  "batch-size"?: string;
  "max-run-minutes"?: string;
}

export interface PlanDocument {
  stack: string;
  revision: string;
  batchSize: number;
  logOffDelayMinutes: number;
  deleteOriginalVm: boolean;
  hosts: number;
  outOfDate: string[];
  upToDate: number;
  notDeployed: string[];
  notDesired: string[];
  initial: string | null;
  batches: { batch: number; hosts: string[] }[];
  availableNow: number;
  estimatedMinutes: number;
  /** The rollout recorded on the pool, if any. */
  rollout: { id: string; status: string; owner: string; heartbeat: string } | null;
  /** What the new generation needs from Azure, checked before anyone is notified (docs/preflight.md); null when not run. */
  preflight: PreflightReport | null;
  /** The time-boxed runs the rollout takes, when a run's time is known (`plan` only); null otherwise. */
  runs?: RunsEstimate | null;
  /** What the reader should know before starting (e.g. a rollout longer than one run). */
  warnings?: string[];
}

/**
 * Makespan estimate with the driver's own schedule projection (core/policies/noticeSchedule): the
 * initial host alone, then notices of later batches overlap earlier replacements (spec section
 * 5.5), so about two log-off delays plus one replacement per batch.
 */
export function estimateMakespanMinutes(
  batchCount: number,
  logOffDelayMinutes: number,
  replacementMinutes: number,
): number {
  const fresh = {
    remaining: 1,
    unnoticed: 1,
    noticedAt: null,
    committedAt: null,
    freed: false,
    finished: false,
  };
  const projection = projectSchedule({
    batches: Array.from({ length: batchCount }, () => fresh),
    now: 0,
    delayMs: logOffDelayMinutes * 60_000,
    replacementMs: replacementMinutes * 60_000,
    strategy: "avd-rollout",
  });
  return projection.finishAt / 60_000;
}

export async function computePlan(
  stack: string,
  ports: Ports,
  batchSizeFlag: number | undefined,
): Promise<{ plan: RolloutPlan; document: PlanDocument }> {
  const [desired, deployed, sessionHosts, stored] = await Promise.all([
    ports.stack.readDesired(),
    ports.stack.readDeployedHosts(),
    ports.hostPool.listSessionHosts(),
    ports.hostPool.readRecord(),
  ]);
  const batchSize = batchSizeFlag ?? desired.update.maxVmsRemoved;
  const plan = planRollout({ deployed, desired, sessionHosts, batchSize });
  const replacementMinutes = DEFAULT_TUNING.initialReplacementEstimateMs / 60_000;
  return {
    plan,
    document: {
      stack,
      revision: plan.revision,
      batchSize: plan.batchSize,
      logOffDelayMinutes: desired.update.logOffDelayMinutes,
      deleteOriginalVm: desired.update.deleteOriginalVm,
      hosts: plan.hosts.length,
      outOfDate: plan.outOfDate,
      upToDate: plan.upToDate.length,
      notDeployed: plan.notDeployed,
      notDesired: plan.notDesired,
      initial: plan.initial,
      batches: plan.batches.map((hosts, batch) => ({ batch, hosts })),
      availableNow: plan.baselineAvailable,
      estimatedMinutes: Math.round(
        estimateMakespanMinutes(plan.batches.length, desired.update.logOffDelayMinutes, replacementMinutes),
      ),
      rollout: recordSummary(stored.record),
      preflight: null,
    },
  };
}

export function recordSummary(record: RolloutRecord | null): PlanDocument["rollout"] {
  return record
    ? { id: record.id, status: record.status, owner: record.owner, heartbeat: record.heartbeat }
    : null;
}

export function planText(document: PlanDocument): string {
  const lines: string[] = [];
  lines.push(
    `Stack ${document.stack}: ${document.hosts} host(s), ${document.outOfDate.length} out of date, configuration revision ${document.revision}.`,
  );
  if (document.outOfDate.length === 0) {
    lines.push("Nothing to roll out: every host runs the current configuration.");
  } else {
    lines.push(
      `Batches of ${document.batchSize}, log-off delay ${document.logOffDelayMinutes} min, original VMs ${document.deleteOriginalVm ? "deleted" : "kept deallocated"}:`,
    );
    for (const { batch, hosts } of document.batches.slice(0, 20)) {
      lines.push(`  batch ${batch}${batch === 0 ? " (initial)" : ""}: ${hosts.join(", ")}`);
    }
    if (document.batches.length > 20) lines.push(`  … ${document.batches.length - 20} more batch(es)`);
    lines.push(
      `Estimated time: about ${formatMinutes(document.estimatedMinutes)} (${document.availableNow} host(s) available now).`,
    );
  }
  lines.push(...(document.warnings ?? []));
  if (document.notDeployed.length > 0)
    lines.push(`Not deployed yet (a plain \`pulumi up\` creates them): ${document.notDeployed.join(", ")}`);
  if (document.notDesired.length > 0)
    lines.push(
      `Deployed but no longer in the configuration (not touched): ${document.notDesired.join(", ")}`,
    );
  if (document.preflight) lines.push(...preflightLines(document.preflight));
  if (document.rollout) {
    lines.push(
      `Rollout ${document.rollout.id} on this pool is ${document.rollout.status} (owner ${document.rollout.owner}, heartbeat ${document.rollout.heartbeat}).`,
    );
  }
  return lines.join("\n");
}

export const planCommand: CommandModule<object, PlanArgs> = {
  command: "plan",
  describe: "Show which hosts a rollout would replace, in which batches, and how long it would take",
  builder: (yargs: Argv) =>
    yargs
      .option("stack", STACK_OPTION)
      .option("batch-size", BATCH_SIZE_OPTION)
      .option("max-run-minutes", MAX_RUN_MINUTES_OPTION)
      .option("json", JSON_OPTION)
      .strict() as unknown as Argv<PlanArgs>,
  handler: (argv: ArgumentsCamelCase<PlanArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const stack = parseStack(argv.stack);
      const batchSize = parseBatchSize(argv["batch-size"]);
      const { env } = runtime.io;
      const maxRunMinutes = parseMaxRunMinutes(argv["max-run-minutes"], env);
      const session = await runtime.ports.open(stack);
      const { plan, document } = await computePlan(stack, session.ports, batchSize);
      document.runs = null;
      document.warnings = [];
      if (document.outOfDate.length > 0) {
        const source = argv["max-run-minutes"] !== undefined ? "--max-run-minutes" : MAX_RUN_MINUTES_ENV;
        document.runs = estimateRuns(document.estimatedMinutes, maxRunMinutes, source, env);
        const warning = runsWarning(document.estimatedMinutes, document.runs);
        if (warning) document.warnings.push(warning);
      }
      document.preflight = await preflightOfPlan(session, plan, document.deleteOriginalVm);
      return { exitCode: EXIT.ok, json: document, text: planText(document) };
    }),
};
