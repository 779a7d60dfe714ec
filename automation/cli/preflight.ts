/**
 * The preflight in the CLI (docs/preflight.md): `plan` reports it; `start`, and a `resume` or
 * `retry` of a rollout that has not notified anyone yet, run it before the first notice and
 * refuse (exit 2, nothing changed) when a check fails. The gate lives here, around the driver,
 * so the driver itself stays unaware of it.
 */
import { InputError } from "../core/errors";
import { planRollout, type RolloutPlan } from "../core/planner";
import { isActive } from "../core/lease";
import type { RolloutRecord, RolloutStatus } from "../core/record";
import { preflightLines, refusalMessage, type PreflightReport } from "../preflight/report";
import { runPreflight } from "../preflight/runPreflight";
import type { CliIo } from "./io";
import type { StackSession } from "./portsFactory";

/**
 * The preflight of a plan, or null when there is nothing to replace or the world has no Azure
 * environment to check (a simulated pool without one).
 */
export async function preflightOfPlan(
  session: StackSession,
  plan: RolloutPlan,
  deleteOriginalVm: boolean,
): Promise<PreflightReport | null> {
  if (!session.preflight || plan.outOfDate.length === 0) return null;
  const outOfDate = new Set(plan.outOfDate);
  return runPreflight({
    ...session.preflight,
    rollout: {
      outOfDate: plan.details
        .filter((host) => outOfDate.has(host.host))
        .map((host) => ({ host: host.host, vmResourceId: host.vmResourceId })),
      batchSize: plan.batchSize,
      deleteOriginalVm,
    },
    hostPool: session.ports.hostPool,
    compute: session.ports.compute,
  });
}

/** Refuses (InputError: exit 2, nothing changed) when the preflight failed. */
export function requirePreflight(report: PreflightReport | null, stack: string): void {
  if (report?.result === "failed") throw new InputError(refusalMessage(report, stack));
}

/**
 * Whether a rollout has touched anyone yet: a batch whose notice began (`startedBatches` is
 * written with a batch's first notice and kept), a host noticed or committed to leave service, or
 * a replacement finished. Until then a `resume` (or a time-boxed run's `continue`) is still a start.
 */
export function hasTouchedHosts(record: RolloutRecord): boolean {
  if ((record.startedBatches?.length ?? 0) > 0 || (record.stats?.count ?? 0) > 0) return true;
  return Object.values(record.hosts).some(
    (host) =>
      host.noticeAt !== undefined || (host.notices?.length ?? 0) > 0 || host.committedAt !== undefined,
  );
}

/**
 * `start`'s preflight: the plan's, with the run's --delete-original-vm; not run when a rollout
 * already holds the pool (the start is refused as busy, exit 3, without it).
 */
export async function preflightForStart(
  session: StackSession,
  plan: RolloutPlan,
  document: { deleteOriginalVm: boolean; rollout: { status: string } | null },
  deleteOriginalVmFlag: boolean | undefined,
): Promise<PreflightReport | null> {
  if (document.rollout && isActive(document.rollout.status as RolloutStatus)) return null;
  return preflightOfPlan(session, plan, deleteOriginalVmFlag ?? document.deleteOriginalVm);
}

/**
 * The preflight's lines for a pipeline's log when it passed (warnings included); none when it did
 * not run, or failed — the refusal then names every failed check and its fix.
 */
export function preflightLog(report: PreflightReport | null): string[] {
  return report?.result === "passed" ? preflightLines(report) : [];
}

/** Rollouts a `resume`/`retry` may drive on, which the gate applies to before their first notice. */
const GATED: ReadonlySet<RolloutStatus> = new Set(["scheduled", "running", "pausing", "paused", "failed"]);

/**
 * The gate of a `resume` or `retry` (and of a time-boxed run's `continue`): a rollout that has
 * not notified or taken out anyone yet — a scheduled one, typically — is checked as a `start`
 * would be, with its recorded batch size and original-VM policy, and refused (exit 2, nothing
 * changed) when a check fails. Prints the preflight's lines on `io` when it ran.
 */
export async function gateBeforeFirstNotice(
  session: StackSession,
  stack: string,
  io: Pick<CliIo, "err">,
): Promise<PreflightReport | null> {
  if (!session.preflight) return null;
  const { ports } = session;
  const { record } = await ports.hostPool.readRecord();
  if (!record || !GATED.has(record.status) || hasTouchedHosts(record)) return null;
  const [desired, deployed, sessionHosts] = await Promise.all([
    ports.stack.readDesired(),
    ports.stack.readDeployedHosts(),
    ports.hostPool.listSessionHosts(),
  ]);
  const plan = planRollout({ deployed, desired, sessionHosts, batchSize: record.params.batchSize });
  const report = await preflightOfPlan(session, plan, record.params.deleteOriginalVm);
  const lines = preflightLog(report);
  if (lines.length > 0) io.err(`${lines.join("\n")}\n`);
  requirePreflight(report, stack);
  return report;
}
