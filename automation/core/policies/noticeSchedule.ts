/**
 * When each batch's notice starts (spec §5.4-5.5), pure.
 *
 * avd-rollout: the initial host is a canary for users too — no other batch is noticed before it
 * is back in service. After it, batches leave service one after another as capacity frees, and
 * each batch's notice starts `delay` before the moment capacity is projected to free for it, so
 * its deadline lands when it can actually go. Projections use the fastest replacement observed;
 * an underestimate only starts a notice early (users get more time, never less).
 *
 * azure (the service's documented behaviour): a batch is noticed only once the previous one is
 * finished, and always waits the full delay.
 */
import type { Strategy } from "../strategy";

export interface BatchState {
  /** Hosts of the batch that are neither done nor failed. */
  remaining: number;
  /** Of those, hosts whose notice has not started (a batch's hosts may start one by one). */
  unnoticed: number;
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
  batches: readonly BatchState[];
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
  let canaryFree = now;
  input.batches.forEach((batch, index) => {
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
      // (The initial batch: both give now.)
      const earliest =
        input.strategy === "azure" ? previousFree : Math.max(previousFree - delayMs, canaryFree);
      const noticeAt = batch.noticedAt ?? Math.max(now, earliest);
      const leaveAt = Math.max(noticeAt + delayMs, previousFree, now);
      projection = { noticeAt, leaveAt, freeAt: leaveAt + replacementMs };
    }
    if (index === 0) canaryFree = projection.freeAt;
    out.push(projection);
    previousFree = Math.max(previousFree, projection.freeAt);
  });
  return { batches: out, finishAt: previousFree };
}

/**
 * Indexes of batches whose notice is due: in plan order, each with hosts not noticed yet whose
 * (projected) notice time has come. Stops at the first batch that is not due, so notices always
 * go out in plan order; nothing after the initial batch is due before the initial batch is back
 * in service (the canary), and with the `azure` strategy nothing before the previous batch finished.
 */
export function batchesDueForNotice(input: ScheduleInput, blocked: (index: number) => boolean): number[] {
  const projection = projectSchedule(input);
  const due: number[] = [];
  let earlierFinished = true;
  for (let i = 0; i < input.batches.length; i++) {
    const batch = input.batches[i];
    const previousFinished = earlierFinished;
    earlierFinished &&= batch.finished;
    if (batch.unnoticed === 0 || batch.finished) continue;
    if (i > 0 && !input.batches[0].freed) break;
    if (input.strategy === "azure" && !previousFinished) break;
    if (blocked(i)) break;
    if (projection.batches[i].noticeAt > input.now) break;
    due.push(i);
    // A batch whose notice has not started at all holds the later ones back until it has.
    if (batch.noticedAt === null) break;
  }
  return due;
}

/** Whether every batch before `index` is back in service: its capacity slot has come. */
export function slotHasCome(batches: readonly BatchState[], index: number): boolean {
  for (let i = 0; i < index; i++) if (!batches[i].freed) return false;
  return true;
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
