/**
 * The rollout record (spec section 6): the little state a rollout needs beyond what can be
 * observed. It lives where every machine managing the pool sees it (host pool tags in Azure)
 * and is JSON-serialisable. Everything else — which hosts are done, drained, removed, on which
 * revision — is observed, never remembered.
 *
 * Owned by the rollout engine; adapters store it opaquely (JSON).
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

/** Per in-flight host facts that cannot be observed afterwards. */
export interface HostRecord {
  /** ISO time users were first notified; the sign-out deadline derives from it. */
  notifiedAt?: string;
  /** Drain mode before the rollout touched the host. */
  originalAllowNewSession?: boolean;
  /** Power state before the rollout touched the host. */
  originalPowerState?: "running" | "deallocated";
  /** The original VM (name and ARM id) being replaced. */
  originalVm?: { name: string; resourceId: string };
  /** Attempts made so far (for bounded retries). */
  attempts?: number;
  /** Last error when failed. */
  error?: string;
  /** Batch index the host belongs to (derivable from `planned`; kept for readers of `status`). */
  batch?: number;
  /** Session ids notified so far: each session is notified once. */
  notifiedSessions?: string[];
  /**
   * true between writing `notifiedAt` and recording who was messaged. Found true by a resumed
   * driver, it means the delivery was interrupted: the notice is started again from then.
   */
  noticePending?: boolean;
  /**
   * true between recording who is notified and the messages having gone out. Found true by a
   * resumed driver: nobody is messaged again (at most once); the notice and its deadline stand.
   */
  noticeSending?: boolean;
  /** AVD name (FQDN) of the original session host: its new generation registers under the same name. */
  originalSessionHostName?: string;
  /**
   * Notice given to sessions that signed in on the new generation while it registered, when it
   * must return to deallocated (its own deadline; they are notified once each).
   */
  restoreNoticeAt?: string;
  restoreNotifiedSessions?: string[];
  /** Whether the host counted as available (running, Available, accepting sessions) when first touched. */
  originallyAvailable?: boolean;
  /**
   * ISO time the driver committed the host to leave service (written before draining it). From
   * here on the host costs capacity budget until it is restored.
   */
  committedAt?: string;
  /** ISO time the `up` that created the current new generation returned (registration wait starts). */
  provisionedAt?: string;
  /** ISO time the new generation was first seen Available in the pool. */
  registeredAt?: string;
  /** ISO time drain mode and power state of the new generation were restored (capacity freed). */
  restoredAt?: string;
  /** VMs of failed attempts (created by an `up`, then given up on); they are deleted before the retry. */
  discardedVms?: { name: string; resourceId: string }[];
  /** true once the host failed for good in this run; `retry` clears it. */
  failed?: boolean;
}

/** Running statistics used to estimate the replacement time (commit -> restored) of a host. */
export interface ReplacementStats {
  count: number;
  totalMs: number;
  /** Fastest replacement observed. */
  minMs?: number;
}

export interface RolloutRecord {
  /** Schema version of this record. */
  version: 1;
  /** Rollout id. */
  id: string;
  status: RolloutStatus;
  /** Target configuration revision. */
  revision: string;
  params: RolloutParameters;
  /** Who holds the lease (user@machine, pipeline run) and when it was last renewed (ISO). */
  owner: string;
  heartbeat: string;
  startedAt: string;
  /** Hosts planned for this rollout in plan order (names). */
  planned: string[];
  /** Per-host facts for hosts in flight, failed, or done-but-unfinished. */
  hosts: Record<string, HostRecord>;
  /**
   * Capacity baseline: how many session hosts were available (running, Available, accepting new
   * sessions) when the rollout started. The budget keeps `available >= baselineAvailable - batchSize`.
   */
  baselineAvailable?: number;
  /** Replacement times observed so far (commit -> restored), for notice scheduling and the ETA. */
  stats?: ReplacementStats;
  /** Batches whose `batch.started` / `batch.finished` events were emitted (exactly once each). */
  startedBatches?: number[];
  finishedBatches?: number[];
  /** Last rollout-level error (e.g. a refused preview), for `status`. */
  error?: string;
  /** ISO time of the last status change by a control operation (pause/resume/cancel/retry) and who made it. */
  control?: { action: "pause" | "resume" | "cancel" | "retry"; by: string; at: string };
}
