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
 * - `enc` is `json` (readable in the portal) when the chunks fit, else `deflate` (raw deflate,
 *   base64), which keeps a 1,000-host plan within the budget.
 * - `h` detects a record somebody edited by hand (a torn or partial edit is refused, never
 *   half-read).
 * Every other tag passes through untouched; tag names are compared case-insensitively, as ARM
 * does.
 */
import { createHash } from "node:crypto";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import type { RolloutRecord } from "../core/record";

export const HEADER_TAG = "avd-rollout.record";
export const CHUNK_TAG_PREFIX = "avd-rollout.record.";
export const MAX_TAG_VALUE_LENGTH = 256;
export const MAX_TAGS_PER_RESOURCE = 50;

export interface RecordHeader {
  v: 1;
  seq: number;
  n: number;
  enc: "json" | "deflate";
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
    (h.enc !== "json" && h.enc !== "deflate") ||
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
  const json =
    header.enc === "json" ? payload : inflateRawSync(Buffer.from(payload, "base64")).toString("utf8");
  return { record: JSON.parse(json) as RolloutRecord, header };
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
  const json = JSON.stringify(record);
  let enc: RecordHeader["enc"] = "json";
  let chunks = chunk(json);
  if (chunks.length > budget) {
    enc = "deflate";
    chunks = chunk(deflateRawSync(Buffer.from(json, "utf8"), { level: 9 }).toString("base64"));
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
