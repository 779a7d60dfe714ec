/**
 * Progress and ETA (spec §5.10), pure: hosts completed, in progress and failed, the phase of each
 * in-flight host, percent complete (monotonic: completed hosts are never redone), and the
 * estimated time left from the notice schedule's projection.
 */
import type { Strategy } from "./strategy";
import type { HostPhase } from "./phase";
import { projectSchedule } from "./policies/noticeSchedule";
import type { BatchState } from "./policies/noticeSchedule";

export interface ProgressInput {
  now: number;
  total: number;
  completed: number;
  failed: number;
  /** Phase of each host that is neither pending, done nor failed. */
  inFlight: Readonly<Record<string, HostPhase>>;
  /** Per-batch state, in plan order (for the projection). */
  batches: readonly BatchState[];
  delayMs: number;
  /** Expected replacement time (commit -> restored). */
  replacementMs: number;
  strategy: Strategy;
}

export interface ProgressSnapshot {
  at: string;
  total: number;
  completed: number;
  failed: number;
  inProgress: number;
  pending: number;
  /** 0..100, whole number; 100 only when every planned host is done. */
  percent: number;
  /** Phase of each host that is neither pending nor done. */
  inFlight: Record<string, HostPhase>;
  /** Estimated time left (ms), null once nothing remains. */
  etaMs: number | null;
  /** Estimated finish time (ISO), null once nothing remains. */
  estimatedFinish: string | null;
}

export function percentOf(completed: number, total: number): number {
  if (total <= 0) return 100;
  return Math.floor((completed / total) * 100);
}

export function estimateProgress(input: ProgressInput): ProgressSnapshot {
  const inProgress = Object.keys(input.inFlight).length;
  const remaining = input.total - input.completed - input.failed;
  let etaMs: number | null = null;
  if (remaining > 0) {
    const projection = projectSchedule({
      batches: input.batches,
      now: input.now,
      delayMs: input.delayMs,
      replacementMs: input.replacementMs,
      strategy: input.strategy,
    });
    etaMs = Math.max(0, projection.finishAt - input.now);
  }
  return {
    at: new Date(input.now).toISOString(),
    total: input.total,
    completed: input.completed,
    failed: input.failed,
    inProgress,
    pending: Math.max(0, remaining - inProgress),
    percent: percentOf(input.completed, input.total),
    inFlight: { ...input.inFlight },
    etaMs,
    estimatedFinish: etaMs === null ? null : new Date(input.now + etaMs).toISOString(),
  };
}
