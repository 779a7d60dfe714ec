/**
 * The words of the progress display (spec section 5.10), pure so the live display, plain
 * pipeline lines and `status` say the same thing and tests can check them.
 */
import type { AnyEvent } from "../core/events";
import type { ProgressSnapshot } from "../core/progress";

export function formatMinutes(minutes: number | null): string {
  if (minutes === null || !Number.isFinite(minutes)) return "--";
  const rounded = Math.max(0, Math.round(minutes));
  if (rounded < 60) return `${rounded}m`;
  return `${Math.floor(rounded / 60)}h${String(rounded % 60).padStart(2, "0")}m`;
}

export function etaText(snapshot: ProgressSnapshot | null): string {
  return snapshot === null || snapshot.etaMs === null ? "--" : formatMinutes(snapshot.etaMs / 60_000);
}

/** `avd-3 drained, avd-4 noticed, …` (at most `limit` hosts shown). */
export function phasesSummary(snapshot: ProgressSnapshot | null, limit = 6): string {
  if (snapshot === null) return "";
  const entries = Object.entries(snapshot.inFlight);
  const shown = entries.slice(0, limit).map(([host, phase]) => `${host} ${phase}`);
  if (entries.length > limit) shown.push(`+${entries.length - limit} more`);
  return shown.join(", ");
}

/** One line summing a snapshot up, for pipelines. */
export function snapshotLine(snapshot: ProgressSnapshot): string {
  const phases = phasesSummary(snapshot);
  return (
    `${snapshot.at.slice(11, 19)} progress: ${snapshot.completed}/${snapshot.total} done (${snapshot.percent}%), ` +
    `${snapshot.inProgress} in progress, ${snapshot.failed} failed, ETA ${etaText(snapshot)}${phases ? ` | ${phases}` : ""}`
  );
}

/** One plain line for an event worth a line in a pipeline log, or null. */
export function plainLine(event: AnyEvent): string | null {
  const time = event.t.slice(11, 19);
  switch (event.type) {
    case "rollout.started":
      return `${time} rollout ${event.rollout} started: ${event.outOfDate.length} of ${event.hosts.length} hosts out of date, batches of ${event.batchSize}, log-off delay ${event.logOffDelayMinutes} min, revision ${event.revision}`;
    case "batch.started":
      return `${time} batch ${event.batch}${event.batch === 0 ? " (initial host)" : ""}: ${event.hosts.join(", ")}`;
    case "host.notified":
      return `${time} ${event.host}: ${event.sessions} session(s) notified, sign-out at ${event.deadline}`;
    case "host.signedOut":
      return `${time} ${event.host}: ${event.forced} session(s) signed out`;
    case "host.drained":
      return `${time} ${event.host}: drained`;
    case "host.removed":
      return `${time} ${event.host}: removed from the host pool`;
    case "vm.deallocated":
      return `${time} ${event.host}: original VM ${event.vm} deallocated`;
    case "stack.up":
      return `${time} pulumi up, batch ${event.batch}: ${event.hosts.join(", ")}`;
    case "stack.upFinished":
      return `${time} pulumi up, batch ${event.batch}: ${event.result}`;
    case "host.registered":
      return `${time} ${event.host}: ${event.vm} registered`;
    case "host.ready":
      return `${time} ${event.host}: ready on ${event.vm} (${event.powerState}${event.allowNewSession ? "" : ", drain mode"})`;
    case "vm.deleted":
      return `${time} ${event.host}: original VM ${event.vm} deleted`;
    case "vm.retained":
      return `${time} ${event.host}: original VM ${event.vm} kept deallocated`;
    case "host.failed":
      return `${time} ${event.host}: FAILED: ${event.error}`;
    case "host.retry":
      return `${time} ${event.host}: retry ${event.attempt}`;
    case "batch.finished":
      return `${time} batch ${event.batch} finished`;
    case "rollout.paused":
      return `${time} rollout paused`;
    case "rollout.resumed":
      return `${time} rollout resumed`;
    case "rollout.cancelled":
      return `${time} rollout cancelled`;
    case "rollout.finished":
      return `${time} rollout finished: ${event.result}`;
    default:
      return null;
  }
}
