/**
 * What every part of "act" shares: the ports, the rollout record (read and written through the
 * record store), the event log, and how failures are counted.
 */
import type { DriverEventBody, EventSink, RolloutEvent } from "../events";
import type { Observer } from "../observer";
import { batchOfPlanIndex } from "../planner";
import type { Ports } from "../ports";
import type { HostRecord, RolloutRecord } from "../record";
import type { RecordStore } from "../recordStore";
import { backoffMs, mayRetry, waitAfter } from "../retryPolicy";
import type { Strategy } from "../strategy";
import type { DriverTuning } from "../tuning";

const MINUTE = 60_000;
export const iso = (ms: number): string => new Date(ms).toISOString();

export interface ActuatorDeps {
  ports: Ports;
  store: RecordStore;
  observer: Observer;
  events: EventSink;
  tuning: DriverTuning;
  strategy: Strategy;
}

export class ActContext {
  constructor(readonly deps: ActuatorDeps) {}

  get ports(): Ports {
    return this.deps.ports;
  }

  get record(): RolloutRecord {
    return this.deps.store.current;
  }

  get delayMs(): number {
    return this.record.params.logOffDelayMinutes * MINUTE;
  }

  now(): number {
    return this.ports.clock.now();
  }

  /** Emits a driver event stamped with the time and the rollout id. */
  emit(event: DriverEventBody): void {
    this.deps.events.emit({ t: iso(this.now()), rollout: this.record.id, ...event } as RolloutEvent);
  }

  update(mutate: (record: RolloutRecord) => void): Promise<RolloutRecord> {
    return this.deps.store.update(mutate);
  }

  /**
   * Transient: count an attempt and back off — at least as long as a Retry-After the error
   * carries — or fail when the attempts are used up. Permanent: fail.
   */
  async recordFailure(
    hosts: readonly string[],
    message: string,
    transient: boolean,
    cause?: unknown,
  ): Promise<void> {
    const now = this.now();
    const outcomes = new Map<string, { attempt: number; failed: boolean }>();
    await this.update((r) => {
      outcomes.clear();
      for (const host of hosts) {
        const entry: HostRecord = r.hosts[host] ?? {
          batch: batchOfPlanIndex(r.planned.indexOf(host), r.params.batchSize),
        };
        const attempt = (entry.attempts ?? 0) + 1;
        entry.attempts = attempt;
        entry.error = message;
        const failed = !transient || !mayRetry(attempt, this.deps.tuning.maxAttempts);
        if (failed) {
          entry.failed = true;
          delete entry.retryAt;
        } else entry.retryAt = iso(now + waitAfter(cause, backoffMs(attempt, this.deps.tuning)));
        r.hosts[host] = entry;
        outcomes.set(host, { attempt, failed });
      }
    });
    for (const [host, { attempt, failed }] of outcomes) {
      if (failed) this.emit({ type: "host.failed", host, error: message });
      else this.emit({ type: "host.retry", host, attempt: attempt + 1, error: message });
    }
  }
}
