/**
 * The rollout record (spec section 6): the little state a rollout needs beyond what can be
 * observed. It lives where every machine managing the pool sees it (host pool tags in Azure)
 * and is JSON-serialisable. Everything else — which hosts are done, drained, removed, on which
 * revision — is observed, never remembered.
 *
 * Facts are written here *before* they are acted on (a notice before its messages go out, a
 * commit before the host is drained), so a driver that dies anywhere resumes from the record
 * and the world alone. Owned by the rollout engine; adapters store it opaquely (JSON).
 */

export type RolloutStatus =
  "scheduled" | "running" | "pausing" | "paused" | "cancelling" | "cancelled" | "failed" | "succeeded";

export interface RolloutParameters {
  batchSize: number;
  logOffDelayMinutes: number;
  logOffMessage: string;
  deleteOriginalVm: boolean;
  /** ISO time the rollout may start (scheduled start); absent = now. */
  startAt?: string;
}

/**
 * Sessions messaged together. Their deadline — the earliest moment they may be signed out by
 * force — is `sentAt` + the delay: counted from delivery, never from the intent.
 */
export interface NoticeGroup {
  /** Session ids (the last segment of the user session's ARM id). */
  ids: string[];
  /**
   * Written before the messages go out. A group found with it and without `sentAt` (the driver
   * died while sending) is confirmed as delivered at the moment it is found — later than any
   * real delivery, so the deadline is never earlier than promised — and is never sent again.
   */
  sendingSince?: string;
  /** When the send calls returned (ISO). */
  sentAt?: string;
}

/** What the host was before the rollout touched it: restored at the end, and the budget's basis. */
export interface OriginalFacts {
  /** The VM being replaced. */
  vm: { name: string; resourceId: string };
  /** Its AVD session host name (FQDN), when it was registered; the new generation registers under it. */
  sessionHostName?: string;
  /** Drain mode before the rollout (false = drain mode on). */
  allowNewSession: boolean;
  powerState: "running" | "deallocated";
  /**
   * Serving and accepting new sessions when first touched (informational: whether the host costs
   * budget follows from its drain mode and power state, policies/budget.ts countsForBudget).
   */
  accepting: boolean;
}

/** Per in-flight host facts that cannot be observed afterwards. */
export interface HostRecord {
  /** Batch index (0 is the initial host). */
  batch: number;
  /** Recorded when the notice starts (the host's first touch). */
  original?: OriginalFacts;
  /** When the host's notice started (ISO): its first group was recorded. */
  noticeAt?: string;
  /** Notices to the original session host's sessions, in order; each session is in one group at most. */
  notices?: NoticeGroup[];
  /** The driver turned drain mode on while the host was under notice, to steer arrivals away. */
  steered?: boolean;
  /**
   * When the host was committed to leave service (ISO): written before it is drained for good.
   * From then on it costs capacity budget until it is restored.
   */
  committedAt?: string;
  /** When the `up` that created the current new generation returned (registration wait starts). */
  provisionedAt?: string;
  /** When the new generation was first seen Available. */
  registeredAt?: string;
  /**
   * Notices to sessions that signed in on the new generation while it registered, when it must
   * return to deallocated (its original power state).
   */
  restoreNotices?: NoticeGroup[];
  /** When drain mode and power state of the new generation were restored (capacity freed). */
  restoredAt?: string;
  /** VMs of failed attempts (created by an `up`, then given up on); deleted when the host finishes. */
  discardedVms?: { name: string; resourceId: string }[];
  /** Attempts that failed so far (bounded retries of transient failures). */
  attempts?: number;
  /** No new attempt before this time (ISO): the backoff after a transient failure. */
  retryAt?: string;
  /** Last error. */
  error?: string;
  /** The host failed for good; `retry` clears it. */
  failed?: boolean;
}

/** Running statistics of the replacement time (commit -> restored) of a host. */
export interface ReplacementStats {
  count: number;
  totalMs: number;
  /** Fastest replacement observed. */
  minMs?: number;
}

/** What a rollout that cannot proceed waits for (spec: a stuck rollout says so). */
export interface BlockedState {
  waitingFor: string;
  reason: string;
  /** Since when (ISO). */
  since: string;
}

export interface RolloutRecord {
  /** Schema version of this record. */
  version: 2;
  /** Rollout id. */
  id: string;
  status: RolloutStatus;
  /** Target configuration revision. */
  revision: string;
  params: RolloutParameters;
  /** `avd-rollout`, or `azure` for rehearsals of the service's behaviour. */
  strategy?: "avd-rollout" | "azure";
  /** Who holds the lease (user@machine, pipeline run) and when it was last renewed (ISO). */
  owner: string;
  heartbeat: string;
  /** The owner gave the lease up (a time-boxed run ended): anyone may take the rollout over at once. */
  releasedAt?: string;
  /** Who started the rollout. */
  startedBy?: string;
  startedAt: string;
  /** Hosts planned for this rollout in plan order (names). */
  planned: string[];
  /** Per-host facts for hosts in flight, failed, or done-but-unfinished. */
  hosts: Record<string, HostRecord>;
  /**
   * Hosts the rollout drained ahead of their notice (room permitting). Each accepted new sessions
   * before, and does again when the rollout lets it go (or when its notice starts, it is recorded
   * as such). Written before the drain.
   */
  drainedAhead?: string[];
  /**
   * Capacity baseline: how many of the stack's session hosts were serving and accepting new
   * sessions when the rollout started. At most `batchSize` of them may be out of service.
   */
  baselineAvailable?: number;
  /** Replacement times observed so far, for notice scheduling and the ETA. */
  stats?: ReplacementStats;
  /** Batches whose `batch.started` / `batch.finished` were reported (reported before recorded: a crash in between reports one again). */
  startedBatches?: number[];
  finishedBatches?: number[];
  /** Last rollout-level error (e.g. a refused preview), for `status`. */
  error?: string;
  /** What the rollout is waiting for, while it cannot proceed. */
  blocked?: BlockedState;
  /** The last control operation (pause/resume/cancel/retry), who made it and when. */
  control?: { action: "pause" | "resume" | "cancel" | "retry"; by: string; at: string };
}

export const RECORD_VERSION = 2;

/**
 * The record holds entries for at most this many batches of hosts (plus failed ones): notices
 * ahead of a batch's turn wait while it holds more. Keeps the record within what a host pool's
 * tags can store (azure/recordTags.ts), which `start` checks before anything changes.
 */
export const MAX_TRACKED_BATCHES = 3;
