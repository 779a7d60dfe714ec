/**
 * The event log (spec section 8): one JSON object per line, in time order.
 * Field names are part of the product contract; docs/events.md describes every type and field.
 *
 * Every driver event carries `rollout` (the rollout id), so a log that several runs appended to
 * can be split by rollout; the world's events (simulation only) carry none.
 */

interface Base<T extends string> {
  /** ISO time (virtual time in a rehearsal). */
  t: string;
  type: T;
}

/** A driver event: stamped with the rollout it belongs to. */
type Driver<T extends string> = Base<T> & { rollout: string };

export type RolloutEvent =
  | (Driver<"rollout.started"> & {
      hosts: string[];
      outOfDate: string[];
      batchSize: number;
      logOffDelayMinutes: number;
      deleteOriginalVm: boolean;
      revision: string;
      /** Who started the rollout (the lease owner: user@machine or pipeline run). */
      owner?: string;
      /** The message users are shown (the log-off message). */
      logOffMessage?: string;
      /** `avd-rollout` or `azure` (rehearsals of the service's behaviour). */
      strategy?: string;
    })
  | (Driver<"batch.started"> & { batch: number; hosts: string[] })
  | (Driver<"host.notified"> & {
      host: string;
      /** Sessions messaged by this notice. */
      sessions: number;
      /** Their ids (the last segment of the user session's ARM id). */
      sessionIds: string[];
      /** When these sessions may be signed out by force: delivery of this notice + the delay. */
      deadline: string;
      /**
       * A notice whose delivery a driver that died could not confirm, confirmed by the one that
       * resumed: nobody was messaged again; the deadline counts from now (later than promised).
       */
      resumed?: boolean;
    })
  | (Driver<"host.signedOut"> & { host: string; forced: number; sessionIds?: string[] })
  | (Driver<"host.drained"> & {
      host: string;
      /**
       * `ahead`: steered away before its notice (room permitting); `notice`: at or during its notice;
       * `commit`: leaving service.
       */
      reason?: "ahead" | "notice" | "commit";
    })
  | (Driver<"host.undrained"> & { host: string })
  | (Driver<"host.removed"> & { host: string })
  | (Driver<"vm.deallocated"> & { host: string; vm: string })
  | (Driver<"stack.up"> & { batch: number; hosts: string[] })
  | (Driver<"stack.upFinished"> & { batch: number; result: "succeeded" | "failed"; error?: string })
  | (Driver<"host.registered"> & { host: string; vm: string })
  | (Driver<"host.ready"> & {
      host: string;
      vm: string;
      allowNewSession: boolean;
      powerState: "running" | "deallocated";
    })
  | (Driver<"vm.deleted"> & { host: string; vm: string })
  | (Driver<"vm.retained"> & { host: string; vm: string })
  | (Driver<"host.failed"> & { host: string; error: string })
  | (Driver<"host.retry"> & { host: string; attempt: number; error?: string })
  | (Driver<"batch.finished"> & { batch: number })
  | (Driver<"rollout.progress"> & { completed: number; total: number; percent: number })
  | (Driver<"rollout.blocked"> & {
      /** What the rollout waits for: `budget`, `foreignHostDown`, `lease`, `capacity`, ... */
      waitingFor: string;
      /** In words, for `status` and pipeline logs. */
      reason: string;
      /** Since when it waits (ISO). */
      since: string;
      hosts?: string[];
    })
  | (Driver<"rollout.paused"> & { by?: string })
  | (Driver<"rollout.resumed"> & { by?: string })
  | (Driver<"rollout.cancelled"> & { by?: string })
  | (Driver<"rollout.handover"> & {
      /** A time-boxed run ended with the rollout still active; the next run continues it. */
      reason: string;
    })
  | (Driver<"rollout.finished"> & {
      result: "succeeded" | "failed" | "cancelled";
      error?: string;
    });

export type WorldEvent =
  | (Base<"world.availability"> & {
      /** Hosts serving: running, registered, Available, not removed. */
      available: number;
      /** Of those, hosts taking new sessions (drain mode off). */
      accepting: number;
      /** Session slots under the pool's limit on accepting hosts. */
      freeSlots: number;
      total: number;
    })
  | (Base<"world.session"> & {
      /** The host the session is on; null for a refused sign-in (no host had room). */
      host: string | null;
      user: string;
      /** The session id (as `host.notified` lists it); absent for a refused sign-in. */
      session?: string;
      action: "signedIn" | "signedOut" | "loggedOff" | "refused";
    })
  | (Base<"world.fault"> & {
      /** The host the injected fault afflicts (scenario `faults.outages`, `drainReverts`, `stuckSessions`). */
      host: string;
      /** An outage started or ended; a drain turned itself back off; a forced sign-out did not take. */
      fault: "outageStarted" | "outageEnded" | "drainReverted" | "signOutIgnored";
      /** The VM that went down or came back (outages). */
      vm?: string;
      /** The session that survived the sign-out (signOutIgnored). */
      session?: string;
    })
  | (Base<"driver.crashed"> & { reason?: string })
  | Base<"driver.resumed">;

export type AnyEvent = RolloutEvent | WorldEvent;
export type EventType = AnyEvent["type"];

/** Where events go: a JSON-lines file, the progress display, a test's array. */
export interface EventSink {
  emit(event: AnyEvent): void;
}

/** Distributes "omit t and type-specific" typing: build an event without its timestamp. */
export type EventWithoutTime<E extends AnyEvent = AnyEvent> = E extends AnyEvent ? Omit<E, "t"> : never;

/** A driver event without its time and rollout id (the emitter adds both). */
export type DriverEventBody<E extends RolloutEvent = RolloutEvent> = E extends RolloutEvent
  ? Omit<E, "t" | "rollout">
  : never;
