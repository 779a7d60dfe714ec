/**
 * The rollout record stored as host pool tags (spec section 6), pure encoding and decoding.
 *
 * ARM limits a tag value to 256 characters and a resource to 50 tags, and the host pool's own
 * tags belong to its administrators. So the record (JSON) is split across chunk tags
 * `avd-rollout.record.0 .. n-1`, described by one header tag `avd-rollout.record`:
 *
 *   {"v":1,"seq":7,"n":3,"enc":"json","w":"5f0c9a1e2b7d4c60","p":"6-0a1b2c3d4e5f6789","h":"<sha256 prefix>"}
 *
 * - `seq` counts writes: with the writer id `w` it forms the concurrency token.
 * - `p` is the token of the record this one was written over (absent on the first), so a writer
 *   that finds a successor of its own write knows its write had landed.
 * - `enc` is `json` (readable in the portal) when the chunks fit, else `brotli`: the record with
 *   its name lists as runs (recordPacking.ts), Brotli-compressed, base64. That keeps the record
 *   of a 10,000-host pool with batches of 100 within the budget (docs/azure.md, "The record in
 *   tags"). `deflate` (raw deflate, base64, no runs) is still read.
 * - `h` detects a record somebody edited by hand (a torn or partial edit is refused, never
 *   half-read).
 * Every other tag passes through untouched; tag names are compared case-insensitively, as ARM
 * does.
 */
import { createHash } from "node:crypto";
import { brotliCompressSync, brotliDecompressSync, constants, inflateRawSync } from "node:zlib";
import { MAX_TRACKED_BATCHES, type RolloutRecord } from "../core/record";
import { NameRunsError, packNames, unpackNames, type NameRun } from "./recordPacking";

export const HEADER_TAG = "avd-rollout.record";
export const CHUNK_TAG_PREFIX = "avd-rollout.record.";
export const MAX_TAG_VALUE_LENGTH = 256;
export const MAX_TAGS_PER_RESOURCE = 50;

export interface RecordHeader {
  v: 1;
  seq: number;
  n: number;
  enc: "json" | "brotli" | "deflate";
  /** Writer id: random per write, so two writers of the same seq differ. */
  w: string;
  /** Token of the record this one replaced. */
  p?: string;
  h: string;
}

export type Tags = Record<string, string>;

export class RecordTagsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RecordTagsError";
  }
}

/** A new rollout whose record would outgrow the free tags part-way: refused before it starts. */
export class RecordCapacityError extends RecordTagsError {
  constructor(message: string) {
    super(message);
    this.name = "RecordCapacityError";
  }
}

export function isRecordTag(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === HEADER_TAG || lower.startsWith(CHUNK_TAG_PREFIX);
}

/** The tags that are not the record's (the administrators' own). */
export function foreignTags(tags: Tags | undefined): Tags {
  const out: Tags = {};
  for (const [name, value] of Object.entries(tags ?? {})) if (!isRecordTag(name)) out[name] = value;
  return out;
}

function findTag(tags: Tags, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(tags)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

function digest(payload: string): string {
  return createHash("sha256").update(payload).digest("hex").slice(0, 16);
}

/** The concurrency token of a header: opaque to callers. */
export function tokenOf(header: RecordHeader): string {
  return `${header.seq}-${header.w}`;
}

export function readHeader(tags: Tags | undefined): RecordHeader | undefined {
  const raw = findTag(tags ?? {}, HEADER_TAG);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new RecordTagsError(
      `tag ${HEADER_TAG} is not valid JSON; remove the avd-rollout.record* tags to reset`,
    );
  }
  const h = parsed as Partial<RecordHeader>;
  if (
    h.v !== 1 ||
    !Number.isInteger(h.seq) ||
    !Number.isInteger(h.n) ||
    (h.enc !== "json" && h.enc !== "brotli" && h.enc !== "deflate") ||
    typeof h.w !== "string" ||
    (h.p !== undefined && typeof h.p !== "string") ||
    typeof h.h !== "string"
  ) {
    throw new RecordTagsError(
      `tag ${HEADER_TAG} has an unknown shape (${raw}); remove the avd-rollout.record* tags to reset`,
    );
  }
  return h as RecordHeader;
}

