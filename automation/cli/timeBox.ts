/**
 * Time-boxed runs (`--max-run-minutes M`, or AVD_ROLLOUT_MAX_RUN_MINUTES in a pipeline): a run of
 * `start`, `resume`, `retry` or `continue` ends within M minutes of its start with the rollout
 * still going (exit 4), and the next run — `continue`, from a schedule — carries it on.
 *
 * The driver is given `runUntil` = start + M − {@link TIME_BOX_RESERVE_MINUTES}: from then on it
 * takes no host out of service and starts no `up` of its own accord, but it sees through what it
 * began (automation/core/reconciler.ts, TAIL_UP_START_WINDOW_MS). The reserve is the room that
 * takes: one `up` may start up to 5 minutes past `runUntil` (hosts already out finishing their
 * deallocation), the `up` itself ({@link UP_ALLOWANCE_MINUTES}), and up to 5 minutes for its hosts
 * to register. docs/pipelines.md explains the choice.
 */
import { InputError } from "../core/errors";
import { HANDOVER_REGISTRATION_GRACE_MS, TAIL_UP_START_WINDOW_MS } from "../core/reconciler";

const MINUTE = 60_000;

/** The environment variable pipelines set instead of the flag (the flag wins). */
export const MAX_RUN_MINUTES_ENV = "AVD_ROLLOUT_MAX_RUN_MINUTES";

/**
 * The longest `pulumi up` of a batch the time box makes room for: creating the VMs, NICs and
 * disks, then the extensions (directory join, the AVD agent's DSC registration, the configuration
 * script, the monitoring agent), which Azure runs one after another — 10 to 20 minutes for AVD
 * session hosts. A slower `up` makes the run end that much later than M.
 */
export const UP_ALLOWANCE_MINUTES = 20;

/** Minutes a run keeps for finishing what it began after it stops taking hosts out (30). */
export const TIME_BOX_RESERVE_MINUTES =
  TAIL_UP_START_WINDOW_MS / MINUTE + UP_ALLOWANCE_MINUTES + HANDOVER_REGISTRATION_GRACE_MS / MINUTE;

/** The shortest time a run may take hosts out in (so that a run does some work). */
export const MIN_WORK_MINUTES = 10;

export const MIN_MAX_RUN_MINUTES = TIME_BOX_RESERVE_MINUTES + MIN_WORK_MINUTES;
/** A month: beyond any job a pipeline runs. */
const MAX_MAX_RUN_MINUTES = 31 * 24 * 60;

/**
 * How long a hosted pipeline job may run when nothing says otherwise: GitHub-hosted runners stop a
 * job after 6 hours (docs.github.com, "Usage limits"). Used by `plan` only, to warn.
 */
export const GITHUB_HOSTED_JOB_MINUTES = 360;

export const MAX_RUN_MINUTES_OPTION = {
  type: "string",
  describe: `End this run within M minutes, the rollout still going (exit 4; \`continue\` carries it on); default $${MAX_RUN_MINUTES_ENV}`,
} as const;

type FlagValue = string | number | boolean | (string | number)[] | undefined;

/**
 * `--max-run-minutes M`, else AVD_ROLLOUT_MAX_RUN_MINUTES, else undefined (no time box). Invalid
 * values are InputErrors (exit 2) naming where the value came from and what to give.
 */
export function parseMaxRunMinutes(flag: FlagValue, env: NodeJS.ProcessEnv): number | undefined {
  let source: string;
  let text: string;
  if (flag !== undefined) {
    if (Array.isArray(flag))
      throw new InputError(
        `--max-run-minutes was given ${flag.length} times (${flag.map(String).join(", ")}); give it once`,
      );
    if (typeof flag === "boolean")
      throw new InputError(`--max-run-minutes needs a value; write --max-run-minutes <minutes>, e.g. 50`);
    source = "--max-run-minutes";
    text = String(flag);
  } else {
    const fromEnv = env[MAX_RUN_MINUTES_ENV];
    if (fromEnv === undefined || fromEnv.trim() === "") return undefined;
    source = MAX_RUN_MINUTES_ENV;
    text = fromEnv;
  }
  const hint =
    `give whole minutes from ${MIN_MAX_RUN_MINUTES} to ${MAX_MAX_RUN_MINUTES}: the run stops taking hosts out ` +
    `${TIME_BOX_RESERVE_MINUTES} minutes before it (room for one \`up\`) and needs at least ${MIN_WORK_MINUTES} minutes of work; ` +
    `e.g. 50 for a job with a 60-minute timeout`;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed))
    throw new InputError(`${source} "${text}": not a whole number of minutes; ${hint}`);
  const minutes = Number(trimmed);
  if (minutes < MIN_MAX_RUN_MINUTES || minutes > MAX_MAX_RUN_MINUTES)
    throw new InputError(`${source} ${trimmed}: out of range; ${hint}`);
  return minutes;
}

