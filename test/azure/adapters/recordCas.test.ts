/**
 * The record's compare-and-swap where ARM gives no etag (so no If-Match): the re-read after the
 * PATCH decides. A fake client stands in for ARM here because the emulator always has an etag.
 */
import type {
  DesktopVirtualizationAPIClient,
  HostPool,
  HostPoolPatch,
} from "@azure/arm-desktopvirtualization";
import { describe, expect, it } from "vitest";
import { AzureHostPoolAdapter } from "../../../automation/azure/hostPoolAdapter";
import { encodeRecord } from "../../../automation/azure/recordTags";
import { RecordConflictError } from "../../../automation/core/ports";
import type { RolloutRecord } from "../../../automation/core/record";

const rec = (id: string): RolloutRecord => ({
  version: 2,
  id,
  status: "running",
  revision: "r",
  params: { batchSize: 1, logOffDelayMinutes: 0, logOffMessage: "m", deleteOriginalVm: false },
  owner: id,
  heartbeat: "2026-01-01T00:00:00Z",
  startedAt: "2026-01-01T00:00:00Z",
  planned: [],
  hosts: {},
});

/** A host pool without etag whose PATCH can be followed by another writer's. */
function fakePool(afterPatch?: (tags: Record<string, string>) => Record<string, string>) {
  let tags: Record<string, string> = { owner: "euc" };
  const headers: Array<Record<string, string> | undefined> = [];
  const client = {
    hostPools: {
      get: async (): Promise<Partial<HostPool>> => ({ tags: { ...tags } }),
      update: async (
        _rg: string,
        _name: string,
        options: { hostPool?: HostPoolPatch; requestOptions?: { customHeaders?: Record<string, string> } },
      ) => {
        headers.push(options.requestOptions?.customHeaders);
        tags = { ...(options.hostPool?.tags ?? {}) };
        if (afterPatch) tags = afterPatch(tags);
        return {};
      },
    },
  } as unknown as DesktopVirtualizationAPIClient;
  return { client, headers, tags: () => tags };
}

describe("record compare-and-swap without an etag", () => {
  it("writes without If-Match and verifies by re-reading", async () => {
    const pool = fakePool();
    const adapter = new AzureHostPoolAdapter(pool.client, { name: "hp", resourceGroupName: "rg" });
    const token = await adapter.writeRecord(rec("a"), null);
    expect(pool.headers).toEqual([undefined]);
    expect(await adapter.readRecord()).toEqual({ record: rec("a"), etag: token });
    expect(pool.tags()["owner"]).toBe("euc");
  });

  it("reports a conflict when another writer's record is what reads back", async () => {
    const pool = fakePool((tags) => encodeRecord(tags, rec("other"), 1, "0ther").tags);
    const adapter = new AzureHostPoolAdapter(pool.client, { name: "hp", resourceGroupName: "rg" });
    await expect(adapter.writeRecord(rec("mine"), null)).rejects.toBeInstanceOf(RecordConflictError);
  });
});
