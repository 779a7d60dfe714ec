import { describe, expect, it } from "vitest";
import { BusyError, DriverCrashedError, InputError, PortError } from "../../automation/core/errors";
import { busyMessage, holdsPool, isHeartbeatStale, mayTakeOver } from "../../automation/core/lease";
import { validateParameters } from "../../automation/core/parameters";
import type { RolloutRecord } from "../../automation/core/record";
import { backoffMs, classifyError, isTransientMessage, mayRetry } from "../../automation/core/retryPolicy";
import { retryTransient } from "../../automation/core/retryingPorts";
import type { Clock } from "../../automation/core/ports";

const MIN = 60_000;

describe("retry policy", () => {
  it.each([
    ["Deployment failed: AgentRegistrationFailureGeneric", true],
    ["429 TooManyRequests", true],
    ["InternalServerError (500)", true],
    ["the operation timed out", true],
    ["InvalidParameter: vmSize is not valid", false],
    ["AuthorizationFailed", false],
  ])("%s -> transient %s", (message, transient) => {
    expect(isTransientMessage(message)).toBe(transient);
  });

  it("classifies errors: only transient port errors are retried; a crash is fatal", () => {
    expect(classifyError(new PortError("transient", "op", "429"))).toBe("transient");
    expect(classifyError(new PortError("permanent", "op", "400"))).toBe("permanent");
    expect(classifyError(new PortError("notFound", "op", "404"))).toBe("permanent");
    expect(classifyError(new DriverCrashedError())).toBe("fatal");
    expect(classifyError(new TypeError("bug"))).toBe("fatal");
  });

  it("backs off exponentially, capped, and bounds the attempts", () => {
    const policy = { baseBackoffMs: MIN, maxBackoffMs: 10 * MIN };
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, policy) / MIN)).toEqual([1, 2, 4, 8, 10, 10]);
    expect(mayRetry(2, 3)).toBe(true);
    expect(mayRetry(3, 3)).toBe(false);
  });

  it("retries transient calls in place, and never a crash", async () => {
    const slept: number[] = [];
    const clock: Clock = { now: () => 0, sleep: async (ms) => void slept.push(ms) };
    let calls = 0;
    const value = await retryTransient(clock, { tries: 4, firstDelayMs: 5 }, async () => {
      calls++;
      if (calls < 3) throw new PortError("transient", "op", "429");
      return "ok";
    });
    expect(value).toBe("ok");
    expect(slept).toEqual([5, 10]);

    let crashed = 0;
    await expect(
      retryTransient(clock, { tries: 4, firstDelayMs: 5 }, async () => {
        crashed++;
        throw new DriverCrashedError();
      }),
    ).rejects.toBeInstanceOf(DriverCrashedError);
    expect(crashed).toBe(1);

    await expect(
      retryTransient(clock, { tries: 2, firstDelayMs: 5 }, async () => {
        throw new PortError("transient", "op", "503");
      }),
    ).rejects.toBeInstanceOf(PortError);
  });
});

function record(over: Partial<RolloutRecord> = {}): RolloutRecord {
  return {
    version: 2,
    id: "rollout-1",
    status: "running",
    revision: "r2",
    params: { batchSize: 2, logOffDelayMinutes: 30, logOffMessage: "bye", deleteOriginalVm: false },
    owner: "alice@laptop",
    heartbeat: new Date(10 * MIN).toISOString(),
    startedAt: new Date(0).toISOString(),
    planned: ["a", "b"],
    hosts: {},
    ...over,
  };
}

describe("lease", () => {
  const stale = 5 * MIN;
  it("the same owner takes over at once; another only once the heartbeat is stale", () => {
    expect(mayTakeOver(record(), "alice@laptop", 11 * MIN, stale)).toEqual({ allowed: true });
    const busy = mayTakeOver(record(), "bob@ci", 11 * MIN, stale);
    expect(busy.allowed).toBe(false);
    expect(mayTakeOver(record(), "bob@ci", 16 * MIN, stale)).toEqual({ allowed: true });
    expect(isHeartbeatStale(record({ heartbeat: "garbage" }), 0, stale)).toBe(true);
  });

  it("paused and failed rollouts hold the pool; finished ones free it", () => {
    expect(holdsPool(record({ status: "paused" }))).toBe(true);
    expect(holdsPool(record({ status: "failed" }))).toBe(true);
    expect(holdsPool(record({ status: "succeeded" }))).toBe(false);
    expect(holdsPool(record({ status: "cancelled" }))).toBe(false);
    expect(holdsPool(null)).toBe(false);
  });

  it("the busy message names the holder and since when, and what to do", () => {
    const message = busyMessage(record(), 11 * MIN, stale);
    expect(message).toContain("alice@laptop");
    expect(message).toContain(new Date(0).toISOString());
    expect(busyMessage(record(), 30 * MIN, stale)).toContain("resume");
    expect(busyMessage(record({ status: "failed" }), 11 * MIN, stale)).toContain("retry");
  });
});

describe("parameters", () => {
  const policy = {
    maxVmsRemoved: 3,
    logOffDelayMinutes: 30,
    logOffMessage: "Save your work.",
    deleteOriginalVm: false,
  };
  it("takes the stack policy, overridden per run", () => {
    expect(validateParameters(policy, {}, 0)).toEqual({
      batchSize: 3,
      logOffDelayMinutes: 30,
      logOffMessage: "Save your work.",
      deleteOriginalVm: false,
    });
    const params = validateParameters(
      policy,
      { batchSize: 5, deleteOriginalVm: true, startAt: "2026-04-15T22:00:00Z" },
      0,
    );
    expect(params.batchSize).toBe(5);
    expect(params.deleteOriginalVm).toBe(true);
    expect(params.startAt).toBe("2026-04-15T22:00:00.000Z");
  });

  it("drops a start time in the past (start now)", () => {
    expect(
      validateParameters(policy, { startAt: "2020-01-01T00:00:00Z" }, Date.parse("2026-01-01")).startAt,
    ).toBeUndefined();
  });

  it.each([
    [{ batchSize: 0 }, /batch size.*got 0/],
    [{ batchSize: 1.5 }, /batch size/],
    [{ logOffDelayMinutes: 1441 }, /log-off delay.*0 to 1440.*got 1441/],
    [{ logOffDelayMinutes: -1 }, /log-off delay/],
    [{ logOffMessage: "x".repeat(261) }, /log-off message.*260.*261 characters/],
    [{ startAt: "tomorrow" }, /--at.*"tomorrow"/],
  ])("refuses %j naming the setting and the bad value", (request, pattern) => {
    expect(() => validateParameters(policy, request, 0)).toThrow(InputError);
    expect(() => validateParameters(policy, request, 0)).toThrow(pattern);
  });
});

describe("errors", () => {
  it("BusyError is distinct from InputError (exit 3 vs 2)", () => {
    expect(new BusyError("x")).not.toBeInstanceOf(InputError);
  });
});
