/**
 * What `status` shows, derived from the rollout record plus observed state — the same
 * derivation the driver uses (core/phase, core/progress), so another machine's `status` agrees
 * with the driver's own progress.
 */
import type { HostPhase } from "../core/phase";
import { deriveHostPhase } from "../core/phase";
import { batchesOf, resourceKey, indexSessionHostsByResource } from "../core/planner";
import type { DeployedHost, SessionHostInfo } from "../core/ports";
import { estimateProgress, type ProgressSnapshot } from "../core/progress";
import type { BatchState } from "../core/policies/noticeSchedule";
import type { BlockedState, RolloutRecord } from "../core/record";
import { DEFAULT_TUNING } from "../core/tuning";

export interface StatusDocument {
  stack: string;
  /** null when no rollout is recorded on the pool. */
  rollout: {
    id: string;
    status: RolloutRecord["status"];
    revision: string;
    owner: string;
    heartbeat: string;
    startedAt: string;
    startAt: string | null;
    batchSize: number;
    logOffDelayMinutes: number;
    deleteOriginalVm: boolean;
    error: string | null;
    lastControl: RolloutRecord["control"] | null;
    /** What the rollout waits for, while it cannot proceed. */
    blocked: BlockedState | null;
    /** When a time-boxed run handed the rollout over (anyone may continue it at once). */
    releasedAt: string | null;
  } | null;
  progress: ProgressSnapshot | null;
  /** Failed hosts and why. */
  failed: Record<string, string>;
  hosts: { total: number; upToDate: number; outOfDate: string[] };
}

const iso = (text: string | undefined): number | null => (text ? Date.parse(text) : null);

/** Phase of every planned host of the record. */
export function phasesOf(
  record: RolloutRecord,
  deployed: readonly DeployedHost[],
  sessionHosts: readonly SessionHostInfo[],
): Map<string, HostPhase> {
  const deployedByHost = new Map(deployed.map((host) => [host.host, host]));
  const byResource = indexSessionHostsByResource(sessionHosts);
  const phases = new Map<string, HostPhase>();
  for (const host of record.planned) {
    const entry = record.hosts[host];
    const original = entry?.original ? byResource.get(resourceKey(entry.original.vm.resourceId)) : undefined;
    phases.set(
      host,
      deriveHostPhase({
        target: record.revision,
        entry,
        deployed: deployedByHost.get(host),
        originalSessionHost: original,
      }),
    );
  }
  return phases;
}

function batchProgress(record: RolloutRecord, phases: ReadonlyMap<string, HostPhase>): BatchState[] {
  return batchesOf(record.planned, record.params.batchSize).map((hosts) => {
    const settled = (host: string) => phases.get(host) === "done" || phases.get(host) === "failed";
    const notices = hosts
      .map((host) => iso(record.hosts[host]?.noticeAt))
      .filter((t): t is number => t !== null);
    const commits = hosts
      .map((host) => iso(record.hosts[host]?.committedAt))
      .filter((t): t is number => t !== null);
    return {
      remaining: hosts.filter((host) => !settled(host)).length,
      unnoticed: hosts.filter((host) => (phases.get(host) ?? "pending") === "pending").length,
      noticedAt: notices.length > 0 ? Math.min(...notices) : null,
      committedAt: commits.length > 0 ? Math.max(...commits) : null,
      freed: hosts.every((host) => settled(host) || phases.get(host) === "restored"),
      finished: hosts.every(settled),
    };
  });
}

export function statusDocument(
  stack: string,
  record: RolloutRecord | null,
  deployed: readonly DeployedHost[],
  desiredHosts: readonly string[],
  desiredRevision: string,
  sessionHosts: readonly SessionHostInfo[],
  now: number,
): StatusDocument {
  const desiredSet = new Set(desiredHosts);
  const ofPool = deployed.filter((host) => desiredSet.has(host.host));
  const outOfDate = ofPool
    .filter((host) => host.revision !== desiredRevision)
    .map((host) => host.host)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  const hosts = { total: ofPool.length, upToDate: ofPool.length - outOfDate.length, outOfDate };
  if (!record) return { stack, rollout: null, progress: null, failed: {}, hosts };
  const phases = phasesOf(record, deployed, sessionHosts);
  const replacementMs =
    record.stats && record.stats.count > 0
      ? record.stats.totalMs / record.stats.count
      : DEFAULT_TUNING.initialReplacementEstimateMs;
  const inFlight: Record<string, HostPhase> = {};
  let completed = 0;
  let failedCount = 0;
  for (const [host, phase] of phases) {
    if (phase === "done") completed++;
    else if (phase === "failed") failedCount++;
    else if (phase !== "pending") inFlight[host] = phase;
  }
  const progress = estimateProgress({
    now,
    total: phases.size,
    completed,
    failed: failedCount,
    inFlight,
    batches: batchProgress(record, phases),
    delayMs: record.params.logOffDelayMinutes * 60_000,
    replacementMs,
    strategy: "avd-rollout",
  });
  const failed: Record<string, string> = {};
  for (const [host, entry] of Object.entries(record.hosts)) {
    if (entry.failed) failed[host] = entry.error ?? "failed";
  }
  return {
    stack,
    rollout: {
      id: record.id,
      status: record.status,
      revision: record.revision,
      owner: record.owner,
      heartbeat: record.heartbeat,
      startedAt: record.startedAt,
      startAt: record.params.startAt ?? null,
      batchSize: record.params.batchSize,
      logOffDelayMinutes: record.params.logOffDelayMinutes,
      deleteOriginalVm: record.params.deleteOriginalVm,
      error: record.error ?? null,
      lastControl: record.control ?? null,
      blocked: record.blocked ?? null,
      releasedAt: record.releasedAt ?? null,
    },
    progress,
    failed,
    hosts,
  };
}

export function statusText(document: StatusDocument): string {
  const { hosts } = document;
  const lines = [
    `Stack ${document.stack}: ${hosts.total} host(s), ${hosts.upToDate} up to date, ${hosts.outOfDate.length} out of date.`,
  ];
  const rollout = document.rollout;
  if (!rollout) {
    lines.push("No rollout recorded on this host pool.");
    return lines.join("\n");
  }
  lines.push(
    `Rollout ${rollout.id}: ${rollout.status} (owner ${rollout.owner}, heartbeat ${rollout.heartbeat}, started ${rollout.startedAt}${rollout.startAt ? `, scheduled for ${rollout.startAt}` : ""}).`,
  );
  const progress = document.progress;
  if (progress) {
    const eta =
      progress.etaMs === null
        ? ""
        : `, about ${Math.round(progress.etaMs / 60_000)} min left (finish ${progress.estimatedFinish})`;
    lines.push(
      `Progress: ${progress.completed}/${progress.total} done (${progress.percent}%), ${progress.inProgress} in progress, ${progress.failed} failed${eta}.`,
    );
    const inFlight = Object.entries(progress.inFlight);
    if (inFlight.length > 0)
      lines.push(`In progress: ${inFlight.map(([host, phase]) => `${host} ${phase}`).join(", ")}`);
  }
  for (const [host, error] of Object.entries(document.failed)) lines.push(`Failed: ${host}: ${error}`);
  if (rollout.error) lines.push(`Error: ${rollout.error}`);
  if (rollout.blocked)
    lines.push(
      `Waiting since ${rollout.blocked.since} (${rollout.blocked.waitingFor}): ${rollout.blocked.reason}`,
    );
  if (rollout.releasedAt)
    lines.push(
      `Handed over by a time-boxed run at ${rollout.releasedAt}: \`avd-rollout continue\` carries it on.`,
    );
  return lines.join("\n");
}
