/**
 * Control operations (spec §5.7): pause, resume, cancel, retry. Each is a change of the rollout
 * record's status, written with optimistic concurrency; the driver (running, or the next one to
 * continue) acts on it at its next step. The transitions are a pure function, tested on its own.
 *
 *   pause:  running -> pausing (the in-flight batch finishes, then the driver marks it paused);
 *           scheduled -> paused
 *   resume: paused | pausing -> running
 *   cancel: running | pausing -> cancelling (the in-flight batch finishes; completed hosts stay
 *           updated); scheduled | paused | failed -> cancelled
 *   retry:  failed -> running, its failed hosts' attempts and errors cleared
 *
 * A paused rollout can only be resumed or cancelled. Whoever resumes a paused rollout or retries a
 * failed one becomes its owner (the lease), so their `continueRollout` may run it at once.
 */
import { InputError } from "./errors";
import type { DriverEventBody, EventSink, RolloutEvent } from "./events";
import type { Clock, HostPoolPort } from "./ports";
import { RecordConflictError } from "./ports";
import type { RolloutRecord } from "./record";
import { cloneRecord } from "./recordStore";

export type ControlAction = "pause" | "resume" | "cancel" | "retry";

export interface ControlContext {
  hostPool: HostPoolPort;
  clock: Clock;
  /** Who asks (user@machine, pipeline run): recorded, and the new owner on resume/retry. */
  by: string;
  /** Receives the events of transitions that take effect at once (e.g. cancelling a paused rollout). */
  events?: EventSink;
}

export interface ControlResult {
  /** The record as written (or as found, when nothing had to change). */
  record: RolloutRecord;
  changed: boolean;
  /** What happened, for the CLI. */
  message: string;
}

export interface Transition {
  record: RolloutRecord;
  changed: boolean;
  message: string;
  events: DriverEventBody[];
}

/** Applies a control action to a record (pure). Throws InputError when the action does not apply. */
export function applyControl(
  current: RolloutRecord,
  action: ControlAction,
  by: string,
  now: number,
): Transition {
  const record = cloneRecord(current);
  const at = new Date(now).toISOString();
  const unchanged = (message: string): Transition => ({
    record: current,
    changed: false,
    message,
    events: [],
  });
  const changed = (message: string, events: DriverEventBody[] = []): Transition => {
    record.control = { action, by, at };
    return { record, changed: true, message, events };
  };
  const refuse = (what: string): never => {
    throw new InputError(`cannot ${action} rollout ${current.id}: it is ${current.status}; ${what}`);
  };
  const status = current.status;

  switch (action) {
    case "pause":
      if (status === "running") {
        record.status = "pausing";
        return changed(`rollout ${current.id} is pausing: the in-flight batch finishes, then it stops`);
      }
      if (status === "scheduled") {
        record.status = "paused";
        return changed(`rollout ${current.id} is paused before its scheduled start`, [
          { type: "rollout.paused" },
        ]);
      }
      if (status === "pausing" || status === "paused")
        return unchanged(`rollout ${current.id} is already ${status}`);
      return refuse("only a running or scheduled rollout can be paused");

    case "resume":
      if (status === "paused") {
        record.status = "running";
        record.owner = by;
        record.heartbeat = at;
        delete record.releasedAt;
        return changed(`rollout ${current.id} resumed`, [{ type: "rollout.resumed" }]);
      }
      if (status === "pausing") {
        // Its driver is still finishing the in-flight batch: it simply carries on.
        record.status = "running";
        return changed(`rollout ${current.id} resumed (it had not stopped yet)`, [
          { type: "rollout.resumed" },
        ]);
      }
      if (status === "running" || status === "scheduled")
        return unchanged(`rollout ${current.id} is ${status}`);
      if (status === "failed")
        return refuse("use retry to resume its failed and remaining hosts, or cancel it");
      return refuse("there is nothing to resume");

    case "cancel":
      if (status === "running" || status === "pausing") {
        record.status = "cancelling";
        return changed(
          `rollout ${current.id} is cancelling: the in-flight batch finishes, completed hosts stay updated`,
        );
      }
      if (status === "scheduled" || status === "paused" || status === "failed") {
        record.status = "cancelled";
        return changed(`rollout ${current.id} cancelled`, [
          { type: "rollout.cancelled" },
          { type: "rollout.finished", result: "cancelled" },
        ]);
      }
      if (status === "cancelling" || status === "cancelled")
        return unchanged(`rollout ${current.id} is already ${status}`);
      return refuse("a finished rollout cannot be cancelled");

    case "retry": {
      if (status !== "failed") {
        return refuse(
          status === "paused"
            ? "a paused rollout can only be resumed or cancelled"
            : "only a failed rollout can be retried",
        );
      }
      const retried: string[] = [];
      for (const [host, entry] of Object.entries(record.hosts)) {
        if (!entry.failed && entry.attempts === undefined && entry.error === undefined) continue;
        if (entry.failed) retried.push(host);
        const fresh = { ...entry };
        delete fresh.failed;
        delete fresh.attempts;
        delete fresh.error;
        delete fresh.retryAt;
        if (!entry.committedAt) {
          // It never left service: its users get a fresh notice (what it was before stays recorded).
          delete fresh.noticeAt;
          delete fresh.notices;
        }
        record.hosts[host] = fresh;
      }
      // Batches with retried hosts will finish (again).
      const batchOf = (host: string): number | undefined => record.hosts[host]?.batch;
      const reopened = new Set(retried.map(batchOf).filter((b): b is number => b !== undefined));
      record.finishedBatches = (record.finishedBatches ?? []).filter((b) => !reopened.has(b));
      delete record.error;
      delete record.releasedAt;
      record.status = "running";
      record.owner = by;
      record.heartbeat = at;
      return changed(
        `rollout ${current.id} will retry ${retried.length} failed host(s)${retried.length ? ` (${retried.join(", ")})` : ""} and continue with the remaining ones`,
      );
    }
  }
}

const MAX_CONFLICTS = 5;

async function control(ctx: ControlContext, action: ControlAction): Promise<ControlResult> {
  for (let attempt = 1; ; attempt++) {
    const stored = await ctx.hostPool.readRecord();
    if (!stored.record) throw new InputError(`cannot ${action}: no rollout is recorded on this host pool`);
    const now = ctx.clock.now();
    const transition = applyControl(stored.record, action, ctx.by, now);
    if (!transition.changed)
      return { record: transition.record, changed: false, message: transition.message };
    try {
      await ctx.hostPool.writeRecord(transition.record, stored.etag);
    } catch (error) {
      if (error instanceof RecordConflictError && attempt < MAX_CONFLICTS) continue;
      throw error;
    }
    const t = new Date(now).toISOString();
    for (const event of transition.events)
      ctx.events?.emit({ t, rollout: transition.record.id, ...event } as RolloutEvent);
    return { record: transition.record, changed: true, message: transition.message };
  }
}

export const pauseRollout = (ctx: ControlContext): Promise<ControlResult> => control(ctx, "pause");
export const resumeRollout = (ctx: ControlContext): Promise<ControlResult> => control(ctx, "resume");
export const cancelRollout = (ctx: ControlContext): Promise<ControlResult> => control(ctx, "cancel");
export const retryRollout = (ctx: ControlContext): Promise<ControlResult> => control(ctx, "retry");
