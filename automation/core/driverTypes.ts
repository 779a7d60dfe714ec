/**
 * The driver's public types (spec section 5): what a caller hands the driver and what it gets
 * back. Kept apart from the driver's modules so that none of them imports another in a circle.
 */
import type { EventSink } from "./events";
import type { Ports } from "./ports";
import type { ProgressSnapshot } from "./progress";
import type { DriverTuning } from "./tuning";

import type { Strategy } from "./strategy";

export type { Strategy };

export interface DriverDeps {
  ports: Ports;
  events: EventSink;
  /** Who runs this driver (user@machine, pipeline run id): the lease holder's name. */
  owner: string;
  /** `azure` reproduces the service's documented behaviour (no overlap, full delay every batch). */
  strategy?: Strategy;
  tuning?: Partial<DriverTuning>;
  /** Called after every reconcile step with progress and ETA (for a live display). */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /**
   * A time-boxed run (ms since the epoch): the driver starts no work it cannot finish by then,
   * lets an `up` in progress end, releases the lease and returns `handover` (exit code 4).
   */
  runUntil?: number;
  /** The rollout id to use (rehearsals and tests); a fresh unique one otherwise. */
  rolloutId?: string;
}

/** Overrides of the stack's `update` policy for one run. */
export interface StartRequest {
  batchSize?: number;
  logOffDelayMinutes?: number;
  logOffMessage?: string;
  deleteOriginalVm?: boolean;
  /** ISO time to start at (scheduled start); absent or past = now. */
  startAt?: string;
}

export type RolloutResult = "succeeded" | "failed" | "cancelled" | "paused" | "nothingToDo" | "handover";

export interface RolloutOutcome {
  result: RolloutResult;
  rollout: string | null;
  updated: string[];
  failed: string[];
}
