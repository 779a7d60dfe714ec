/**
 * Where a host stands in its replacement, derived — never remembered — from what is observed
 * (stack ledger, session host, power states) plus the few facts in the rollout record.
 * Pure: the driver calls it on every reconcile step, so a crash anywhere resumes correctly.
 *
 *   pending -> noticed -> draining -> drained -> removed -> deallocated -> (provisioning)
 *     -> registering -> registered -> restored -> done          (failed from anywhere)
 *
 * `provisioning` (an `up` running) cannot be observed; the driver overlays it while its `up`
 * is in flight, and a crashed `up` is simply re-run (the host is still `deallocated`).
 */
import type { HostRecord } from "./record";
import type { DeployedHost, PowerState, SessionHostInfo } from "./ports";
import { resourceKey } from "./planner";

export type HostPhase =
  | "pending"
  | "noticed"
  | "draining"
  | "drained"
  | "removed"
  | "deallocated"
  | "provisioning"
  | "registering"
  | "registered"
  | "restored"
  | "done"
  | "failed";

/** Phases in flow order (for progress and comparisons). */
export const PHASE_ORDER: readonly HostPhase[] = [
  "pending",
  "noticed",
  "draining",
  "drained",
  "removed",
  "deallocated",
  "provisioning",
  "registering",
  "registered",
  "restored",
  "done",
  "failed",
];

export interface PhaseInput {
  /** Target configuration revision. */
  target: string;
  entry: HostRecord | undefined;
  deployed: DeployedHost | undefined;
  /** Session host of the original VM (matched by resource id), if still in the pool. */
  originalSessionHost: SessionHostInfo | undefined;
  /** Power state of the original VM, when the driver queried it. */
  originalPower?: PowerState | "notFound";
}

/** Whether the deployed VM is a new generation created by this rollout (not the original, not a discarded attempt). */
export function isFreshGeneration(
  entry: HostRecord | undefined,
  deployed: DeployedHost | undefined,
): boolean {
  if (!entry?.originalVm || !deployed) return false;
  const key = resourceKey(deployed.vmResourceId);
  if (key === resourceKey(entry.originalVm.resourceId)) return false;
  return !(entry.discardedVms ?? []).some((vm) => resourceKey(vm.resourceId) === key);
}

export function deriveHostPhase(input: PhaseInput): HostPhase {
  const { entry, deployed } = input;
  if (entry?.failed) return "failed";
  if (!entry) return deployed && deployed.revision === input.target ? "done" : "pending";
  if (!entry.committedAt) return entry.notifiedAt ? "noticed" : "pending";
  if (isFreshGeneration(entry, deployed)) {
    if (entry.restoredAt) return "restored";
    if (entry.registeredAt) return "registered";
    return "registering";
  }
  const original = input.originalSessionHost;
  if (original) return original.allowNewSession || original.sessions > 0 ? "draining" : "drained";
  const power = input.originalPower;
  if (power === "deallocated" || power === "notFound") return "deallocated";
  return "removed";
}

/**
 * The phases during which a host costs capacity budget (it left service and is not back). A failed
 * host costs budget when it had been committed (the driver checks `committedAt`).
 */
export function isOutOfService(phase: HostPhase): boolean {
  return (
    phase === "draining" ||
    phase === "drained" ||
    phase === "removed" ||
    phase === "deallocated" ||
    phase === "provisioning" ||
    phase === "registering" ||
    phase === "registered"
  );
}
