/**
 * Adapter timing for tests over the emulator: no real waits worth the name. HTTP retry waits
 * are recorded (so a test can check that Retry-After was honoured) and then taken as 1 ms;
 * LROs poll every millisecond; the registration expiry is computed on the world's clock.
 */
import type { AdapterTuning } from "../../../automation/azure/tuning";

export interface RecordedWaits {
  /** Every wait the HTTP retry policy asked for, in ms, in order. */
  retryWaits: number[];
}

const shortSleep = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 1));

export function fastAdapterTuning(now: () => number, waits: RecordedWaits): Partial<AdapterTuning> {
  return {
    retry: {
      maxRetries: 3,
      retryDelayMs: 10,
      maxRetryDelayMs: 100,
      maxRetryAfterMs: 10_000,
      attemptTimeoutMs: 2_000,
      sleep: (ms) => {
        waits.retryWaits.push(ms);
        return shortSleep();
      },
    },
    lroPollIntervalMs: 1,
    lroTimeoutMs: 10_000,
    drainVerifyAttempts: 5,
    drainVerifyDelayMs: 20,
    // Drain verification waits for a late write that the emulator applies on a real timer.
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 50))),
    now,
  };
}
