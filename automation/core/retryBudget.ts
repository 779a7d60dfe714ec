/**
 * The one retry budget of a port call, shared by every layer that may repeat work inside it.
 *
 * A port call can fail at several depths: an HTTP attempt (the Azure adapters' pipeline policy),
 * a step of an adapter's own protocol (a drain re-assert, a record write), the whole call (the
 * port wrapper of `retryingPorts.ts`). Each layer used to retry on its own, so their limits
 * multiplied (5 × 5 requests for a persistent 503) and an at-most-once call was repeated by the
 * layer that did not know better. Here the decision is made once, for all of them:
 *
 * - **which calls may be repeated**: an `idempotent` call after any transient failure; an
 *   `atMostOnce` call (a message shown to a user) only after a failure that certainly did not
 *   take effect (throttled, never sent) — never after a timeout, a reset, a lost response or a
 *   5xx, whatever layer sees it;
 * - **how often and how long in total**: `tries` attempts per call across all layers, and at
 *   most `maxTotalWaitMs` of waiting between them;
 * - **when**: the service's Retry-After when it gives one (waited in place up to
 *   `maxRetryAfterMs`; beyond that the call ends and the error carries `retryAfterMs` to
 *   whoever waits next), else exponential backoff.
 *
 * Once a layer is told "no" for a transient failure, the budget is closed: no outer layer retries
 * that call again. Budgets travel with the call through an AsyncLocalStorage scope, because the
 * layers (driver, port wrapper, SDK pipeline) share no call signature: the wrapper opens the
 * scope, the pipeline policy inside the SDK finds it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { PortError } from "./errors";

/** Whether a call may be repeated after a failure whose outcome is unknown. */
export type Repeatability =
  /** Repeating it has no effect beyond the first success (reads, drain, delete, deallocate). */
  | "idempotent"
  /** Its effect must not happen twice (a message shown to a user): repeated only when certainly not applied. */
  | "atMostOnce";

export interface RetryBudgetPolicy {
  /** Attempts per call across every layer, the first included. */
  tries: number;
  /** Backoff before the second attempt when the service names no Retry-After; doubles per attempt. */
  firstDelayMs: number;
  /** Upper bound of one backoff. */
  maxDelayMs: number;
  /**
   * Longest Retry-After waited in place. A longer one ends the call at once: its error carries
   * `retryAfterMs`, and the Azure adapters send nothing of that kind before it has passed.
   */
  maxRetryAfterMs: number;
  /** Total waiting between the attempts of one call. */
  maxTotalWaitMs: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetPolicy = {
  tries: 5,
  firstDelayMs: 2_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  maxTotalWaitMs: 120_000,
};

/** What a failure tells the budget. */
export interface FailureFacts {
  transient: boolean;
  /** The failed attempt may have taken effect (timeout, reset, lost response, 5xx). */
  mayHaveApplied: boolean;
  retryAfterMs?: number;
  /** For logs and tests: what happened. */
  reason: string;
}

export type RetryDecision =
  { retry: true; delayMs: number; reason: string } | { retry: false; reason: string };

/** Backoff before attempt `failures + 1` (1-based failures), optionally with "equal jitter". */
export function budgetBackoffMs(failures: number, policy: RetryBudgetPolicy, random?: () => number): number {
  const exponent = Math.max(0, Math.min(30, failures - 1));
  const delay = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** exponent);
  return random ? delay / 2 + random() * (delay / 2) : delay;
}

export class RetryBudget {
  private failures = 0;
  private waitedMs = 0;
  private closedBecause: string | undefined;

  constructor(
    readonly repeatability: Repeatability,
    readonly policy: RetryBudgetPolicy = DEFAULT_RETRY_BUDGET,
  ) {}

  /** Why the budget refuses every further retry, once it does. */
  get closedReason(): string | undefined {
    return this.closedBecause;
  }

  /**
   * Whether to try again after `failure`, and after how long. A permanent failure is simply not
   * retried (the caller may still handle it, e.g. a 404 on delete); a transient one that may not
   * be retried closes the budget for every layer of the call. `readOnly`: what failed was a read
   * made inside the call (a GET), which applies nothing whatever the call's repeatability.
   */
  decide(failure: FailureFacts, options: { random?: () => number; readOnly?: boolean } = {}): RetryDecision {
    const { random, readOnly = false } = options;
    if (!failure.transient) return { retry: false, reason: `not transient (${failure.reason})` };
    if (this.closedBecause) return { retry: false, reason: this.closedBecause };
    const close = (reason: string): RetryDecision => {
      this.closedBecause = reason;
      return { retry: false, reason };
    };
    if (this.repeatability === "atMostOnce" && failure.mayHaveApplied && !readOnly) {
      return close(`${failure.reason} may have taken effect; an at-most-once call is never repeated`);
    }
    this.failures++;
    if (this.failures >= this.policy.tries) {
      return close(`${failure.reason}; ${this.policy.tries} attempts made`);
    }
    const after = failure.retryAfterMs;
    if (after !== undefined && after > this.policy.maxRetryAfterMs) {
      return close(
        `${failure.reason}; asked to wait ${after} ms, longer than ${this.policy.maxRetryAfterMs} ms in place`,
      );
    }
    const delayMs = after ?? budgetBackoffMs(this.failures, this.policy, random);
    if (this.waitedMs + delayMs > this.policy.maxTotalWaitMs) {
      return close(
        `${failure.reason}; waiting ${delayMs} ms more would exceed ${this.policy.maxTotalWaitMs} ms in all`,
      );
    }
    this.waitedMs += delayMs;
    return { retry: true, delayMs, reason: failure.reason };
  }
}

/** The facts of any error as the budget sees them: only transient PortErrors may be retried. */
export function failureFacts(error: unknown): FailureFacts {
  if (!(error instanceof PortError)) {
    return { transient: false, mayHaveApplied: true, reason: error instanceof Error ? error.name : "error" };
  }
  return {
    transient: error.kind === "transient",
    mayHaveApplied: error.mayHaveApplied,
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    reason: error.code ?? error.kind,
  };
}

const scope = new AsyncLocalStorage<RetryBudget>();

/** The budget of the port call this code runs in, if any. */
export function activeBudget(): RetryBudget | undefined {
  return scope.getStore();
}

/** Runs `call` with `budget` as the active one (inner layers find it with {@link activeBudget}). */
export function runWithBudget<T>(budget: RetryBudget, call: () => Promise<T>): Promise<T> {
  return scope.run(budget, call);
}
