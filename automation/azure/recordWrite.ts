/**
 * Compare-and-swap of the rollout record on a resource without an etag (the host pool: the
 * 2024-04-03 specification declares no If-Match on HostPools_Update and returns no etag; its
 * PATCH replaces `tags` as a whole). Written down, with its assumptions, in docs/azure.md
 * ("Concurrency"); in short:
 *
 * 1. Read the tags (the read is *sent* at `t0`). Unless the stored token is the expected one,
 *    the write is refused (RecordConflictError).
 * 2. Send the new tags — the header carries a fresh random writer id and the token it replaces —
 *    once, and only while `t0 + G` has not passed (else start again at 1).
 * 3. Answered: the write has landed. Wait `D` (settle), read: our token, or a record written on
 *    top of ours, means we won; anything else is a conflict.
 * 4. Unanswered (timeout, reset, lost response, 5xx): it may land later. Poll until our token
 *    appears or `H` (the late-write horizon) since sending has passed:
 *    - ours appears, and no other writer's record was seen meanwhile: settle and confirm (3);
 *    - ours appears after another writer's record was seen (or after a gap in the polling long
 *      enough to have hidden one): our write landed late over it; put the record we last saw
 *      before ours back, tags exactly as they were, and report a conflict;
 *    - `H` passes: a conflict if another writer's record is there, else "not applied" (a
 *      transient error that may be retried).
 *
 * Why one winner: a competing writer read before our write landed (else it sees our token and
 * stops), sent within G of its read, and its write either was answered within P (so it landed
 * within G + P of its read, before our confirming read at landing + D, D > G + P: we see it and
 * lose) or went unanswered and is polled by its writer, who sees our record for at least
 * D − G − P before its own lands, and undoes its own. All intervals are measured by each writer
 * on its own monotonic clock: no clock synchronisation between machines is assumed.
 */
import { randomBytes } from "node:crypto";
import { InputError, PortError } from "../core/errors";
import { RecordConflictError } from "../core/ports";
import type { RolloutRecord } from "../core/record";
import { SendWindowClosedError } from "./armErrors";
import {
  type RecordHeader,
  RecordCapacityError,
  RecordTagsError,
  type Tags,
  encodeRecord,
  readHeader,
  tokenOf,
} from "./recordTags";
import type { SingleAttemptOptions } from "./retryPolicy";
import type { RecordWriteTuning } from "./tuning";

/** The tags of the resource that holds the record; every method throws PortError on failure. */
export interface TagStore {
  /** Reads the tags (retried within the call's budget). */
  read(): Promise<Tags>;
  /** Reads the tags once, giving up after `timeoutMs`. */
  readOnce(timeoutMs: number): Promise<Tags>;
  /** Replaces the tags: one attempt, sent only if `options.mayStillSend()` holds. */
  writeOnce(tags: Tags, options: SingleAttemptOptions): Promise<void>;
  /** Replaces the tags (retried within the call's budget: used to put a record back exactly). */
  write(tags: Tags): Promise<void>;
}

export interface RecordWriterClock {
  monotonicNow: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Times a read-to-write window may close before sending; then the write gives up as not applied. */
const MAX_WINDOW_MISSES = 3;

export class RecordWriter {
  constructor(
    private readonly store: TagStore,
    private readonly tuning: RecordWriteTuning,
    private readonly clock: RecordWriterClock,
    /** For messages: the resource, e.g. `host pool hp-prod`. */
    private readonly resource: string,
  ) {}

  private now(): number {
    return this.clock.monotonicNow();
  }

  private async sleepUntil(at: number): Promise<void> {
    const ms = at - this.now();
    if (ms > 0) await this.clock.sleep(ms);
  }

  private header(tags: Tags | undefined, operation: string): RecordHeader | undefined {
    try {
      return readHeader(tags);
    } catch (error) {
      if (error instanceof RecordTagsError)
        throw new PortError("permanent", operation, error.message, "InvalidRecord");
      throw error;
    }
  }

