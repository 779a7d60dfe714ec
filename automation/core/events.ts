/**
 * The event log (spec section 8): one JSON object per line, in time order.
 * Field names are part of the product contract.
 */

interface Base<T extends string> {
  /** ISO time (virtual time in a rehearsal). */
  t: string;
  type: T;
}

export type RolloutEvent =
  | (Base<"rollout.started"> & {
      rollout: string;
      hosts: string[];
      outOfDate: string[];
      batchSize: number;
      logOffDelayMinutes: number;
      deleteOriginalVm: boolean;
      revision: string;
    })
  | (Base<"batch.started"> & { batch: number; hosts: string[] })
  | (Base<"host.notified"> & { host: string; sessions: number; deadline: string })
  | (Base<"host.signedOut"> & { host: string; forced: number })
  | (Base<"host.drained"> & { host: string })
  | (Base<"host.removed"> & { host: string })
  | (Base<"vm.deallocated"> & { host: string; vm: string })
  | (Base<"stack.up"> & { batch: number; hosts: string[] })
  | (Base<"stack.upFinished"> & { batch: number; result: "succeeded" | "failed" })
  | (Base<"host.registered"> & { host: string; vm: string })
  | (Base<"host.ready"> & {
      host: string;
      vm: string;
      allowNewSession: boolean;
      powerState: "running" | "deallocated";
    })
  | (Base<"vm.deleted"> & { host: string; vm: string })
  | (Base<"vm.retained"> & { host: string; vm: string })
  | (Base<"host.failed"> & { host: string; error: string })
  | (Base<"host.retry"> & { host: string; attempt: number })
  | (Base<"batch.finished"> & { batch: number })
  | (Base<"rollout.progress"> & { completed: number; total: number; percent: number })
  | Base<"rollout.paused">
  | Base<"rollout.resumed">
  | Base<"rollout.cancelled">
  | (Base<"rollout.finished"> & { result: "succeeded" | "failed" | "cancelled" });

export type WorldEvent =
  | (Base<"world.availability"> & { available: number; total: number })
  | (Base<"world.session"> & { host: string; user: string; action: "signedIn" | "signedOut" | "loggedOff" })
  | Base<"driver.crashed">
  | Base<"driver.resumed">;

export type AnyEvent = RolloutEvent | WorldEvent;
export type EventType = AnyEvent["type"];

/** Where events go: a JSON-lines file, the progress display, a test's array. */
export interface EventSink {
  emit(event: AnyEvent): void;
}

/** Distributes "omit t and type-specific" typing: build an event without its timestamp. */
export type EventWithoutTime<E extends AnyEvent = AnyEvent> = E extends AnyEvent ? Omit<E, "t"> : never;
