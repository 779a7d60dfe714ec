/** The record's tag encoding: chunking, the 50-tag budget, foreign tags, compression, tampering. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CHUNK_TAG_PREFIX,
  HEADER_TAG,
  MAX_TAG_VALUE_LENGTH,
  RecordCapacityError,
  RecordTagsError,
  decodeRecord,
  encodeRecord,
  foreignTags,
  tokenOf,
} from "../../../automation/azure/recordTags";
import { deflateRawSync } from "node:zlib";
import { createHash } from "node:crypto";
import type { HostRecord, RolloutRecord } from "../../../automation/core/record";

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
    expect(header!.enc).toBe("brotli");
    expect(Object.keys(tags).length).toBeLessThanOrEqual(50);
    expect(decodeRecord(tags).record).toEqual(big);
  });

  it("stores a 10,000-host plan as name runs: a few tags, hosts in flight included", () => {
    const plan = { ...record(10_000), params: { ...record(1).params, batchSize: 50 } };
    const fresh = encodeRecord({}, plan, 1, "w");
    expect(fresh.header!.n).toBeLessThanOrEqual(3);
    // Mid-rollout: 150 hosts in flight with their original VMs and notices, some drained ahead.
    const hosts: Record<string, HostRecord> = {};
    for (let i = 0; i < 150; i++) {
      const vm = `avd-${i}-2026-08-0${1 + (i % 3)}T10-00-00`;
      hosts[`avd-${i}`] = {
        batch: 1 + Math.floor(i / 50),
        original: {
          vm: {
            name: vm,
            resourceId: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${vm}`,
          },
          sessionHostName: `avd-${i}.contoso.local`,
          allowNewSession: true,
          powerState: "running",
          accepting: true,
        },
        noticeAt: new Date(Date.UTC(2026, 10, 27, 9, i % 60, i % 7)).toISOString(),
        notices: [{ ids: [String(1 + (i % 5)), String(7 + (i % 3))], sentAt: "2026-11-27T09:00:02.000Z" }],
      };
    }
    const midway = {
      ...plan,
      hosts,
      startedBatches: [0, 1, 2],
      drainedAhead: ["avd-151", "avd-152", "avd-9999"],
    };
    const encoded = encodeRecord({ costCenter: "42" }, midway, 9, "w");
    expect(encoded.header!.enc).toBe("brotli");
    expect(Object.keys(encoded.tags).length).toBeLessThanOrEqual(50);
    expect(decodeRecord(encoded.tags).record).toEqual(midway);
  });

  it("refuses a new rollout whose record would outgrow the free tags, naming the batch size and the fix", () => {
    const plan = (batchSize: number): RolloutRecord => ({
      ...record(10_000),
      params: { ...record(1).params, batchSize },
    });
    expect(() => encodeRecord({}, plan(200), 1, "w")).toThrow(RecordCapacityError);
    expect(() => encodeRecord({}, plan(200), 1, "w")).toThrow(
      /10000 hosts in batches of 200 needs up to \d+ host pool tags .* only 49 of the host pool's 50 tags are free \(0 are in use\): choose a smaller --batch-size/,
    );
    expect(() => encodeRecord({}, plan(40), 1, "w")).not.toThrow();
    // The host pool's own tags leave less room for the same rollout.
    const busy = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, "v"]));
    expect(() => encodeRecord(busy, plan(40), 1, "w")).toThrow(
      /only 9 of the host pool's 50 tags are free \(40 are in use\)/,
    );
    // Only the record `start` writes is checked: a rollout under way is never refused for it.
    const underWay = { ...plan(200), startedBatches: [0] };
    expect(() => encodeRecord({}, underWay, 2, "w")).not.toThrow();
  });

  it("still reads a record written compressed with deflate (no name runs)", () => {
    const old = record(2_000);
    const payload = deflateRawSync(Buffer.from(JSON.stringify(old)), { level: 9 }).toString("base64");
    const chunks = payload.match(/.{1,256}/g) ?? [];
    const h = createHash("sha256").update(payload).digest("hex").slice(0, 16);
    const tags: Record<string, string> = {
      [HEADER_TAG]: JSON.stringify({ v: 1, seq: 4, n: chunks.length, enc: "deflate", w: "w", h }),
    };
    chunks.forEach((c, i) => (tags[`${CHUNK_TAG_PREFIX}${i}`] = c));
    expect(decodeRecord(tags).record).toEqual(old);
  });

  it("carries foreign tags over untouched and counts them against the 50", () => {
    // The smallest record needs a header and two chunks: 47 foreign tags leave exactly room.
    // (A rollout under way: the record `start` writes is also checked for its peak, below.)
    const underWay = { ...record(1), startedBatches: [0] };
    const user = Object.fromEntries(Array.from({ length: 47 }, (_, i) => [`t${i}`, `v${i}`]));
    const { tags } = encodeRecord(user, underWay, 1, "w");
    expect(foreignTags(tags)).toEqual(user);
    expect(Object.keys(tags)).toHaveLength(50);
    const full = { ...user, extra: "x" };
    expect(() => encodeRecord(full, underWay, 1, "w")).toThrow(RecordTagsError);
    expect(() => encodeRecord(full, underWay, 1, "w")).toThrow(/remove some host pool tags/);
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
