/**
 * The slice of the rollout driver (automation/core/driver.ts, engine team) that a rehearsal
 * runs, as agreed in the team's interface: startRollout, then continueRollout after a crash.
 */
import type { EventSink } from "../core/events";
import type { Ports } from "../core/ports";
import type { ProgressSnapshot } from "../core/progress";
import type { DriverTuning } from "../core/tuning";

export type Strategy = "avd-rollout" | "azure";

export interface RehearsalDriverDeps {
  ports: Ports;
  events: EventSink;
  owner: string;
  strategy?: Strategy;
  tuning?: Partial<DriverTuning>;
  rolloutId?: string;
  onProgress?: (snapshot: ProgressSnapshot) => void;
}

export interface RehearsalStartRequest {
  batchSize?: number;
  logOffDelayMinutes?: number;
  logOffMessage?: string;
  deleteOriginalVm?: boolean;
  startAt?: string;
}

export interface RehearsalOutcome {
  result: "succeeded" | "failed" | "cancelled" | "paused" | "nothingToDo" | "handover";
  rollout: string | null;
  updated: string[];
  failed: string[];
}

export interface RehearsalDriver {
  startRollout(deps: RehearsalDriverDeps, request: RehearsalStartRequest): Promise<RehearsalOutcome>;
  continueRollout(deps: RehearsalDriverDeps): Promise<RehearsalOutcome>;
}
