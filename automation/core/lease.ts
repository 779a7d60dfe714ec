/**
 * One rollout per host pool (spec §5.8): the rollout record is the lease. Pure rules.
 *
 * - An unfinished rollout (scheduled, running, pausing, cancelling) is held by `owner` while its
 *   heartbeat is fresh. A second `start` is refused with BusyError naming holder and since when.
 * - The same owner (the same user@machine or pipeline identity) takes its own lease over at once:
 *   that is a restart after a crash.
 * - Another owner takes it over with `continueRollout` (what `resume` and `continue` run) once the
 *   heartbeat is stale (older than `leaseStaleAfterMs`), or at once when the holder released it
 *   (a time-boxed run that ended); the takeover is a conditional write, so two machines racing
 *   for it cannot both win.
 * - `paused` and `failed` rollouts hold the pool too (they can only be resumed/retried or
 *   cancelled) but have no live driver; whoever resumes or retries becomes the owner.
 * - `succeeded` and `cancelled` rollouts free the pool.
 */
import type { RolloutRecord, RolloutStatus } from "./record";

export const ACTIVE_STATUSES: readonly RolloutStatus[] = ["scheduled", "running", "pausing", "cancelling"];
export const HOLDING_STATUSES: readonly RolloutStatus[] = [...ACTIVE_STATUSES, "paused", "failed"];

export function isActive(status: RolloutStatus): boolean {
  return ACTIVE_STATUSES.includes(status);
}

export function holdsPool(record: RolloutRecord | null): record is RolloutRecord {
  return record !== null && HOLDING_STATUSES.includes(record.status);
}

export function isHeartbeatStale(record: RolloutRecord, now: number, staleAfterMs: number): boolean {
  const beat = Date.parse(record.heartbeat);
  return !Number.isFinite(beat) || now - beat > staleAfterMs;
}

export type TakeoverVerdict = { allowed: true } | { allowed: false; reason: string };

/** Whether `owner` may drive the recorded rollout now (continue after a crash, or take it over). */
export function mayTakeOver(
  record: RolloutRecord,
  owner: string,
  now: number,
  staleAfterMs: number,
): TakeoverVerdict {
  if (!isActive(record.status)) return { allowed: true };
  if (record.owner === owner || record.releasedAt !== undefined) return { allowed: true };
  if (isHeartbeatStale(record, now, staleAfterMs)) return { allowed: true };
  return { allowed: false, reason: busyMessage(record, now, staleAfterMs) };
}

/** The message of the BusyError a second rollout gets. */
export function busyMessage(record: RolloutRecord, now: number, staleAfterMs: number): string {
  const base = `the host pool is busy with rollout ${record.id} (${record.status}), held by ${record.owner} since ${record.startedAt}, last heartbeat ${record.heartbeat}`;
  switch (record.status) {
    case "paused":
      return `${base}; it is paused: run \`resume\` to continue it or \`cancel\` to end it`;
    case "failed":
      return `${base}; it failed: run \`retry\` to resume its failed and remaining hosts or \`cancel\` to end it`;
    default:
      if (record.releasedAt !== undefined)
        return `${base}; a time-boxed run handed it over at ${record.releasedAt}: run \`continue\` to carry it on`;
      return isHeartbeatStale(record, now, staleAfterMs)
        ? `${base}; its heartbeat is stale (the driver may have crashed): run \`resume\` to take it over`
        : `${base}; wait for it to finish, or \`pause\`/\`cancel\` it`;
  }
}
