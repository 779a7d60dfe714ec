/** The record's tag encoding: chunking, the 50-tag budget, foreign tags, compression, tampering. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHUNK_TAG_PREFIX,
  HEADER_TAG,
  MAX_TAG_VALUE_LENGTH,
  RecordTagsError,
  decodeRecord,
  encodeRecord,
  foreignTags,
  tokenOf,
} from "../../../automation/azure/recordTags";
import type { RolloutRecord } from "../../../automation/core/record";

function record(hosts: number, message = "Save your work."): RolloutRecord {
  return {
    version: 2,
    id: "r-1",
    status: "running",
    revision: "rev-1",
    params: { batchSize: 3, logOffDelayMinutes: 30, logOffMessage: message, deleteOriginalVm: true },
    owner: "pipeline run 42",
    heartbeat: "2026-11-25T20:00:00.000Z",
    startedAt: "2026-11-25T19:00:00.000Z",
    planned: Array.from({ length: hosts }, (_, i) => `avd-${i}`),
    hosts: {},
  };
}

describe("record tags", () => {
  it("round-trips a small record as readable JSON in ≤256-character chunks", () => {
    const { tags, header } = encodeRecord({}, record(40), 1, "w1");
    expect(header).toMatchObject({ v: 1, seq: 1, enc: "json", w: "w1" });
    expect(Object.values(tags).every((v) => v.length <= MAX_TAG_VALUE_LENGTH)).toBe(true);
    expect(Object.keys(tags)).toHaveLength(header!.n + 1);
    expect(decodeRecord(tags).record).toEqual(record(40));
  });

  it("compresses when plain chunks would not fit, and still round-trips", () => {
    const big = record(2_000);
    const { tags, header } = encodeRecord({}, big, 3, "w");
    expect(header!.enc).toBe("deflate");
    expect(Object.keys(tags).length).toBeLessThanOrEqual(50);
    expect(decodeRecord(tags).record).toEqual(big);
  });

  it("carries foreign tags over untouched and counts them against the 50", () => {
    // The smallest record needs a header and two chunks: 47 foreign tags leave exactly room.
    const user = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`t${i}`, `v${i}`]));
    const { tags } = encodeRecord(user, record(1), 1, "w");
    expect(foreignTags(tags)).toEqual(user);
    expect(Object.keys(tags)).toHaveLength(50);
    const full = { ...user, extra: "x" };
    expect(() => encodeRecord(full, record(1), 1, "w")).toThrow(RecordTagsError);
    expect(() => encodeRecord(full, record(1), 1, "w")).toThrow(/remove some host pool tags/);
  });

  it("replaces an older record's chunks instead of leaving stale ones behind", () => {
    const first = encodeRecord({ keep: "me" }, record(200), 1, "a").tags;
    const second = encodeRecord(first, record(1), 2, "b").tags;
    expect(Object.keys(second).filter((k) => k.startsWith(CHUNK_TAG_PREFIX))).toHaveLength(
      decodeRecord(second).header!.n,
    );
    expect(second["keep"]).toBe("me");
    expect(decodeRecord(second).record).toEqual(record(1));
  });

  it("clearing keeps only foreign tags; tag names are matched case-insensitively", () => {
    const { tags } = encodeRecord({ Env: "prod" }, record(2), 1, "w");
    const shouted = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k.toUpperCase(), v]));
    expect(decodeRecord(shouted).record).toEqual(record(2));
    expect(encodeRecord(shouted, null, 2, "w").tags).toEqual({ ENV: "prod" });
  });

  it("detects tampered or missing chunks", () => {
    const { tags } = encodeRecord({}, record(60), 1, "w");
    expect(() => decodeRecord({ ...tags, [`${CHUNK_TAG_PREFIX}1`]: "x" })).toThrow(/checksum/);
    const missing = { ...tags };
    delete missing[`${CHUNK_TAG_PREFIX}0`];
    expect(() => decodeRecord(missing)).toThrow(/missing/);
    expect(() => decodeRecord({ [HEADER_TAG]: "not json" })).toThrow(RecordTagsError);
  });

  it("tokens differ per write even at the same sequence number", () => {
    const a = encodeRecord({}, record(1), 5, "aaaa").header!;
    const b = encodeRecord({}, record(1), 5, "bbbb").header!;
    expect(tokenOf(a)).not.toBe(tokenOf(b));
  });

  it("round-trips any record text (property)", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 260 }), fc.integer({ min: 0, max: 600 }), (message, hosts) => {
        const r = record(hosts, message);
        const { tags } = encodeRecord({ a: "b" }, r, 1, "w");
        expect(Object.values(tags).every((v) => v.length <= MAX_TAG_VALUE_LENGTH)).toBe(true);
        expect(decodeRecord(tags).record).toEqual(r);
      }),
      { numRuns: 60 },
    );
  });
});
