/**
 * Progress and ETA (spec §5.10), pure: hosts completed, in progress and failed, the phase of each
 * in-flight host, percent complete (monotonic: completed hosts are never redone), and the
 * estimated time left from the schedule projection.
 */
import type { HostPhase } from "./phase";
import { projectSchedule } from "./schedule";
import type { BatchProgress } from "./schedule";
import type { Strategy } from "./driver";

export interface ProgressInput {
  now: number;
  /** Phase of every planned host. */
  phases: ReadonlyMap<string, HostPhase>;
  /** Per-batch state, in plan order (for the projection). */
  batches: readonly BatchProgress[];
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
  let completed = 0;
  let failed = 0;
  let pending = 0;
  const inFlight: Record<string, HostPhase> = {};
  for (const [host, phase] of input.phases) {
    if (phase === "done") completed++;
    else if (phase === "failed") failed++;
    else if (phase === "pending") pending++;
    else inFlight[host] = phase;
  }
  const total = input.phases.size;
  const remaining = total - completed - failed;
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
    total,
    completed,
    failed,
    inProgress: Object.keys(inFlight).length,
    pending,
    percent: percentOf(completed, total),
    inFlight,
    etaMs,
    estimatedFinish: etaMs === null ? null : new Date(input.now + etaMs).toISOString(),
  };
}
