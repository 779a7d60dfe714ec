/**
 * The adapters' resilience over HTTPS against the emulator's injected faults: Retry-After in
 * its three forms on 429 and 503, jittered backoff on 5xx, network resets, per-attempt
 * timeouts, bounded retries, no blind repeat of a message, and errors that name the call.
 * Delays are recorded by the harness, never slept.
 */
import type { DesktopVirtualizationAPIClient } from "@azure/arm-desktopvirtualization";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AzureHostPoolAdapter } from "../../../automation/azure/hostPoolAdapter";
import { PortError } from "../../../automation/core/errors";
import { type Harness, startHarness } from "./harness";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
  for (let i = 0; i < 3; i++)
    h.backend.addHost({ host: `avdprod-${i}`, sessions: [{ user: `u${i}@contoso.com` }] });
});

afterEach(async () => {
  const violations = h.emulator.log.violations();
  await h.close();
  expect(violations).toEqual([]);
});

describe("throttling", () => {
  it("waits the Retry-After seconds of a 429 and then succeeds", async () => {
    h.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 7 } },
    });
    expect(await h.ports.hostPool.listSessionHosts()).toHaveLength(3);
    expect(h.retries).toEqual([
      expect.objectContaining({
        attempt: 1,
        delayMs: 7_000,
        reason: "HTTP 429 TooManyRequests",
        method: "GET",
      }),
    ]);
  });

  it("waits until the HTTP date of a Retry-After", async () => {
    const at = new Date(Date.now() + 20_000);
    h.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      times: 1,
      action: { kind: "throttle", retryAfter: { httpDate: at } },
    });
    await h.ports.hostPool.listSessionHosts();
    expect(h.retries).toHaveLength(1);
    // An HTTP date has whole seconds: the wait is the rest of those 20 s.
    expect(h.retries[0].delayMs).toBeGreaterThan(15_000);
    expect(h.retries[0].delayMs).toBeLessThanOrEqual(20_000);
  });

  it("prefers ARM's x-ms-retry-after-ms", async () => {
    h.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      times: 1,
      action: { kind: "throttle", retryAfter: { milliseconds: 1_234 } },
    });
    await h.ports.hostPool.listSessionHosts();
    expect(h.retries.map((r) => r.delayMs)).toEqual([1_234]);
  });

  it("honours Retry-After on a 503 too", async () => {
    h.emulator.faults.inject({
      routes: ["UserSessions_ListByHostPool"],
      times: 1,
      action: { kind: "status", status: 503, retryAfter: { seconds: 2 } },
    });
    expect(await h.ports.hostPool.listUserSessions()).toHaveLength(3);
    expect(h.retries.map((r) => [r.delayMs, r.reason])).toEqual([[2_000, "HTTP 503 ServiceUnavailable"]]);
  });

  it("hands a throttle asking for longer than the cap back as a transient error", async () => {
    h.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      action: { kind: "throttle", retryAfter: { seconds: 3_600 } },
    });
    const error = await h.ports.hostPool.listSessionHosts().catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "transient",
      code: "TooManyRequests",
      operation: "hostPool.listSessionHosts(hp-test)",
    });
    expect(h.retries).toEqual([]);
  });

  it("retries a throttled message after Retry-After (the request was not processed)", async () => {
    const [session] = await h.ports.hostPool.listUserSessions("avdprod-0.corp.contoso.com");
    h.emulator.faults.inject({
      routes: ["UserSessions_SendMessage"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 1 } },
    });
    await h.ports.hostPool.sendMessage("avdprod-0.corp.contoso.com", session.id, "t", "b");
    expect(h.backend.messages).toHaveLength(1);
  });
});

