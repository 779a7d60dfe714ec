/**
 * Where a host stands in its replacement, derived — never remembered — from what is observed
 * (stack ledger, session hosts, power states) plus the few facts in the rollout record.
 * Pure: every reconcile step derives it afresh, so a crash anywhere resumes correctly.
 *
 *   pending -> noticed -> draining -> drained -> removed -> deallocated -> (provisioning)
 *     -> registering -> registered -> restored -> done          (failed from anywhere)
 *
 * `provisioning` (an `up` running) cannot be observed; the reconciler overlays it while its `up`
 * is in flight, and an `up` that died with its driver is simply run again.
 */
import type { DeployedHost, PowerState, SessionHostInfo } from "./ports";
import { resourceKey } from "./planner";
import type { HostRecord } from "./record";

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

export interface PhaseInput {
  /** Target configuration revision. */
  target: string;
  entry: HostRecord | undefined;
  deployed: DeployedHost | undefined;
  /** Session host of the original VM (matched by resource id), if still in the pool. */
  originalSessionHost: SessionHostInfo | undefined;
  /** Power state of the original VM, when the observer read it (committed hosts out of the pool). */
  originalPower?: PowerState | "notFound";
}

/** Whether the deployed VM is a new generation made by this rollout (not the original, not a discarded attempt). */
export function isFreshGeneration(
  entry: HostRecord | undefined,
  deployed: DeployedHost | undefined,
): boolean {
  const original = entry?.original;
  if (!original || !deployed) return false;
  const key = resourceKey(deployed.vmResourceId);
  if (key === resourceKey(original.vm.resourceId)) return false;
  return !(entry.discardedVms ?? []).some((vm) => resourceKey(vm.resourceId) === key);
}

export function deriveHostPhase(input: PhaseInput): HostPhase {
  const { entry, deployed } = input;
  if (entry?.failed) return "failed";
  if (!entry) return deployed && deployed.revision === input.target ? "done" : "pending";
  if (!entry.committedAt) return entry.noticeAt ? "noticed" : "pending";
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

/** Phases of a host whose batch `up` has not run yet. */
export function isBeforeUp(phase: HostPhase): boolean {
  return (
    phase === "pending" ||
    phase === "noticed" ||
    phase === "draining" ||
    phase === "drained" ||
    phase === "removed" ||
    phase === "deallocated"
  );
}
