/**
 * Notice scheduling (spec §5.5), pure. Batches leave service one after another as capacity frees;
 * each batch's notice starts `delay` before the moment capacity is projected to free for it, so
 * its deadline lands when it can actually go — several batches ahead when the delay is longer
 * than a replacement. Projections use the replacement time observed so far; an underestimate only
 * starts a notice early (users get more time, never less), and a notice is never shortened.
 *
 * The `azure` strategy reproduces the service: a batch is notified only once the previous one is
 * done, and always waits the full delay.
 */
import type { Strategy } from "./driver";

export interface BatchProgress {
  /** Hosts of the batch that are neither done nor failed. */
  remaining: number;
  /** Earliest notice time of the batch (ms), null when not noticed yet. */
  noticedAt: number | null;
  /** Latest commit time among its committed hosts (ms), null when none committed. */
  committedAt: number | null;
  /** Every host of the batch is back in service (restored), done or failed: its capacity is free. */
  freed: boolean;
  /** Every host is done or failed. */
  finished: boolean;
}

export interface ScheduleInput {
  batches: readonly BatchProgress[];
  now: number;
  delayMs: number;
  /** Replacement time (commit -> restored) to project with. */
  replacementMs: number;
  strategy: Strategy;
}

export interface BatchProjection {
  /** When the batch's notice starts (actual when noticed, else projected). */
  noticeAt: number;
  /** Projected time the batch leaves service. */
  leaveAt: number;
  /** Projected time its capacity frees (hosts restored). */
  freeAt: number;
}

export interface ScheduleProjection {
  batches: BatchProjection[];
  /** Projected end of the rollout (ms). */
  finishAt: number;
}

export function projectSchedule(input: ScheduleInput): ScheduleProjection {
  const { now, delayMs, replacementMs } = input;
  const out: BatchProjection[] = [];
  let previousFree = now;
  for (const batch of input.batches) {
    let projection: BatchProjection;
    if (batch.freed) {
      const at = Math.min(now, batch.noticedAt ?? now);
      projection = { noticeAt: at, leaveAt: batch.committedAt ?? at, freeAt: now };
    } else if (batch.committedAt !== null) {
      const leaveAt = batch.committedAt;
      projection = {
        noticeAt: batch.noticedAt ?? leaveAt,
        leaveAt,
        freeAt: Math.max(now, leaveAt + replacementMs),
      };
    } else {
      const earliestNotice = input.strategy === "azure" ? previousFree : previousFree - delayMs;
      const noticeAt = batch.noticedAt ?? Math.max(now, earliestNotice);
      const leaveAt = Math.max(noticeAt + delayMs, previousFree, now);
      projection = { noticeAt, leaveAt, freeAt: leaveAt + replacementMs };
    }
    out.push(projection);
    previousFree = Math.max(previousFree, projection.freeAt);
  }
  return { batches: out, finishAt: previousFree };
}

/**
 * Indexes of batches whose notice should start now: in order, each not yet noticed and due
 * (its projected notice time has come). Stops at the first batch that is not due, so notices
 * always go out in plan order.
 */
export function batchesDueForNotice(input: ScheduleInput, blocked: (index: number) => boolean): number[] {
  const projection = projectSchedule(input);
  const due: number[] = [];
  for (let i = 0; i < input.batches.length; i++) {
    const batch = input.batches[i];
    if (batch.noticedAt !== null || batch.committedAt !== null || batch.finished) continue;
    if (blocked(i)) break;
    if (input.strategy === "azure" && i > 0 && !input.batches.slice(0, i).every((b) => b.finished)) break;
    if (projection.batches[i].noticeAt > input.now) break;
    due.push(i);
  }
  return due;
}

/** Replacement time to schedule notices with: the fastest observed (an underestimate is safe), else the prior. */
export function schedulingReplacementMs(
  stats: { count: number; minMs?: number } | undefined,
  priorMs: number,
): number {
  if (stats && stats.count > 0 && stats.minMs !== undefined) return stats.minMs;
  return priorMs;
}

/** Replacement time to estimate the finish with: the mean observed, else the prior. */
export function estimatingReplacementMs(
  stats: { count: number; totalMs: number } | undefined,
  priorMs: number,
): number {
  if (stats && stats.count > 0) return stats.totalMs / stats.count;
  return priorMs;
}
