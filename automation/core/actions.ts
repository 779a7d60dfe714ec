/**
 * What decide() asks for and act (act.ts) carries out. Every action is idempotent: run twice, or
 * run again by a driver that resumed after a crash, it leaves the world as run once. Each names
 * the host it works on (or none, for rollout-wide work), so no two run for one host at once.
 */

export type Action =
  /** Record the host's original facts, drain it when `steer`, list and message its sessions. */
  | { kind: "startNotice"; host: string; batch: number; steer: boolean }
  /** Message sessions that appeared on a host under notice: each gets its own full delay. */
  | { kind: "notifyArrivals"; host: string; sessionIds: string[]; restore: boolean }
  /** A notice whose sending was interrupted: confirm it as delivered now; message nobody again. */
  | { kind: "confirmNotice"; host: string; restore: boolean }
  /** Drain a host under notice (steering), or let it accept again. */
  | { kind: "steer"; host: string; drain: boolean }
  /** Commit the host to leave service (record first), then evacuate it. */
  | { kind: "commit"; host: string }
  /** Drain, notify the unnotified, sign out whoever's notice ran out, remove from the pool when empty, deallocate. */
  | { kind: "evacuate"; host: string }
  /** The original left the pool but its VM still runs. */
  | { kind: "deallocateOriginal"; host: string }
  /** `pulumi up` for the batch's hosts (ensures a registration token, previews first). */
  | { kind: "up"; batch: number; hosts: string[] }
  /** The up returned but the host was not marked provisioned (a crash in between). */
  | { kind: "markProvisioned"; host: string }
  /** A new generation registering under the original's name: drain it before users find it. */
  | { kind: "guardRegistration"; host: string; sessionHost: string }
  /** The new generation is Available: record it, restore drain mode and power state. */
  | { kind: "restore"; host: string }
  /** The new generation did not register in time: discard it and retry the host. */
  | { kind: "registrationTimeout"; host: string }
  /** Delete the original VM (or keep it deallocated) and the discarded ones; the host is done. */
  | { kind: "finalize"; host: string }
  /** Take back the notice of a host that never left service (pause, cancel, failure). */
  | { kind: "withdraw"; host: string }
  /** Record and report batches that finished. */
  | { kind: "finishBatches"; batches: number[] };

export type ActionKind = Action["kind"];

/** The key under which an action runs: one at a time per host, one `up` at a time. */
export function actionKey(action: Action): string {
  switch (action.kind) {
    case "up":
      return "up";
    case "finishBatches":
      return "batches";
    case "guardRegistration":
      return `guard:${action.host}`;
    default:
      return `host:${action.host}`;
  }
}
