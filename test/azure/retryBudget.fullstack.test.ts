/**
 * One retry budget per call, through the full stack: the driver's port wrapper around the Azure
 * adapters (their own wrapper, their HTTP retry policy) over HTTPS to the ARM emulator, on
 * virtual time (support/virtualTimeStack.ts), so the emulator's log says when each request came.
 *
 * - A message reaches the service at most once per call, whatever fails: 5xx, resets, timeouts,
 *   lost answers. Only a throttled (429) message, which certainly did not apply, is sent again.
 * - A persistent failure costs the budget's attempts in all (5), not the product of each layer's.
 * - No request is sent before Retry-After has passed (seconds or an HTTP date) — not by the
 *   throttled call, not by any other call of the same kind, not by a caller that retries early.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PortError } from "../../automation/core/errors";
import { DEFAULT_RETRY_BUDGET } from "../../automation/core/retryBudget";
import type { FaultAction } from "./emulator/faults";
import type { LoggedRequest } from "./emulator/request-log";
import { sampleRecord } from "./contract/records";
import { type VirtualTimeStack, startVirtualTimeStack } from "./support/virtualTimeStack";

const TRIES = DEFAULT_RETRY_BUDGET.tries;
let s: VirtualTimeStack;
let host: string;
let session: string;

beforeEach(async () => {
  s = await startVirtualTimeStack();
  host = s.backend.addHost({ host: "avdprod-0", sessions: [{ user: "ada@contoso.com" }] }).sessionHostName;
  s.backend.addHost({ host: "avdprod-1", sessions: [{ user: "bob@contoso.com" }] });
  session = s.backend.listUserSessions(host)[0]!.id;
});

afterEach(async () => {
  const violations = s.emulator.log.violations();
  await s.close();
  expect(violations).toEqual([]);
});

const requests = (route: string): LoggedRequest[] => s.emulator.log.byRoute(route);

describe("a message is sent at most once per session, whatever fails", () => {
  it.each<[string, FaultAction, number]>([
    ["a persistent 500", { kind: "status", status: 500 }, 0],
    ["a persistent 502", { kind: "status", status: 502 }, 0],
    ["a persistent 503 without Retry-After", { kind: "status", status: 503 }, 0],
    ["a 503 with Retry-After", { kind: "status", status: 503, retryAfter: { seconds: 1 } }, 0],
    ["a persistent 504", { kind: "status", status: 504 }, 0],
    ["a 500 after the message was shown", { kind: "status", status: 500, afterApply: true }, 1],
    ["a connection reset", { kind: "reset" }, 0],
    ["an answer lost after the message was shown", { kind: "lostResponse" }, 1],
    ["a timeout (no answer within the attempt timeout)", { kind: "delay", ms: 1_500 }, 1],
  ])("%s: one POST, reported as a transient failure that may have applied", async (_name, action, shown) => {
    s.emulator.faults.inject({ routes: ["UserSessions_SendMessage"], action });
    const error = await s.failure(() => s.hostPool.sendMessage(host, session, "Update", "Save your work"));
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({ kind: "transient", mayHaveApplied: true });
    expect(requests("UserSessions_SendMessage")).toHaveLength(1);
    // The emulator finishes a request whose client gave up (a timeout) in real time.
    await waitFor(() => requests("UserSessions_SendMessage")[0]!.status !== 0 || action.kind !== "delay");
    expect(s.backend.messages).toHaveLength(shown);
  });

  it("a throttled message (certainly not shown) is sent again after Retry-After, and shown once", async () => {
    s.emulator.faults.inject({
      routes: ["UserSessions_SendMessage"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 20 } },
    });
    await s.run(() => s.hostPool.sendMessage(host, session, "Update", "Save your work"));
    const [throttled, sent] = requests("UserSessions_SendMessage");
    expect([throttled!.status, sent!.status]).toEqual([429, 200]);
    expect(sent!.at - throttled!.at).toBeGreaterThanOrEqual(20_000);
    expect(s.backend.messages).toHaveLength(1);
  });
});

describe("one budget for each call across the layers", () => {
  it("a persistent 503 on a read costs the budget's attempts, not one budget per layer", async () => {
    s.emulator.faults.inject({ routes: ["SessionHosts_List"], action: { kind: "status", status: 503 } });
    const error = await s.failure(() => s.hostPool.listSessionHosts());
    expect(error).toMatchObject({ kind: "transient", code: "ServiceUnavailable" });
    expect(requests("SessionHosts_List")).toHaveLength(TRIES);
    // Backoff between them: 2, 4, 8 and 16 s.
    const at = requests("SessionHosts_List").map((r) => r.at - s.clock.now());
    expect(at.map((t, i) => (i === 0 ? 0 : t - at[i - 1]!))).toEqual([0, 2_000, 4_000, 8_000, 16_000]);
  });

  it("a persistent 500 on a deallocation sends the POST as many times as the budget allows", async () => {
    const vm = s.backend.listVms()[0]!.resourceId;
    s.emulator.faults.inject({
      routes: ["VirtualMachines_Deallocate"],
      action: { kind: "status", status: 500 },
    });
    await expect(s.run(() => s.compute.deallocate(vm))).rejects.toMatchObject({ kind: "transient" });
    expect(requests("VirtualMachines_Deallocate")).toHaveLength(TRIES);
  });

  it("a persistent 502 on drain costs the budget's PATCHes, not verification rounds times retries", async () => {
    s.emulator.faults.inject({ routes: ["SessionHosts_Update"], action: { kind: "status", status: 502 } });
    await expect(s.run(() => s.hostPool.setDrainMode(host, true))).rejects.toMatchObject({
      kind: "transient",
    });
    expect(requests("SessionHosts_Update")).toHaveLength(TRIES);
  });

  it("a record write (at most once) still retries its own reads: they apply nothing", async () => {
    // The read that confirms the write fails twice before it answers.
    s.emulator.faults.inject({
      routes: ["HostPools_Get"],
      skip: 1,
      times: 2,
      action: { kind: "status", status: 503 },
    });
    const token = await s.run(() => s.hostPool.writeRecord(sampleRecord("r-1"), null));
    expect((await s.run(() => s.hostPool.readRecord())).etag).toBe(token);
    expect(requests("HostPools_Update")).toHaveLength(1);
    expect(requests("HostPools_Get").map((r) => r.status)).toEqual([200, 503, 503, 200, 200]);
  });

  it("a record write whose answer was lost is not sent again, and is found applied", async () => {
    s.emulator.faults.inject({ routes: ["HostPools_Update"], times: 1, action: { kind: "lostResponse" } });
    const token = await s.run(() => s.hostPool.writeRecord(sampleRecord("r-1"), null));
    expect((await s.run(() => s.hostPool.readRecord())).etag).toBe(token);
    expect(requests("HostPools_Update")).toHaveLength(1);
  });

  it("a quota refusal is not retried at all, and says what to fix", async () => {
    const vm = s.backend.listVms()[0]!.resourceId;
    s.emulator.faults.inject({
      routes: ["VirtualMachines_Start"],
      action: {
        kind: "status",
        status: 409,
        code: "OperationNotAllowed",
        message:
          "Operation could not be completed as it results in exceeding approved standardDADSv5Family Cores quota.",
      },
    });
    const error = await s.failure(() => s.compute.start(vm));
    expect(error).toMatchObject({ kind: "permanent", code: "OperationNotAllowed" });
    expect((error as PortError).message).toMatch(/Fix: .*quota/);
    expect(requests("VirtualMachines_Start")).toHaveLength(1);
  });
});

describe("no request before Retry-After", () => {
  it("waits a Retry-After in seconds in place", async () => {
    s.emulator.faults.inject({
      routes: ["SessionHosts_List"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 45 } },
    });
    expect(await s.run(() => s.hostPool.listSessionHosts())).toHaveLength(2);
    const [throttled, next] = requests("SessionHosts_List");
    expect(next!.at - throttled!.at).toBeGreaterThanOrEqual(45_000);
  });

  it.each<[string, (now: number) => FaultAction]>([
    ["in seconds", () => ({ kind: "throttle", retryAfter: { seconds: 120 } })],
    ["as an HTTP date", (now) => ({ kind: "throttle", retryAfter: { httpDate: new Date(now + 120_000) } })],
  ])(
    "hands a Retry-After longer than the in-place limit (%s) up with the error, and sends nothing before it",
    async (_name, throttle) => {
      s.emulator.faults.inject({ routes: ["SessionHosts_List"], times: 1, action: throttle(s.clock.now()) });
      const first = await s.failure(() => s.hostPool.listSessionHosts());
      expect(first).toMatchObject({ kind: "transient", code: "TooManyRequests", mayHaveApplied: false });
      const throttledAt = requests("SessionHosts_List")[0]!.at;
      expect((first as PortError).retryAfterMs).toBeGreaterThan(115_000);

      // A caller that comes back early (a driver's short backoff, another step's read) is refused
      // without a request, and told how long is left.
      await s.clock.advance(5_000);
      const early = await s.failure(() => s.hostPool.listUserSessions());
      expect(early).toMatchObject({ kind: "transient", mayHaveApplied: false });
      expect((early as PortError).retryAfterMs).toBeGreaterThan(110_000);
      expect((early as PortError).retryAfterMs).toBeLessThanOrEqual(115_000);
      // Every client of the principal: the compute client's reads too.
      const vm = s.backend.listVms()[0]!.resourceId;
      await expect(s.run(() => s.compute.getPowerState(vm))).rejects.toMatchObject({
        kind: "transient",
        code: "TooManyRequests",
      });
      // Within the in-place limit of what is left, a call simply waits for it.
      await s.clock.advance(60_000);
      expect(await s.run(() => s.hostPool.listSessionHosts())).toHaveLength(2);

      const reads = s.emulator.log.all().filter((r) => r.method === "GET");
      expect(reads.length).toBeGreaterThan(1);
      for (const read of reads.slice(1)) expect(read.at - throttledAt).toBeGreaterThanOrEqual(119_000);
    },
  );

  it("holds back every other call of the same kind, not only the throttled one", async () => {
    s.emulator.faults.inject({
      routes: ["UserSessions_List"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 30 } },
    });
    const hosts = s.backend.listSessionHosts().map((h) => h.name);
    await s.run(() =>
      Promise.all([
        s.hostPool.listUserSessions(hosts[0]),
        // Calls made while the throttled one waits.
        s.clock.sleep(1_000).then(() => Promise.all(hosts.map((h) => s.hostPool.listUserSessions(h)))),
        s.clock.sleep(10_000).then(() => s.hostPool.listSessionHosts()),
      ]),
    );
    const reads = s.emulator.log.all().filter((r) => r.method === "GET");
    const [throttled, ...after] = reads;
    expect(throttled!.status).toBe(429);
    expect(after).toHaveLength(4);
    for (const read of after) expect(read.at - throttled!.at).toBeGreaterThanOrEqual(30_000);
  });

  it("does not hold writes back for a read's Retry-After (ARM counts them apart)", async () => {
    s.emulator.faults.inject({
      routes: ["UserSessions_List"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 30 } },
    });
    await s.run(() =>
      Promise.all([
        s.hostPool.listUserSessions(host),
        s.clock.sleep(1_000).then(() => s.hostPool.sendMessage(host, session, "Update", "Save your work")),
      ]),
    );
    const [throttled] = requests("UserSessions_List");
    expect(requests("UserSessions_SendMessage")[0]!.at - throttled!.at).toBe(1_000);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
