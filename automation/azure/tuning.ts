/**
 * Timing knobs of the adapters. Production defaults follow ARM guidance; tests shrink them so a
 * suite over the emulator runs in milliseconds without real sleeps.
 */
import type { RetrySettings } from "./retryPolicy";
import { realSleep } from "./retryPolicy";

export interface AdapterTuning {
  /** HTTP retry policy settings (attempts, backoff, Retry-After cap, per-attempt timeout). */
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
  /** Waits between verification rounds (real time by default). */
  sleep: (ms: number) => Promise<void>;
  /** Current time in ms: registration token expiry is computed against it. */
  now: () => number;
}

export const DEFAULT_TUNING: AdapterTuning = {
  retry: {},
  lroPollIntervalMs: 5_000,
  lroTimeoutMs: 30 * 60_000,
  drainVerifyAttempts: 5,
  drainVerifyDelayMs: 5_000,
  bulkConcurrency: 8,
  sleep: (ms) => realSleep(ms),
  now: Date.now,
};

export function withDefaults(tuning: Partial<AdapterTuning> | undefined): AdapterTuning {
  return { ...DEFAULT_TUNING, ...tuning, retry: { ...DEFAULT_TUNING.retry, ...tuning?.retry } };
}