describe("server errors and network failures", () => {
  it("retries 5xx with growing jittered backoff and succeeds", async () => {
    h.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      times: 3,
      action: { kind: "status", status: 500 },
    });
    expect(await h.ports.hostPool.listSessionHosts()).toHaveLength(3);
    const delays = h.retries.map((r) => r.delayMs);
    expect(delays).toHaveLength(3);
    // retryDelayMs 500: retry i waits within [250·2^i, 500·2^i].
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual(250 * 2 ** i);
      expect(d).toBeLessThanOrEqual(500 * 2 ** i);
    });
  });

  it("gives up after the bounded number of retries with a transient error naming the call", async () => {
    h.emulator.faults.inject({ routes: ["SessionHosts_Update"], action: { kind: "status", status: 502 } });
    const error = await h.ports.hostPool
      .setDrainMode("avdprod-1.corp.contoso.com", true)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({
      kind: "transient",
      code: "BadGateway",
      operation: "hostPool.setDrainMode(avdprod-1.corp.contoso.com)",
    });
    // One budget for the call: 5 PATCHes in all, not 5 verification rounds of 5 tries each.
    expect(h.emulator.log.byRoute("SessionHosts_Update")).toHaveLength(5);
  });

  it("retries a connection reset", async () => {
    h.emulator.faults.inject({ routes: ["SessionHosts_List"], times: 1, action: { kind: "reset" } });
    expect(await h.ports.hostPool.listSessionHosts()).toHaveLength(3);
    expect(h.retries).toHaveLength(1);
  });

  it("times out a slow attempt and retries it", async () => {
    await h.close();
    h = await startHarness({ retry: { attemptTimeoutMs: 500 } });
    h.backend.addHost({ host: "avdprod-0" });
    h.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      times: 1,
      action: { kind: "delay", ms: 5_000 },
    });
    expect(await h.ports.hostPool.listSessionHosts()).toHaveLength(1);
    expect(h.retries).toHaveLength(1);
  });

  it("does not repeat a message after an ambiguous 500 (it may have been shown)", async () => {
    const [session] = await h.ports.hostPool.listUserSessions("avdprod-0.corp.contoso.com");
    h.emulator.faults.inject({
      routes: ["UserSessions_SendMessage"],
      times: 1,
      action: { kind: "status", status: 500 },
    });
    const error = await h.ports.hostPool
      .sendMessage("avdprod-0.corp.contoso.com", session.id, "t", "b")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "transient",
      operation: `hostPool.sendMessage(avdprod-0.corp.contoso.com/${session.id})`,
    });
    expect(h.emulator.log.byRoute("UserSessions_SendMessage")).toHaveLength(1);
  });

  it("does not retry a 400, and calls it permanent", async () => {
    h.emulator.faults.inject({
      routes: ["SessionHosts_Delete"],
      action: { kind: "status", status: 400, code: "InvalidParameter" },
    });
    const error = await h.ports.hostPool
      .removeSessionHost("avdprod-2.corp.contoso.com")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      kind: "permanent",
      code: "InvalidParameter",
      operation: "hostPool.removeSessionHost(avdprod-2.corp.contoso.com)",
    });
    expect(h.retries).toEqual([]);
  });

  it("calls a 403 permanent", async () => {
    h.emulator.faults.inject({
      routes: ["UserSessions_Delete"],
      action: { kind: "status", status: 403, code: "AuthorizationFailed" },
    });
    await expect(h.ports.hostPool.signOut("avdprod-0.corp.contoso.com", "1")).rejects.toMatchObject({
      kind: "permanent",
      code: "AuthorizationFailed",
      operation: "hostPool.signOut(avdprod-0.corp.contoso.com/1)",
    });
  });
});

describe("bounded concurrency of bulk calls", () => {
  it("keeps at most bulkConcurrency messages and sign-outs in flight", async () => {
    let inFlight = 0;
    let peak = 0;
    const track = async (): Promise<void> => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
    };
    const client = {
      userSessions: { sendMessage: track, delete: track },
    } as unknown as DesktopVirtualizationAPIClient;
    const adapter = new AzureHostPoolAdapter(
      client,
      { name: "hp", resourceGroupName: "rg" },
      { bulkConcurrency: 3 },
    );
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => adapter.sendMessage("h", String(i), "t", "b")),
      ...Array.from({ length: 10 }, (_, i) => adapter.signOut("h", String(i))),
    ]);
    expect(peak).toBe(3);
  });
});