/** The driver's `runUntil` for a run that started at `startedAt` (ms) and may last `maxRunMinutes`. */
export function runUntilOf(maxRunMinutes: number, startedAt: number): number {
  return startedAt + (maxRunMinutes - TIME_BOX_RESERVE_MINUTES) * MINUTE;
}

/** A time box as the JSON outputs report it. */
export interface TimeBox {
  maxRunMinutes: number;
  /** When the run stops taking hosts out (ISO). */
  runUntil: string;
}

export function timeBoxOf(maxRunMinutes: number | undefined, startedAt: number): TimeBox | undefined {
  if (maxRunMinutes === undefined) return undefined;
  return { maxRunMinutes, runUntil: new Date(runUntilOf(maxRunMinutes, startedAt)).toISOString() };
}

/** M for a job with a 60-minute timeout: 10 minutes for checkout, `npm ci`, Pulumi and logins. */
export const RECOMMENDED_MAX_RUN_MINUTES = 50;

/** What `plan` says about a rollout longer than the job time a pipeline gives one run. */
export interface RunsEstimate {
  /** The job time one run gets, in minutes. */
  jobMinutes: number;
  /** Where that came from: the flag, the environment variable, or the hosted runner's limit. */
  source: "--max-run-minutes" | typeof MAX_RUN_MINUTES_ENV | "GitHub-hosted job limit";
  /** The estimate exceeds one run's time. */
  exceeds: boolean;
  /** The time box the run count assumes: the one given, else the recommended one. */
  maxRunMinutes: number;
  /** The time-boxed runs the rollout takes at most (1: it fits one run). */
  runs: number;
}

/**
 * How many time-boxed runs a rollout of about `estimatedMinutes` takes: each run takes hosts out
 * for M − reserve minutes and sees that work through, so at most ⌈estimate / (M − reserve)⌉ runs
 * (plus the waits between them). Without a time box on GitHub Actions, a hosted job's 6 hours is
 * the limit, and the count assumes the recommended time box.
 */
export function estimateRuns(
  estimatedMinutes: number,
  maxRunMinutes: number | undefined,
  source: "--max-run-minutes" | typeof MAX_RUN_MINUTES_ENV,
  env: NodeJS.ProcessEnv,
): RunsEstimate | null {
  const runsWith = (minutes: number): number =>
    Math.max(1, Math.ceil(estimatedMinutes / (minutes - TIME_BOX_RESERVE_MINUTES)));
  if (maxRunMinutes !== undefined)
    return {
      jobMinutes: maxRunMinutes,
      source,
      exceeds: estimatedMinutes > maxRunMinutes,
      maxRunMinutes,
      runs: runsWith(maxRunMinutes),
    };
  if (env.GITHUB_ACTIONS !== "true") return null;
  return {
    jobMinutes: GITHUB_HOSTED_JOB_MINUTES,
    source: "GitHub-hosted job limit",
    exceeds: estimatedMinutes > GITHUB_HOSTED_JOB_MINUTES,
    maxRunMinutes: RECOMMENDED_MAX_RUN_MINUTES,
    runs: runsWith(RECOMMENDED_MAX_RUN_MINUTES),
  };
}

/** The warning `plan` prints, or null when the rollout fits one run. */
export function runsWarning(estimatedMinutes: number, estimate: RunsEstimate | null): string | null {
  if (!estimate?.exceeds) return null;
  const about = `about ${Math.round(estimatedMinutes)} minutes`;
  const carryOn =
    "each ends with exit code 4 while the rollout goes on, and `avd-rollout continue` (a scheduled pipeline) carries it on; every wait between runs adds to the total";
  if (estimate.source === "GitHub-hosted job limit")
    return (
      `Warning: the rollout takes ${about}, longer than the ${estimate.jobMinutes} minutes a GitHub-hosted job may run. ` +
      `Set ${MAX_RUN_MINUTES_ENV}=${estimate.maxRunMinutes} (jobs of 60 minutes) and it takes up to ${estimate.runs} time-boxed runs: ${carryOn} (docs/pipelines.md).`
    );
  return (
    `Warning: the rollout takes ${about}, longer than the ${estimate.jobMinutes} minutes one run gets (${estimate.source}): ` +
    `it takes up to ${estimate.runs} time-boxed runs; ${carryOn}.`
  );
}
