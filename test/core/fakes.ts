/**
 * Tiny in-memory fakes for unit tests of the record handling (the driver itself is tested on
 * the SimulatedWorld of automation/sim).
 */
import type { HostPoolPort, StoredRecord } from "../../automation/core/ports";
import { RecordConflictError } from "../../automation/core/ports";
import type { RolloutRecord } from "../../automation/core/record";

/** A host pool that only stores the rollout record, with etags; other calls are not expected. */
export class MemoryHostPoolRecords implements HostPoolPort {
  stored: RolloutRecord | null;
  etag: string | null;
  writes = 0;
  private version = 0;
  /** Simulates another writer: applied just before the next write is checked. */
  interfereOnce: ((record: RolloutRecord) => RolloutRecord) | null = null;

  constructor(record: RolloutRecord | null) {
    this.stored = record ? structuredClone(record) : null;
    this.etag = record ? this.nextEtag() : null;
  }

  private nextEtag(): string {
    this.version++;
    return `"v${this.version}"`;
  }

  async readRecord(): Promise<StoredRecord> {
    return { record: this.stored ? structuredClone(this.stored) : null, etag: this.etag };
  }

  async writeRecord(record: RolloutRecord | null, expectedEtag: string | null): Promise<string> {
    this.writes++;
    if (this.interfereOnce && this.stored) {
      this.stored = this.interfereOnce(this.stored);
      this.interfereOnce = null;
      this.etag = this.nextEtag();
    }
    if (expectedEtag !== this.etag) throw new RecordConflictError();
    this.stored = record ? structuredClone(record) : null;
    this.etag = this.nextEtag();
    return this.etag;
  }

  private unexpected(): never {
    throw new Error("not part of this fake");
  }
  getHostPoolInfo = async () => this.unexpected();
  listSessionHosts = async () => this.unexpected();
  listUserSessions = async () => this.unexpected();
  sendMessage = async () => this.unexpected();
  signOut = async () => this.unexpected();
  setDrainMode = async () => this.unexpected();
  removeSessionHost = async () => this.unexpected();
  ensureRegistrationToken = async () => this.unexpected();
}