/** Decodes the record from a resource's tags; null record when there is none. */
export function decodeRecord(tags: Tags | undefined): {
  record: RolloutRecord | null;
  header: RecordHeader | undefined;
} {
  const header = readHeader(tags);
  if (!header) return { record: null, header: undefined };
  let payload = "";
  for (let i = 0; i < header.n; i++) {
    const chunk = findTag(tags ?? {}, `${CHUNK_TAG_PREFIX}${i}`);
    if (chunk === undefined) throw new RecordTagsError(`record tag ${CHUNK_TAG_PREFIX}${i} is missing`);
    payload += chunk;
  }
  if (digest(payload) !== header.h) {
    throw new RecordTagsError("the rollout record tags do not match their checksum (edited by hand?)");
  }
  if (header.enc === "json") return { record: JSON.parse(payload) as RolloutRecord, header };
  if (header.enc === "deflate") {
    const json = inflateRawSync(Buffer.from(payload, "base64")).toString("utf8");
    return { record: JSON.parse(json) as RolloutRecord, header };
  }
  const json = brotliDecompressSync(Buffer.from(payload, "base64")).toString("utf8");
  try {
    return { record: fromPacked(JSON.parse(json) as PackedRecord), header };
  } catch (error) {
    if (error instanceof NameRunsError)
      throw new RecordTagsError(`the rollout record tags are damaged: ${error.message}`);
    throw error;
  }
}

/** The record as written compressed: its name lists as runs. */
type PackedRecord = Omit<RolloutRecord, "planned" | "drainedAhead"> & {
  plannedRuns: NameRun[];
  drainedAheadRuns?: NameRun[];
};

function toPacked(record: RolloutRecord): PackedRecord {
  const { planned, drainedAhead, ...rest } = record;
  return {
    ...rest,
    plannedRuns: packNames(planned),
    ...(drainedAhead ? { drainedAheadRuns: packNames(drainedAhead) } : {}),
  };
}

function fromPacked(packed: PackedRecord): RolloutRecord {
  const { plannedRuns, drainedAheadRuns, ...rest } = packed;
  return {
    ...rest,
    planned: unpackNames(plannedRuns),
    ...(drainedAheadRuns !== undefined ? { drainedAhead: unpackNames(drainedAheadRuns) } : {}),
  };
}

function compressed(record: RolloutRecord): string {
  return brotliCompressSync(Buffer.from(JSON.stringify(toPacked(record)), "utf8"), {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
    },
  }).toString("base64");
}

function chunk(payload: string): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < payload.length; i += MAX_TAG_VALUE_LENGTH)
    chunks.push(payload.slice(i, i + MAX_TAG_VALUE_LENGTH));
  return chunks;
}

/**
 * The complete tag set to write: the foreign tags untouched plus the record's tags (none when
 * `record` is null). Throws RecordTagsError when the record cannot fit beside the foreign tags.
 */
export function encodeRecord(
  current: Tags | undefined,
  record: RolloutRecord | null,
  seq: number,
  writer: string,
  previous?: string,
): { tags: Tags; header: RecordHeader | undefined } {
  const tags = foreignTags(current);
  if (record === null) return { tags, header: undefined };

  const budget = MAX_TAGS_PER_RESOURCE - Object.keys(tags).length - 1;
  if (isFresh(record)) checkPeakFits(record, budget, Object.keys(tags).length);
  const json = JSON.stringify(record);
  let enc: RecordHeader["enc"] = "json";
  let chunks = chunk(json);
  if (chunks.length > budget) {
    enc = "brotli";
    chunks = chunk(compressed(record));
  }
  if (chunks.length > budget) {
    throw new RecordTagsError(
      `the rollout record needs ${chunks.length} tags of ${MAX_TAG_VALUE_LENGTH} characters but only ${Math.max(0, budget)} ` +
        `of the host pool's ${MAX_TAGS_PER_RESOURCE} are free (${Object.keys(tags).length} are in use); remove some host pool tags`,
    );
  }
  const header: RecordHeader = {
    v: 1,
    seq,
    n: chunks.length,
    enc,
    w: writer,
    ...(previous ? { p: previous } : {}),
    h: digest(chunks.join("")),
  };
  tags[HEADER_TAG] = JSON.stringify(header);
  chunks.forEach((value, i) => (tags[`${CHUNK_TAG_PREFIX}${i}`] = value));
  return { tags, header };
}

