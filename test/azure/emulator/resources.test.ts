/**
 * What the emulator serves, checked over raw HTTPS: paging with absolute nextLinks, ARM's
 * long-running operation protocol (completed, failed, canceled), host pools without etag and
 * their tag limits, VM deletion that takes NIC and disk along as their deleteOption says,
 * registration token bounds, ARM's dependency rules for NICs and disks, fault injection, and
 * TLS trust of the generated certificate only.
 */
import { request } from "node:https";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { armRequest } from "../support/armRequest";
import { createTestCertificate, type TestCertificate } from "./certificate";
import { MemoryBackend } from "./memory-backend";
import { startArmEmulator, type ArmEmulator } from "./server";

let certificate: TestCertificate;
let emulator: ArmEmulator;
let backend: MemoryBackend;
const DV = "2024-04-03";
const VM_V = "2026-04-01";
const HOUR = 3600_000;

beforeAll(async () => {
  certificate = await createTestCertificate();
});
beforeEach(async () => {
  await emulator?.close();
  backend = new MemoryBackend();
  for (let i = 0; i < 5; i++) {
    backend.addHost({
      host: `avd-${i}`,
      sessions: [{ user: `a${i}@contoso.com` }, { user: `b${i}@contoso.com`, state: "Disconnected" }],
    });
  }
  emulator = await startArmEmulator({ backend, certificate, pageSize: 2 });
});
afterAll(async () => {
  await emulator?.close();
});

const pool = (): string =>
  `/subscriptions/${backend.subscriptionId}/resourceGroups/${backend.resourceGroupName}/providers/Microsoft.DesktopVirtualization/hostPools/${backend.hostPoolName}`;
/** Waits (a few ms at a time, at most 2 s) for something the emulator does on a real timer. */
async function until(condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 2000) throw new Error("condition not reached within 2 s");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
const vmPath = (i: number): string => backend.listVms()[i]!.resourceId;
type Page = { value: Array<{ name: string }>; nextLink?: string };

