/**
 * The retry budget's rules on their own (automation/core/retryBudget.ts); the same budget seen
 * through the Azure adapters and the emulator is in test/azure/retryBudget.fullstack.test.ts.
 */
import { describe, expect, it } from "vitest";
import { PortError } from "../../automation/core/errors";
import {
  type FailureFacts,
  RetryBudget,
  activeBudget,
  failureFacts,
  runWithBudget,
} from "../../automation/core/retryBudget";
import { retryTransient } from "../../automation/core/retryingPorts";
import type { Clock } from "../../automation/core/ports";

const POLICY = {
  tries: 4,
  firstDelayMs: 1_000,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 60_000,
  maxTotalWaitMs: 100_000,
};
const fivexx: FailureFacts = { transient: true, mayHaveApplied: true, reason: "HTTP 500" };
const throttled = (retryAfterMs?: number): FailureFacts => ({
  transient: true,
  mayHaveApplied: false,
  reason: "HTTP 429",
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

describe("retry budget", () => {
  it("backs off exponentially, capped, for the policy's tries in all", () => {
    const budget = new RetryBudget("idempotent", POLICY);
    const delays = [1, 2, 3, 4].map(() => budget.decide(fivexx));
    expect(delays).toEqual([
      { retry: true, delayMs: 1_000, reason: "HTTP 500" },
      { retry: true, delayMs: 2_000, reason: "HTTP 500" },
      { retry: true, delayMs: 4_000, reason: "HTTP 500" },
      { retry: false, reason: expect.stringContaining("4 attempts") as string },
    ]);
  });

  it("never repeats an at-most-once call after a failure that may have applied, and closes for every layer", () => {
    const budget = new RetryBudget("atMostOnce", POLICY);
    expect(budget.decide(fivexx)).toMatchObject({ retry: false });
    // Even a throttle after that: the call is over.
    expect(budget.decide(throttled(1_000))).toMatchObject({ retry: false });
    expect(budget.closedReason).toMatch(/never repeated/);
  });

  it("lets a read inside an at-most-once call be repeated: it applies nothing", () => {
    const budget = new RetryBudget("atMostOnce", POLICY);
    expect(budget.decide(fivexx, { readOnly: true })).toMatchObject({ retry: true, delayMs: 1_000 });
    expect(budget.decide(fivexx)).toMatchObject({ retry: false });
  });

  it("repeats an at-most-once call after a failure that certainly did not apply, at Retry-After", () => {
    const budget = new RetryBudget("atMostOnce", POLICY);
    expect(budget.decide(throttled(7_000))).toEqual({ retry: true, delayMs: 7_000, reason: "HTTP 429" });
  });

  it("hands a Retry-After longer than the in-place limit up instead of waiting", () => {
    const budget = new RetryBudget("idempotent", POLICY);
    expect(budget.decide(throttled(120_000))).toMatchObject({ retry: false });
    expect(budget.closedReason).toMatch(/120000 ms/);
  });

  it("stops when the total wait would exceed its limit", () => {
    const budget = new RetryBudget("idempotent", { ...POLICY, tries: 10, maxTotalWaitMs: 50_000 });
    expect(budget.decide(throttled(30_000))).toMatchObject({ retry: true });
    expect(budget.decide(throttled(30_000))).toMatchObject({ retry: false });
  });

  it("does not spend or close itself on a permanent failure (the caller may handle it)", () => {
    const budget = new RetryBudget("idempotent", POLICY);
    expect(budget.decide({ transient: false, mayHaveApplied: false, reason: "HTTP 404" })).toMatchObject({
      retry: false,
    });
    expect(budget.closedReason).toBeUndefined();
    expect(budget.decide(fivexx)).toMatchObject({ retry: true, delayMs: 1_000 });
  });

  it("reads the facts of a PortError, inferring 'not applied' only for throttling", () => {
    expect(failureFacts(new PortError("transient", "op", "429", "TooManyRequests"))).toMatchObject({
      transient: true,
      mayHaveApplied: false,
    });
    expect(failureFacts(new PortError("transient", "op", "reset", "ECONNRESET"))).toMatchObject({
      mayHaveApplied: true,
    });
    expect(failureFacts(new PortError("transient", "op", "x", "X", { retryAfterMs: 5 }))).toMatchObject({
      retryAfterMs: 5,
    });
    expect(failureFacts(new TypeError("bug"))).toMatchObject({ transient: false });
  });
});

describe("nested wrappers share one budget", () => {
  it("an inner retry joins the outer call's budget instead of multiplying it", async () => {
    const clock: Pick<Clock, "sleep"> = { sleep: async () => undefined };
    let calls = 0;
    const fail = async (): Promise<never> => {
      calls++;
      throw new PortError("transient", "op", "503", "ServiceUnavailable");
    };
    await expect(
      retryTransient(clock, { tries: 3, firstDelayMs: 1 }, () =>
        retryTransient(clock, { tries: 3, firstDelayMs: 1 }, fail),
      ),
    ).rejects.toBeInstanceOf(PortError);
    expect(calls).toBe(3);
  });

  it("the budget is visible inside the call and gone outside it", async () => {
    const budget = new RetryBudget("idempotent", POLICY);
    expect(activeBudget()).toBeUndefined();
    const seen = await runWithBudget(budget, async () => {
      await Promise.resolve();
      return activeBudget();
    });
    expect(seen).toBe(budget);
    expect(activeBudget()).toBeUndefined();
  });
});
