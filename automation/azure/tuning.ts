/**
 * Timing knobs of the adapters. Production defaults follow ARM guidance; tests shrink them so a
 * suite over the emulator runs in milliseconds without real sleeps.
 */
import { performance } from "node:perf_hooks";
import type { RetrySettings } from "./retryPolicy";
import { realSleep } from "./retryPolicy";

/**
 * The record write protocol (hostPoolAdapter.ts, docs/azure.md "Concurrency"): host pool tags
 * have no etag, so a write is confirmed by reading it back after a settle time.
 */
export interface RecordWriteTuning {
  /** Longest time from sending the read a write depends on to sending the write (G). */
  maxReadToWriteMs: number;
  /** Timeout of the write's one attempt (P); an unanswered write is settled by polling. */
  writeTimeoutMs: number;
  /** Wait from the moment a write has certainly landed to the read that confirms it (D > G + P). */
  settleMs: number;
  /** Poll interval while an unanswered write may still land. */
  pollIntervalMs: number;
  /** Timeout of one poll read. */
  pollReadTimeoutMs: number;
  /** How long after it was sent an unanswered write may still land (H); after that it never will. */
  lateWriteHorizonMs: number;
}

export interface AdapterTuning {
  /** HTTP retry settings; the retry budget of the adapters' own port wrapper derives from them. */
  retry: Partial<RetrySettings>;
  /** Interval between polls of a long-running operation when the server gives no Retry-After. */
  lroPollIntervalMs: number;
  /** Give up waiting for one long-running operation after this long (transient failure). */
  lroTimeoutMs: number;
  /** How often setDrainMode re-reads and re-asserts before it gives up. */
  drainVerifyAttempts: number;
  /** Wait between a drain write and its verification re-read. */
  drainVerifyDelayMs: number;
  /** Bulk messages and sign-outs in flight at once (per adapter). */
  bulkConcurrency: number;
  /** The rollout record's write protocol. */
  record: RecordWriteTuning;
  /** Waits of the adapters' own protocols (verification, settling, in-place retries; real time by default). */
  sleep: (ms: number) => Promise<void>;
  /** Current time in ms: registration token expiry is computed against it. */
  now: () => number;
  /** A monotonic clock (ms) for the record protocol's intervals; each machine measures its own. */
  monotonicNow: () => number;
}

export const DEFAULT_RECORD_WRITE: RecordWriteTuning = {
  maxReadToWriteMs: 2_000,
  writeTimeoutMs: 5_000,
  settleMs: 10_000,
  pollIntervalMs: 1_000,
  pollReadTimeoutMs: 2_000,
  lateWriteHorizonMs: 120_000,
};

export const DEFAULT_TUNING: AdapterTuning = {
  retry: {},
  lroPollIntervalMs: 5_000,
  lroTimeoutMs: 30 * 60_000,
  drainVerifyAttempts: 5,
  drainVerifyDelayMs: 5_000,
  bulkConcurrency: 8,
  record: DEFAULT_RECORD_WRITE,
  sleep: (ms) => realSleep(ms),
  now: Date.now,
  monotonicNow: () => performance.now(),
};

export type AdapterTuningInput = Partial<Omit<AdapterTuning, "record">> & {
  record?: Partial<RecordWriteTuning>;
};

export function withDefaults(tuning: AdapterTuningInput | undefined): AdapterTuning {
  const resolved: AdapterTuning = {
    ...DEFAULT_TUNING,
    ...tuning,
    retry: { ...DEFAULT_TUNING.retry, ...tuning?.retry },
    record: { ...DEFAULT_RECORD_WRITE, ...tuning?.record },
  };
  const r = resolved.record;
  if (!(r.settleMs > r.maxReadToWriteMs + r.writeTimeoutMs)) {
    throw new RangeError(
      `record.settleMs (${r.settleMs}) must exceed record.maxReadToWriteMs + record.writeTimeoutMs (${r.maxReadToWriteMs + r.writeTimeoutMs}): ` +
        "a competing write may land that long after the read it depends on",
    );
  }
  return resolved;
}