describe("ARM emulator: resources and protocols", () => {
  it("pages lists with absolute nextLinks that carry the api-version", async () => {
    const names: string[] = [];
    let res = await armRequest(emulator, "GET", `${pool()}/userSessions`, { query: { "api-version": DV } });
    let pages = 0;
    for (;;) {
      pages++;
      const page = res.body as Page;
      expect(page.value.length).toBeLessThanOrEqual(2);
      names.push(...page.value.map((v) => v.name));
      if (!page.nextLink) break;
      expect(page.nextLink.startsWith(`${emulator.url}/subscriptions/`)).toBe(true);
      expect(new URL(page.nextLink).searchParams.get("api-version")).toBe(DV);
      res = await armRequest(emulator, "GET", page.nextLink);
    }
    expect(pages).toBe(5);
    expect(new Set(names).size).toBe(10);
    expect(names[0]).toBe(`${backend.hostPoolName}/avd-0.corp.contoso.com/1`);
  });

  it("filters the pool's user sessions with $filter and keeps the filter in nextLink", async () => {
    const res = await armRequest(emulator, "GET", `${pool()}/userSessions`, {
      query: { "api-version": DV, $filter: "sessionState eq 'Disconnected'", pageSize: "1" },
    });
    const page = res.body as Page;
    expect(page.value).toHaveLength(1);
    expect(new URL(page.nextLink!).searchParams.get("$filter")).toBe("sessionState eq 'Disconnected'");
  });

  it("runs a deallocate as a long-running operation: 202, Azure-AsyncOperation and Location, then polls", async () => {
    emulator.lro.pollsToComplete = 3;
    const accepted = await armRequest(emulator, "POST", `${vmPath(0)}/deallocate`, {
      query: { "api-version": VM_V },
    });
    expect(accepted.status).toBe(202);
    const status = accepted.headers["azure-asyncoperation"]!;
    const location = accepted.headers["location"]!;
    expect(status.startsWith(emulator.url)).toBe(true);
    expect(new URL(location).searchParams.get("api-version")).toBe(VM_V);
    expect(backend.getVm(vmPath(0))!.powerState).toBe("deallocating");

    const first = await armRequest(emulator, "GET", status);
    expect(first).toMatchObject({ status: 200, body: { status: "InProgress" } });
    const monitor = await armRequest(emulator, "GET", location);
    expect(monitor.status).toBe(202);
    expect(backend.getVm(vmPath(0))!.powerState).toBe("deallocating");
    const done = await armRequest(emulator, "GET", status);
    expect(done).toMatchObject({ status: 200, body: { status: "Succeeded" } });
    expect(backend.getVm(vmPath(0))!.powerState).toBe("deallocated");
    expect((await armRequest(emulator, "GET", location)).status).toBe(200);

    const view = await armRequest(emulator, "GET", `${vmPath(0)}/instanceView`, {
      query: { "api-version": VM_V },
    });
    expect((view.body as { statuses: Array<{ code: string }> }).statuses.map((s) => s.code)).toContain(
      "PowerState/deallocated",
    );
  });

  it("returns no etag on a host pool, ignores If-Match (off-specification), and replaces tags whole", async () => {
    backend.setHostPoolTags({ costCenter: "42" });
    const got = await armRequest(emulator, "GET", pool(), { query: { "api-version": DV } });
    expect(got.headers["etag"]).toBeUndefined();
    expect((got.body as Record<string, unknown>)["etag"]).toBeUndefined();
    const first = await armRequest(emulator, "PATCH", pool(), {
      query: { "api-version": DV },
      body: { tags: { a: "1" } },
    });
    expect(first.status).toBe(200);
    expect((first.body as Record<string, unknown>)["etag"]).toBeUndefined();
    // Whatever If-Match says, the service applies the PATCH: last writer wins.
    const second = await armRequest(emulator, "PATCH", pool(), {
      query: { "api-version": DV },
      body: { tags: { a: "2" } },
      headers: { "If-Match": '"some-stale-etag"' },
    });
    expect(second.status).toBe(200);
    expect(backend.hostPoolTags()).toEqual({ a: "2" });
    expect(emulator.log.violations().map((v) => v.violation)).toEqual([
      "HostPools_Update defines no 'if-match' header; the service ignores it",
    ]);
  });

  it("answers a Canceled long-running operation as ARM does, and changes nothing", async () => {
    emulator.lro.pollsToComplete = 1;
    emulator.faults.inject({
      routes: ["VirtualMachines_Deallocate"],
      times: 1,
      action: {
        kind: "lroFailed",
        status: "Canceled",
        code: "OperationPreempted",
        message: "Operation execution has been preempted by a more recent operation.",
      },
    });
    const accepted = await armRequest(emulator, "POST", `${vmPath(0)}/deallocate`, {
      query: { "api-version": VM_V },
    });
    expect(accepted.status).toBe(202);
    const status = await armRequest(emulator, "GET", accepted.headers["azure-asyncoperation"]!);
    expect(status).toMatchObject({
      status: 200,
      body: { status: "Canceled", error: { code: "OperationPreempted" } },
    });
    expect((status.body as { endTime?: string }).endTime).toBeDefined();
    expect(backend.getVm(vmPath(0))!.powerState).not.toBe("deallocated");
  });

  it.each([
    ["Delete", false],
    ["Detach", true],
  ] as const)(
    "deletes a VM's NIC and OS disk with it when their deleteOption is %s",
    async (deleteOption, remain) => {
      const { vmResourceId } = backend.addHost({ host: "avd-7", deleteOption });
      const vm = backend.getVm(vmResourceId)!;
      const got = await armRequest(emulator, "GET", vmResourceId, { query: { "api-version": VM_V } });
      const props = (
        got.body as {
          properties: {
            storageProfile: { osDisk: { deleteOption: string } };
            networkProfile: { networkInterfaces: Array<{ properties: { deleteOption: string } }> };
          };
        }
      ).properties;
      expect(props.storageProfile.osDisk.deleteOption).toBe(deleteOption);
      expect(props.networkProfile.networkInterfaces[0]!.properties.deleteOption).toBe(deleteOption);

      emulator.lro.pollsToComplete = 1;
      const accepted = await armRequest(emulator, "DELETE", vmResourceId, { query: { "api-version": VM_V } });
      expect(accepted.status).toBe(202);
      await armRequest(emulator, "GET", accepted.headers["azure-asyncoperation"]!);
      expect(backend.getVm(vmResourceId)).toBeUndefined();
      expect(backend.nicExists(vm.nicIds[0]!)).toBe(remain);
      expect(backend.diskExists(vm.osDiskId)).toBe(remain);
    },
  );

  it("enforces ARM's tag limits: 256-character values, 50 tags", async () => {
    const long = await armRequest(emulator, "PATCH", pool(), {
      query: { "api-version": DV },
      body: { tags: { record: "x".repeat(257) } },
    });
    expect(long.status).toBe(400);
    expect((long.body as { error: { code: string } }).error.code).toBe("InvalidTagValueLength");
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`t${i}`, "v"]));
    expect(
      (await armRequest(emulator, "PATCH", pool(), { query: { "api-version": DV }, body: { tags: many } }))
        .status,
    ).toBe(400);
    expect(backend.hostPoolTags()).toEqual({});
  });

  it("issues a registration token only for 1 hour to 30 days ahead", async () => {
    const patch = (ms: number) =>
      armRequest(emulator, "PATCH", pool(), {
        query: { "api-version": DV },
        body: {
          properties: {
            registrationInfo: {
              expirationTime: new Date(Date.now() + ms).toISOString(),
              registrationTokenOperation: "Update",
            },
          },
        },
      });
    expect((await patch(30 * 60_000)).status).toBe(400);
    expect((await patch(31 * 24 * HOUR)).status).toBe(400);
    expect(backend.registration().token).toBeNull();
    expect((await patch(2 * HOUR)).status).toBe(200);
    const token = await armRequest(emulator, "POST", `${pool()}/retrieveRegistrationToken`, {
      query: { "api-version": DV },
    });
    expect((token.body as { token: string }).token).toBe(backend.registration().token);
    // GET does not hand the token out.
    const got = await armRequest(emulator, "GET", pool(), { query: { "api-version": DV } });
    expect(
      (got.body as { properties: { registrationInfo: { token: unknown } } }).properties.registrationInfo
        .token,
    ).toBeNull();
  });

  it("refuses to delete a NIC or disk a VM still holds, and deletes them once it is gone", async () => {
    const vm = backend.getVm(vmPath(1))!;
    const nic = await armRequest(emulator, "DELETE", vm.nicIds[0]!, {
      query: { "api-version": "2026-01-01" },
    });
    expect(nic.status).toBe(400);
    expect((nic.body as { error: { code: string } }).error.code).toBe("NicInUse");
    const disk = await armRequest(emulator, "DELETE", vm.osDiskId, {
      query: { "api-version": "2026-03-02" },
    });
    expect(disk.status).toBe(409);

    backend.deleteVm(vm.resourceId);
    emulator.lro.pollsToComplete = 1;
    const accepted = await armRequest(emulator, "DELETE", vm.nicIds[0]!, {
      query: { "api-version": "2026-01-01" },
    });
    expect(accepted.status).toBe(202);
    await armRequest(emulator, "GET", accepted.headers["azure-asyncoperation"]!);
    expect(backend.nicExists(vm.nicIds[0]!)).toBe(false);
  });

  it("answers deletes of what does not exist with 204", async () => {
    const gone = `${pool()}/sessionHosts/avd-9.corp.contoso.com`;
    expect(
      (await armRequest(emulator, "DELETE", gone, { query: { "api-version": DV, force: "true" } })).status,
    ).toBe(204);
    const vm = vmPath(2).replace(/avd-2-vm$/, "avd-9-vm");
    expect((await armRequest(emulator, "DELETE", vm, { query: { "api-version": VM_V } })).status).toBe(204);
    const session = `${pool()}/sessionHosts/avd-2.corp.contoso.com/userSessions/999`;
    expect(
      (await armRequest(emulator, "DELETE", session, { query: { "api-version": DV, force: "true" } })).status,
    ).toBe(204);
  });

  it("refuses to remove a session host with sessions unless forced", async () => {
    const host = `${pool()}/sessionHosts/avd-3.corp.contoso.com`;
    expect((await armRequest(emulator, "DELETE", host, { query: { "api-version": DV } })).status).toBe(400);
    expect(
      (await armRequest(emulator, "DELETE", host, { query: { "api-version": DV, force: "true" } })).status,
    ).toBe(200);
  });

  it("injects faults per route with skip and times, with Retry-After in seconds, as a date or in ms", async () => {
    const list = `${pool()}/sessionHosts`;
    emulator.faults.inject({
      routes: ["SessionHosts_List"],
      skip: 1,
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 7 } },
    });
    emulator.faults.inject({
      routes: ["HostPools_Get"],
      times: 1,
      action: { kind: "status", status: 503, retryAfter: { httpDate: new Date(Date.UTC(2030, 0, 1)) } },
    });
    emulator.faults.inject({
      routes: ["UserSessions_ListByHostPool"],
      times: 1,
      action: { kind: "throttle", retryAfter: { milliseconds: 250 } },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(await armRequest(emulator, "GET", list, { query: { "api-version": DV } }));
    expect(statuses.map((r) => r.status)).toEqual([200, 429, 200]);
    expect(statuses[1]!.headers["retry-after"]).toBe("7");
    const date = await armRequest(emulator, "GET", pool(), { query: { "api-version": DV } });
    expect(date.status).toBe(503);
    expect(date.headers["retry-after"]).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
    const ms = await armRequest(emulator, "GET", `${pool()}/userSessions`, { query: { "api-version": DV } });
    expect(ms.headers["x-ms-retry-after-ms"]).toBe("250");
    expect(emulator.log.all().map((r) => r.fault ?? "-")).toEqual([
      "-",
      "throttle",
      "-",
      "status",
      "throttle",
    ]);
  });

  it("applies a late write after the caller was told it timed out", async () => {
    emulator.faults.inject({
      routes: ["SessionHosts_Update"],
      times: 1,
      action: { kind: "lateApply", applyAfterMs: 300, respond: "gatewayTimeout" },
    });
    const host = `${pool()}/sessionHosts/avd-4.corp.contoso.com`;
    const res = await armRequest(emulator, "PATCH", host, {
      query: { "api-version": DV },
      body: { properties: { allowNewSession: false } },
    });
    expect(res.status).toBe(504);
    expect(backend.sessionHost("avd-4.corp.contoso.com")!.allowNewSession).toBe(true);
    await until(() => !backend.sessionHost("avd-4.corp.contoso.com")!.allowNewSession);
    expect(backend.sessionHost("avd-4.corp.contoso.com")!.allowNewSession).toBe(false);
  });

  it("hangs a write, drops the connection, and applies the write later", async () => {
    emulator.faults.inject({
      routes: ["SessionHosts_Update"],
      times: 1,
      action: { kind: "lateApply", applyAfterMs: 1, respond: "hang", hangMs: 5 },
    });
    const host = `${pool()}/sessionHosts/avd-1.corp.contoso.com`;
    const outcome = await armRequest(emulator, "PATCH", host, {
      query: { "api-version": DV },
      body: { properties: { allowNewSession: false } },
    }).then(
      (res) => `status ${res.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(outcome).toBe("ECONNRESET");
    expect(backend.sessionHost("avd-1.corp.contoso.com")!.allowNewSession).toBe(false);
  });

  it("applies a write and loses its answer, or applies it and answers an error anyway", async () => {
    const host = (i: number): string => `${pool()}/sessionHosts/avd-${i}.corp.contoso.com`;
    emulator.faults.inject({ routes: ["SessionHosts_Update"], times: 1, action: { kind: "lostResponse" } });
    const lost = await armRequest(emulator, "PATCH", host(2), {
      query: { "api-version": DV },
      body: { properties: { allowNewSession: false } },
    }).then(
      (res) => `status ${res.status}`,
      (error: NodeJS.ErrnoException) => error.code ?? error.message,
    );
    expect(lost).toBe("ECONNRESET");
    expect(backend.sessionHost("avd-2.corp.contoso.com")!.allowNewSession).toBe(false);

    emulator.faults.inject({
      routes: ["SessionHosts_Update"],
      times: 1,
      action: { kind: "status", status: 500, afterApply: true },
    });
    const failed = await armRequest(emulator, "PATCH", host(3), {
      query: { "api-version": DV },
      body: { properties: { allowNewSession: false } },
    });
    expect(failed.status).toBe(500);
    expect(backend.sessionHost("avd-3.corp.contoso.com")!.allowNewSession).toBe(false);
  });

  it("is trusted through its own certificate only: TLS verification stays on", async () => {
    const untrusted = await new Promise<string>((resolve) => {
      const req = request(`${emulator.url}${pool()}?api-version=${DV}`, { method: "GET" }, () =>
        resolve("connected"),
      );
      req.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end();
    });
    expect(untrusted).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  });
});
