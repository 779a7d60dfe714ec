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
}