  /** Writes (or, with `record: null`, clears) the record if its token is `expected`; returns the new token. */
  async write(record: RolloutRecord | null, expected: string | null, operation: string): Promise<string> {
    for (let misses = 0; ; misses++) {
      const readSentAt = this.now();
      const base = await this.store.read();
      const current = this.header(base, operation);
      const currentToken = current ? tokenOf(current) : null;
      // "" is what a clearing write returns: the same "no record" as null.
      if ((currentToken ?? "") !== (expected ?? "")) {
        throw new RecordConflictError(
          `the rollout record on ${this.resource} changed since it was read (expected ${expected ?? "none"}, found ${currentToken ?? "none"})`,
        );
      }
      // Clearing a record that is not there: nothing to write.
      if (record === null && !current) return "";
      let encoded;
      try {
        encoded = encodeRecord(
          base,
          record,
          (current?.seq ?? 0) + 1,
          randomBytes(8).toString("hex"),
          currentToken ?? undefined,
        );
      } catch (error) {
        // Bad input (the batch size), refused before the rollout changes anything: exit code 2.
        if (error instanceof RecordCapacityError) throw new InputError(error.message);
        if (error instanceof RecordTagsError)
          throw new PortError("permanent", operation, error.message, "RecordTooLarge", {
            mayHaveApplied: false,
          });
        throw error;
      }
      const ours = encoded.header ? tokenOf(encoded.header) : null;
      let sentAt = this.now();
      try {
        await this.store.writeOnce(encoded.tags, {
          attemptTimeoutMs: this.tuning.writeTimeoutMs,
          mayStillSend: () => {
            sentAt = this.now();
            return sentAt - readSentAt <= this.tuning.maxReadToWriteMs;
          },
        });
      } catch (error) {
        if (!(error instanceof PortError)) throw error;
        if (error.code === SendWindowClosedError.code) {
          if (misses + 1 < MAX_WINDOW_MISSES) continue;
          throw new PortError(
            "transient",
            operation,
            `the write could not be sent within ${this.tuning.maxReadToWriteMs} ms of the read it depends on`,
            SendWindowClosedError.code,
            { mayHaveApplied: false },
          );
        }
        // Certainly not applied (throttled, refused) or permanent: the caller decides.
        if (error.kind !== "transient" || !error.mayHaveApplied) throw error;
        return this.settleUnanswered(ours, expected, base, sentAt, operation);
      }
      return this.confirm(ours, this.now());
    }
  }

  /** Our write had landed by `landedBy`: wait the settle time, then read who won. */
  private async confirm(ours: string | null, landedBy: number): Promise<string> {
    await this.sleepUntil(landedBy + this.tuning.settleMs);
    let stored: RecordHeader | undefined;
    try {
      stored = readHeader(await this.store.read());
    } catch (error) {
      if (error instanceof RecordTagsError)
        throw new RecordConflictError(`another writer changed the rollout record: ${error.message}`);
      throw error;
    }
    const storedToken = stored ? tokenOf(stored) : null;
    if (storedToken === ours) return ours ?? "";
    // Someone read our record and wrote over it: ours had won.
    if (ours !== null && stored?.p === ours) return ours;
    throw new RecordConflictError(
      `another writer changed the rollout record on ${this.resource} concurrently (read back ${storedToken ?? "none"})`,
    );
  }

  /**
   * Our write went unanswered: follow the record until our write shows (or cannot any more), and
   * undo it if it landed over another writer's record.
   */
  private async settleUnanswered(
    ours: string | null,
    expected: string | null,
    base: Tags,
    sentAt: number,
    operation: string,
  ): Promise<string> {
    const t = this.tuning;
    const deadline = sentAt + t.lateWriteHorizonMs;
    // A competing record stays visible at least this long before a late write of ours could hide it.
    const maxBlindMs = t.settleMs - t.maxReadToWriteMs - t.writeTimeoutMs;
    let lastForeign: Tags | undefined;
    let blind = false;
    let previousPollAt = this.now();
    for (;;) {
      const pollAt = this.now();
      let tags: Tags | undefined;
      try {
        tags = await this.store.readOnce(t.pollReadTimeoutMs);
      } catch (error) {
        if (!(error instanceof PortError) || error.kind !== "transient") throw error;
      }
      if (tags !== undefined) {
        if (this.now() - previousPollAt > maxBlindMs) blind = true;
        previousPollAt = pollAt;
        let header: RecordHeader | undefined;
        let readable = true;
        try {
          header = readHeader(tags);
        } catch (error) {
          if (!(error instanceof RecordTagsError)) throw error;
          readable = false;
        }
        const token = readable ? (header ? tokenOf(header) : null) : "unreadable";
        const landed = ours !== null ? token === ours : readable && header === undefined;
        if (landed) {
          if (lastForeign !== undefined || blind) {
            // Landed late, over a record we saw (or may have missed): put back what was there.
            await this.store.write(lastForeign ?? base);
            throw new RecordConflictError(
              `a write of the rollout record on ${this.resource} went unanswered and landed late, over another writer's; it was undone`,
            );
          }
          return this.confirm(ours, this.now());
        }
        if (ours !== null && header?.p === ours) return ours;
        if ((token ?? "") !== (expected ?? "")) lastForeign = tags;
      } else if (this.now() - previousPollAt > maxBlindMs) {
        blind = true;
      }
      if (this.now() >= deadline) {
        if (lastForeign !== undefined) {
          throw new RecordConflictError(
            `another writer changed the rollout record on ${this.resource} while this write went unanswered`,
          );
        }
        throw new PortError(
          "transient",
          operation,
          `the write of the rollout record went unanswered and had not applied ${t.lateWriteHorizonMs} ms later`,
          "WriteNotApplied",
          { mayHaveApplied: false },
        );
      }
      await this.clock.sleep(t.pollIntervalMs);
    }
  }
}
