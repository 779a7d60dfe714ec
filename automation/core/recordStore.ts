/**
 * The driver's handle on the rollout record: read-modify-write with optimistic concurrency.
 *
 * Mutations are functions applied to the freshest stored record, so changes made meanwhile by
 * control operations (pause, cancel, ...) are kept: on an etag conflict the store re-reads and
 * re-applies. Mutations requested while a write is in flight are coalesced into the next write.
 * Every write renews the heartbeat. If the record now belongs to another rollout or owner, the
 * lease is lost and every pending mutation rejects with BusyError.
 */
import { BusyError, isTransient } from "./errors";
import { waitAfter } from "./retryPolicy";
import { RecordConflictError } from "./ports";
import type { Clock, HostPoolPort } from "./ports";
import type { RolloutRecord } from "./record";

export type RecordMutation = (record: RolloutRecord) => void;

interface Pending {
  mutate: RecordMutation;
  resolve: (record: RolloutRecord) => void;
  reject: (error: unknown) => void;
}

const MAX_WRITE_RETRIES = 8;
const TRANSIENT_WRITE_BACKOFF_MS = 2_000;

/**
 * Copies what mutations may change: the record's own fields and each host entry. Mutations
 * replace arrays and nested objects rather than editing them in place, so a shallow copy per
 * level suffices (and costs O(in-flight hosts), not O(record)).
 */
export function cloneRecord(record: RolloutRecord): RolloutRecord {
  const hosts: RolloutRecord["hosts"] = {};
  for (const [host, entry] of Object.entries(record.hosts)) hosts[host] = { ...entry };
  return { ...record, hosts };
}

export class RecordStore {
  private record: RolloutRecord;
  private etag: string | null;
  private queue: Pending[] = [];
  private writing: Promise<void> | null = null;
  private lastWriteAt: number;
  private releasing = false;

  constructor(
    private readonly hostPool: HostPoolPort,
    private readonly clock: Clock,
    private readonly owner: string,
    record: RolloutRecord,
    etag: string | null,
  ) {
    this.record = record;
    this.etag = etag;
    this.lastWriteAt = clock.now();
  }

  /** The record as last read or written (do not mutate). */
  get current(): RolloutRecord {
    return this.record;
  }

  get msSinceLastWrite(): number {
    return this.clock.now() - this.lastWriteAt;
  }

  /** Re-reads the stored record (level-triggered: every step starts from it). */
  async refresh(): Promise<RolloutRecord> {
    const stored = await this.hostPool.readRecord();
    this.adopt(stored.record, stored.etag);
    return this.record;
  }

  /**
   * Gives the lease up (a time-boxed run handing over): the record says so, and the next run —
   * on any machine — takes the rollout over at once instead of waiting for a stale heartbeat.
   */
  async release(): Promise<RolloutRecord> {
    this.releasing = true;
    try {
      return await this.update(() => undefined);
    } finally {
      this.releasing = false;
    }
  }

  /** Applies `mutate` to the freshest record and writes it (with a renewed heartbeat). */
  update(mutate: RecordMutation): Promise<RolloutRecord> {
    return new Promise<RolloutRecord>((resolve, reject) => {
      this.queue.push({ mutate, resolve, reject });
      if (!this.writing) this.writing = this.drain();
    });
  }

  private adopt(record: RolloutRecord | null, etag: string | null): void {
    if (!record || record.id !== this.record.id) {
      throw new BusyError(
        record
          ? `rollout ${this.record.id} lost its lease: the pool now records rollout ${record.id} held by ${record.owner}`
          : `rollout ${this.record.id} lost its lease: its record was removed from the host pool`,
      );
    }
    if (record.owner !== this.owner) {
      throw new BusyError(
        `rollout ${record.id} was taken over by ${record.owner} (heartbeat ${record.heartbeat}); this driver (${this.owner}) stops`,
      );
    }
    this.record = record;
    this.etag = etag;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        const written = await this.writeWith(batch.map((p) => p.mutate));
        for (const pending of batch) pending.resolve(written);
      } catch (error) {
        for (const pending of batch) pending.reject(error);
      }
    }
    this.writing = null;
  }

  private async writeWith(mutations: RecordMutation[]): Promise<RolloutRecord> {
    for (let attempt = 0; ; attempt++) {
      const next = cloneRecord(this.record);
      for (const mutate of mutations) mutate(next);
      next.owner = this.owner;
      next.heartbeat = new Date(this.clock.now()).toISOString();
      if (this.releasing) next.releasedAt = next.heartbeat;
      else delete next.releasedAt;
      try {
        const etag = await this.hostPool.writeRecord(next, this.etag);
        this.record = next;
        this.etag = etag;
        this.lastWriteAt = this.clock.now();
        return next;
      } catch (error) {
        if (attempt >= MAX_WRITE_RETRIES) throw error;
        if (error instanceof RecordConflictError) {
          await this.refresh();
        } else if (isTransient(error)) {
          // Throttled or a 5xx: the write was not applied; try again shortly.
          await this.clock.sleep(waitAfter(error, TRANSIENT_WRITE_BACKOFF_MS * 2 ** attempt));
          await this.refresh();
        } else {
          throw error;
        }
      }
    }
  }
}
