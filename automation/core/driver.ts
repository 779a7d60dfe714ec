/**
 * The rollout driver's public API (spec section 5): start a rollout, or continue the one recorded
 * on the pool. The work itself is the level-triggered reconcile loop in `reconciler.ts`.
 */
import type { EventSink } from "./events";
import type { Ports } from "./ports";
import type { DriverTuning } from "./tuning";
import type { ProgressSnapshot } from "./progress";

export type Strategy = "avd-rollout" | "azure";

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

export type RolloutOutcome = {
  result: "succeeded" | "failed" | "cancelled" | "paused" | "nothingToDo";
  rollout: string | null;
  updated: string[];
  failed: string[];
};

export { startRollout, continueRollout } from "./reconciler";
