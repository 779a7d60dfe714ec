/**
 * VM power state from the instance view: the status whose code starts with `PowerState/`
 * (`PowerState/running`, `PowerState/deallocated`, ...). A VM being created or in a failed
 * provisioning state may carry no power status at all; that is `unknown`, never a guess.
 */
import type { PowerState } from "../core/ports";

const KNOWN: ReadonlySet<string> = new Set<PowerState>([
  "running",
  "starting",
  "stopping",
  "stopped",
  "deallocating",
  "deallocated",
  "unknown",
]);

export function powerStateFromStatuses(statuses: ReadonlyArray<{ code?: string }> | undefined): PowerState {
  for (const status of statuses ?? []) {
    const code = status.code ?? "";
    if (!code.toLowerCase().startsWith("powerstate/")) continue;
    const state = code.slice("powerstate/".length).toLowerCase();
    return KNOWN.has(state) ? (state as PowerState) : "unknown";
  }
  return "unknown";
}
