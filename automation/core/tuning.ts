/**
 * Knobs of the driver's timing. Defaults suit Azure; rehearsals and tests may override any of
 * them through `DriverDeps.tuning`. All durations are milliseconds of (virtual or real) clock time.
 */
export interface DriverTuning {
  /** How often the driver re-observes while users are under notice (late arrivals, early sign-outs). */
  pollIntervalMs: number;
  /**
   * Poll interval while a host waits to register or for its sign-outs to complete: these waits
   * hold capacity, so noticing their end sooner shortens the rollout.
   */
  registrationPollIntervalMs: number;
  /**
   * Shortest time between two reconcile steps: actions that finish at nearly the same moment are
   * handled together, which keeps a step's O(hosts) work from repeating per action.
   */
  minStepIntervalMs: number;
  /** Lease heartbeat period: the record's heartbeat is renewed at least this often while running. */
  heartbeatIntervalMs: number;
  /** A lease whose heartbeat is older than this may be taken over by another owner. */
  leaseStaleAfterMs: number;
  /** Replacement-time estimate (commit -> restored) used until a host of this rollout finished. */
  initialReplacementEstimateMs: number;
  /** How long a new generation may take to become Available after its `up` before it is retried. */
  registrationTimeoutMs: number;
  /** Attempts per host (first try included) for transient failures before the host is failed. */
  maxAttempts: number;
  /** Backoff before the second attempt; doubles per attempt up to {@link maxBackoffMs}. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Validity the registration token must still have before each `up`. */
  registrationTokenValidityMinutes: number;
  /** Consecutive failed observations (transient port errors) tolerated before the driver gives up. */
  maxObservationFailures: number;
  /** Title of the message shown to users. */
  messageTitle: string;
  /**
   * Hosts whose notice is projected within this time may be drained ahead of it (room permitting):
   * their load falls by itself, and returning users sign in on hosts already updated.
   */
  preDrainHorizonMs: number;
  /** While the rollout cannot proceed, `rollout.blocked` is reported again this often. */
  blockedReportIntervalMs: number;
  /**
   * A batch is noticed ahead of its turn only when hosts already updated can take back the users
   * it sends away (docs/rollout.md, "Fewer people disrupted"). Off only to measure what this costs
   * in minutes (bench/rollout.bench.ts): users who leave early then land on hosts still to come.
   */
  noticeAheadNeedsUpdatedRoom: boolean;
}

const MINUTE = 60_000;

export const DEFAULT_TUNING: DriverTuning = {
  pollIntervalMs: 60_000,
  registrationPollIntervalMs: 20_000,
  minStepIntervalMs: 5_000,
  heartbeatIntervalMs: MINUTE,
  leaseStaleAfterMs: 5 * MINUTE,
  // Deliberately low: underestimating only starts notices early (users get more time, never less).
  initialReplacementEstimateMs: 15 * MINUTE,
  registrationTimeoutMs: 30 * MINUTE,
  maxAttempts: 5,
  baseBackoffMs: MINUTE,
  maxBackoffMs: 10 * MINUTE,
  registrationTokenValidityMinutes: 180,
  maxObservationFailures: 10,
  messageTitle: "Session host update",
  blockedReportIntervalMs: 10 * MINUTE,
  preDrainHorizonMs: 2 * 60 * MINUTE,
  noticeAheadNeedsUpdatedRoom: true,
};

export function resolveTuning(overrides: Partial<DriverTuning> | undefined): DriverTuning {
  return { ...DEFAULT_TUNING, ...(overrides ?? {}) };
}