/** A record nothing has happened under yet: the one `start` writes. */
function isFresh(record: RolloutRecord): boolean {
  return Object.keys(record.hosts).length === 0 && (record.startedBatches ?? []).length === 0;
}

/**
 * Refuses a new rollout whose record would not fit at its peak. The record grows with the hosts
 * in flight, which the driver keeps within MAX_TRACKED_BATCHES batches. The peak is projected
 * with that many hosts, each with its original VM and a full host's sessions notified, a batch
 * back in service, one leaving and one under notice, one host in ten retried, values varying as
 * real ones do: VM names stamped per
 * batch of the generation they replace, session ids small per host, times minutes apart within a
 * batch. (Azure numbers a host's sessions from 1; the simulated pool numbers them pool-wide, so
 * a rehearsed record is larger than a real one and the bench reports both.)
 */
function checkPeakFits(record: RolloutRecord, budget: number, inUse: number): void {
  const batchSize = Math.max(1, record.params.batchSize);
  const inFlight = Math.min(record.planned.length, MAX_TRACKED_BATCHES * batchSize + 1);
  const peak: RolloutRecord = { ...record, hosts: {} };
  const random = seededRandom(record.planned.length * 7919 + batchSize);
  const start = Date.parse("2030-01-01T00:00:00Z");
  const at = (batch: number, minutes: number): string =>
    new Date(start + (batch * 60 + minutes) * 60_000 + Math.floor(random() * 600_000)).toISOString();
  const stamps = new Map<number, string>();
  const stampOf = (batch: number): string => {
    let stamp = stamps.get(batch);
    if (stamp === undefined) {
      stamp = new Date(start - 90 * 86_400_000 + Math.floor(random() * 86_400_000))
        .toISOString()
        .slice(0, 19)
        .replace(/:/g, "-");
      stamps.set(batch, stamp);
    }
    return stamp;
  };
  for (const [i, host] of record.planned.slice(0, inFlight).entries()) {
    const batch = i === 0 ? 0 : Math.floor((i - 1) / batchSize) + 1;
    const vm = `${host}-${stampOf(batch)}`;
    const ids = new Set<string>();
    while (ids.size < PEAK_SESSIONS_PER_HOST)
      ids.add(String(1 + Math.floor(random() * 4 * PEAK_SESSIONS_PER_HOST)));
    // The oldest batch in flight is back in service, the next is leaving, the last under notice;
    // one host in ten has been retried.
    const stage = Math.floor(i / batchSize);
    peak.hosts[host] = {
      batch,
      original: {
        vm: {
          name: vm,
          resourceId: `/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-avd-session-hosts/providers/Microsoft.Compute/virtualMachines/${vm}`,
        },
        sessionHostName: `${host}.corp.contoso.com`,
        allowNewSession: true,
        powerState: "running",
        accepting: true,
      },
      noticeAt: at(batch, 0),
      notices: [{ ids: [...ids], sentAt: at(batch, 0) }],
      ...(stage < 2 ? { committedAt: at(batch, 30) } : {}),
      ...(stage < 1 ? { provisionedAt: at(batch, 50), registeredAt: at(batch, 55) } : {}),
      ...(i % 10 === 9
        ? {
            attempts: 1,
            retryAt: at(batch, 40),
            error: "stack update failed: a transient Azure error (retrying)",
          }
        : {}),
    };
  }
  peak.drainedAhead = record.planned.slice(inFlight, inFlight + batchSize);
  const needed = chunk(compressed(peak)).length;
  if (needed > budget) {
    throw new RecordCapacityError(
      `the rollout record of ${record.planned.length} hosts in batches of ${record.params.batchSize} needs up to ${needed} ` +
        `host pool tags of ${MAX_TAG_VALUE_LENGTH} characters while ${inFlight} hosts are in flight, but only ${Math.max(0, budget)} ` +
        `of the host pool's ${MAX_TAGS_PER_RESOURCE} tags are free (${inUse} are in use): choose a smaller --batch-size ` +
        `(or avd-rollout:update maxVmsRemoved) or remove some host pool tags`,
    );
  }
}

/** Sessions per host in the projected peak: a full multi-session host. */
const PEAK_SESSIONS_PER_HOST = 16;

/** Deterministic values for the projection (mulberry32), so the same rollout always gets the same answer. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
