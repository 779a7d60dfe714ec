/**
 * AzureHostPoolAdapter over HTTPS against the ARM emulator: every port method, paging, REST
 * shapes (the emulator rejects anything off-specification, and every test ends by checking that
 * no request was a violation), 404 idempotency, drain verification and the record's concurrency.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PortError } from "../../../automation/core/errors";
import { RecordConflictError } from "../../../automation/core/ports";
import type { RolloutRecord } from "../../../automation/core/record";
import { type Harness, startHarness } from "./harness";

function record(id: string, hosts = 3): RolloutRecord {
  const planned = Array.from({ length: hosts }, (_, i) => `avdprod-${i}`);
  return {
    version: 2,
    id,
    status: "running",
    revision: "rev-abc123",
    params: {
      batchSize: 3,
      logOffDelayMinutes: 30,
      logOffMessage: "Save your work — the desktop is being updated.",
      deleteOriginalVm: false,
    },
    owner: "alice@build-01",
    heartbeat: "2026-11-25T20:00:00.000Z",
    startedAt: "2026-11-25T19:59:00.000Z",
    planned,
    hosts: {
      "avdprod-0": { batch: 0, noticeAt: "2026-11-25T20:00:00.000Z", attempts: 1 },
    },
  };
}

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  const violations = h.emulator.log.violations();
  await h.close();
  expect(violations).toEqual([]);
});

describe("listing", () => {
  it("lists every session host across pages, named by FQDN without the pool prefix", async () => {
    for (let i = 0; i < 5; i++)
      h.backend.addHost({ host: `avdprod-${i}`, sessions: i === 1 ? [{ user: "u1@contoso.com" }] : [] });
    h.backend.addHost({ host: "avdprod-5", allowNewSession: false, powerState: "deallocated" });

    const hosts = await h.ports.hostPool.listSessionHosts();

    expect(hosts.map((x) => x.name)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `avdprod-${i}.corp.contoso.com`));
    expect(hosts[1]).toMatchObject({ status: "Available", allowNewSession: true, sessions: 1 });
    expect(hosts[5]).toMatchObject({ status: "Unavailable", allowNewSession: false, sessions: 0 });
    expect(hosts[0].resourceId).toMatch(/\/providers\/Microsoft\.Compute\/virtualMachines\/avdprod-0-vm$/);
    // Page size 2: three requests, the later two through nextLink.
    expect(h.emulator.log.byRoute("SessionHosts_List")).toHaveLength(3);
  });

  it("lists user sessions of the pool and of one host, with the id as the last segment of the ARM id", async () => {
    const a = h.backend.addHost({
      host: "avdprod-0",
      sessions: [{ user: "a@contoso.com" }, { user: "b@contoso.com", state: "Disconnected" }],
    });
    h.backend.addHost({
      host: "avdprod-1",
      sessions: [{ user: "c@contoso.com" }, { user: "d@contoso.com" }, { user: "e@contoso.com" }],
    });

    const all = await h.ports.hostPool.listUserSessions();
    expect(all).toHaveLength(5);
    expect(all.map((s) => s.userPrincipalName).sort()).toEqual(
      ["a", "b", "c", "d", "e"].map((u) => `${u}@contoso.com`),
    );
    const b = all.find((s) => s.userPrincipalName === "b@contoso.com")!;
    expect(b).toMatchObject({ sessionHostName: a.sessionHostName, sessionState: "Disconnected" });
    expect(b.id).toMatch(/^\d+$/);
    expect(h.emulator.log.byRoute("UserSessions_ListByHostPool")).toHaveLength(3);

    const onA = await h.ports.hostPool.listUserSessions(a.sessionHostName);
    expect(onA.map((s) => s.userPrincipalName).sort()).toEqual(["a@contoso.com", "b@contoso.com"]);
    expect(onA.every((s) => s.sessionHostName === a.sessionHostName)).toBe(true);
  });

  it("reports no sessions for a session host that does not exist", async () => {
    expect(await h.ports.hostPool.listUserSessions("gone.corp.contoso.com")).toEqual([]);
  });
});

describe("messages and sign-out", () => {
  it("sends the title and body to the session", async () => {
    const { sessionHostName } = h.backend.addHost({
      host: "avdprod-0",
      sessions: [{ user: "a@contoso.com" }],
    });
    const [session] = await h.ports.hostPool.listUserSessions(sessionHostName);
    await h.ports.hostPool.sendMessage(sessionHostName, session.id, "Update", "Please save your work.");
    expect(h.backend.messages).toEqual([
      { sessionHostName, sessionId: session.id, title: "Update", body: "Please save your work." },
    ]);
  });

  it("treats a message to a session that is gone as done", async () => {
    const { sessionHostName } = h.backend.addHost({ host: "avdprod-0" });
    await expect(h.ports.hostPool.sendMessage(sessionHostName, "99", "t", "b")).resolves.toBeUndefined();
    expect(h.emulator.log.byRoute("UserSessions_SendMessage")[0].status).toBe(404);
  });

  it("signs a session out with force=true, and signing out again succeeds", async () => {
    const { sessionHostName } = h.backend.addHost({
      host: "avdprod-0",
      sessions: [{ user: "a@contoso.com" }],
    });
    const [session] = await h.ports.hostPool.listUserSessions(sessionHostName);
    await h.ports.hostPool.signOut(sessionHostName, session.id);
    expect(await h.ports.hostPool.listUserSessions(sessionHostName)).toEqual([]);
    await h.ports.hostPool.signOut(sessionHostName, session.id);
    const deletes = h.emulator.log.byRoute("UserSessions_Delete");
    expect(deletes.map((d) => d.query["force"])).toEqual(["true", "true"]);
    expect(deletes.map((d) => d.status)).toEqual([200, 204]);
  });
});

describe("drain mode", () => {
  it("drains and undrains, and does not write when the host already reports the wanted mode", async () => {
    const { sessionHostName } = h.backend.addHost({ host: "avdprod-0" });
    await h.ports.hostPool.setDrainMode(sessionHostName, true);
    expect(h.backend.sessionHost(sessionHostName)!.allowNewSession).toBe(false);
    const patch = h.emulator.log.byRoute("SessionHosts_Update")[0];
    expect(patch.body).toEqual({ properties: { allowNewSession: false } });

    await h.ports.hostPool.setDrainMode(sessionHostName, true);
    expect(h.emulator.log.byRoute("SessionHosts_Update")).toHaveLength(1);

    await h.ports.hostPool.setDrainMode(sessionHostName, false);
    expect(h.backend.sessionHost(sessionHostName)!.allowNewSession).toBe(true);
  });

  it("re-asserts drain mode that an agent upgrade turned back off", async () => {
    const { sessionHostName } = h.backend.addHost({ host: "avdprod-0" });
    await h.ports.hostPool.setDrainMode(sessionHostName, true);
    h.backend.setAllowNewSession(sessionHostName, true);
    await h.ports.hostPool.setDrainMode(sessionHostName, true);
    expect(h.backend.sessionHost(sessionHostName)!.allowNewSession).toBe(false);
    expect(h.emulator.log.byRoute("SessionHosts_Update")).toHaveLength(2);
  });

  it("verifies a drain whose PATCH timed out but applied later, without writing again", async () => {
    await h.close();
    // One attempt per call, 500 ms per attempt: the hung PATCH times out.
    h = await startHarness({
      retry: { maxRetries: 0, attemptTimeoutMs: 500 },
      // "Time passes" until the late write has landed: deterministic, no fixed real sleep.
      sleep: () =>
        waitFor(() => h.backend.sessionHost("avdprod-0.corp.contoso.com")?.allowNewSession === false),
    });
    const { sessionHostName } = h.backend.addHost({ host: "avdprod-0" });
    h.emulator.faults.inject({
      routes: ["SessionHosts_Update"],
      times: 1,
      action: { kind: "lateApply", applyAfterMs: 20, respond: "hang", hangMs: 5_000 },
    });

    await h.ports.hostPool.setDrainMode(sessionHostName, true);

    expect(h.backend.sessionHost(sessionHostName)!.allowNewSession).toBe(false);
    // The one PATCH that hung; the re-read found it applied, so no second write.
    expect(h.emulator.log.byRoute("SessionHosts_Update")).toHaveLength(1);
  });

  it("re-asserts when the PATCH answers success but the host still shows the old value", async () => {
    const { sessionHostName } = h.backend.addHost({ host: "avdprod-0" });
    h.emulator.faults.inject({
      routes: ["SessionHosts_Update"],
      times: 1,
      action: { kind: "lateApply", applyAfterMs: 60_000, respond: "staleSuccess" },
    });
    await h.ports.hostPool.setDrainMode(sessionHostName, true);
    expect(h.backend.sessionHost(sessionHostName)!.allowNewSession).toBe(false);
    expect(h.emulator.log.byRoute("SessionHosts_Update")).toHaveLength(2);
    expect(h.waits).toEqual([1_000]);
  });

  it("names the host and call when the session host does not exist", async () => {
    const error = await h.ports.hostPool.setDrainMode("nope.corp.contoso.com", true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({
      kind: "notFound",
      operation: "hostPool.setDrainMode(nope.corp.contoso.com)",
    });
  });
});

describe("removing a session host", () => {
  it("removes with force=true even with sessions, and removing again succeeds", async () => {
    const { sessionHostName } = h.backend.addHost({
      host: "avdprod-0",
      sessions: [{ user: "a@contoso.com" }],
    });
    h.backend.addHost({ host: "avdprod-1" });
    await h.ports.hostPool.removeSessionHost(sessionHostName);
    expect((await h.ports.hostPool.listSessionHosts()).map((x) => x.name)).toEqual([
      "avdprod-1.corp.contoso.com",
    ]);
    await h.ports.hostPool.removeSessionHost(sessionHostName);
    expect(h.emulator.log.byRoute("SessionHosts_Delete").map((d) => [d.query["force"], d.status])).toEqual([
      ["true", 200],
      ["true", 204],
    ]);
  });
});

describe("registration token", () => {
  it("creates a token when there is none, with an expiry Azure accepts, and never returns it", async () => {
    const before = Date.now();
    const result = await h.ports.hostPool.ensureRegistrationToken(120);
    const token = h.backend.registration().token!;
    expect(token).toBeTruthy();
    expect(JSON.stringify(result)).not.toContain(token);
    expect(Object.keys(result)).toEqual(["expiresAt"]);
    const expires = Date.parse(result.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 120 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 24 * 3600_000);
    const patch = h.emulator.log.byRoute("HostPools_Update")[0];
    expect(patch.body).toMatchObject({
      properties: { registrationInfo: { registrationTokenOperation: "Update" } },
    });
  });

  it("asks for at least an hour even when less is needed", async () => {
    const result = await h.ports.hostPool.ensureRegistrationToken(5);
    expect(Date.parse(result.expiresAt)).toBeGreaterThanOrEqual(Date.now() + 60 * 60_000 - 5_000);
  });

  it("keeps a token that is valid long enough, and renews one that is not", async () => {
    const first = await h.ports.hostPool.ensureRegistrationToken(180);
    const again = await h.ports.hostPool.ensureRegistrationToken(60);
    expect(again).toEqual(first);
    expect(h.emulator.log.byRoute("HostPools_Update")).toHaveLength(1);

    const longer = await h.ports.hostPool.ensureRegistrationToken(600);
    expect(Date.parse(longer.expiresAt)).toBeGreaterThan(Date.parse(first.expiresAt));
    expect(h.emulator.log.byRoute("HostPools_Update")).toHaveLength(2);
  });

  it("refuses more than 30 days, changing nothing", async () => {
    const error = await h.ports.hostPool.ensureRegistrationToken(31 * 24 * 60).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "permanent" });
    expect((error as Error).message).toContain("30 days");
    expect(h.emulator.log.all()).toEqual([]);
  });

  it("keeps a token-shaped value out of the error message", async () => {
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJSZWdpc3RyYXRpb25JZCI6IjEyMyJ9.c2lnbmF0dXJlLXZhbHVl";
    h.emulator.faults.inject({
      routes: ["HostPools_RetrieveRegistrationToken"],
      action: { kind: "status", status: 400, code: "InvalidRequest", message: `token ${jwt} is malformed` },
    });
    const error = await h.ports.hostPool.ensureRegistrationToken(60).catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "permanent",
      code: "InvalidRequest",
      operation: "hostPool.ensureRegistrationToken(hp-test)",
    });
    expect((error as Error).message).not.toContain(jwt);
    expect((error as Error).message).not.toContain("c2lnbmF0dXJlLXZhbHVl");
  });
});

describe("the rollout record in host pool tags", () => {
  it("reads no record on a fresh pool, writes one, and reads it back with its token", async () => {
    expect(await h.ports.hostPool.readRecord()).toEqual({ record: null, etag: null });
    const token = await h.ports.hostPool.writeRecord(record("r1"), null);
    const read = await h.ports.hostPool.readRecord();
    expect(read).toEqual({ record: record("r1"), etag: token });
  });

  it("leaves the administrators' own tags untouched, and clearing removes only the record's tags", async () => {
    h.backend.setHostPoolTags({ costCenter: "42", Owner: "team-euc" });
    const token = await h.ports.hostPool.writeRecord(record("r1"), null);
    expect(h.backend.hostPoolTags()).toMatchObject({ costCenter: "42", Owner: "team-euc" });
    await h.ports.hostPool.writeRecord(null, token);
    expect(h.backend.hostPoolTags()).toEqual({ costCenter: "42", Owner: "team-euc" });
    expect(await h.ports.hostPool.readRecord()).toEqual({ record: null, etag: null });
    const writes = h.emulator.log.byRoute("HostPools_Update").length;
    await h.ports.hostPool.writeRecord(null, null);
    expect(h.emulator.log.byRoute("HostPools_Update")).toHaveLength(writes);
  });

  it("splits a large record over tags of at most 256 characters and at most 50 tags in all", async () => {
    h.backend.setHostPoolTags(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`user${i}`, "v"])));
    const big = record("r-big", 1000);
    await h.ports.hostPool.writeRecord(big, null);
    const tags = h.backend.hostPoolTags();
    expect(Object.keys(tags).length).toBeLessThanOrEqual(50);
    expect(Object.values(tags).every((v) => v.length <= 256)).toBe(true);
    expect((await h.ports.hostPool.readRecord()).record).toEqual(big);
  });

  it("refuses a write whose token is stale", async () => {
    const t1 = await h.ports.hostPool.writeRecord(record("r1"), null);
    await h.ports.hostPool.writeRecord({ ...record("r1"), status: "pausing" }, t1);
    await expect(h.ports.hostPool.writeRecord(record("r1"), t1)).rejects.toBeInstanceOf(RecordConflictError);
    await expect(h.ports.hostPool.writeRecord(record("r2"), null)).rejects.toBeInstanceOf(
      RecordConflictError,
    );
    expect((await h.ports.hostPool.readRecord()).record?.status).toBe("pausing");
  });

  it("reports hand-edited record tags as a permanent error instead of half-reading them", async () => {
    await h.ports.hostPool.writeRecord(record("r1"), null);
    h.backend.setHostPoolTags({ ...h.backend.hostPoolTags(), "avd-rollout.record.0": "{tampered" });
    await expect(h.ports.hostPool.readRecord()).rejects.toMatchObject({
      kind: "permanent",
      code: "InvalidRecord",
    });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
