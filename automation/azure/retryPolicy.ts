/**
 * The HTTP side of the one retry budget (automation/core/retryBudget.ts): the policy the adapters
 * put in the SDK pipelines' "Retry" phase instead of @azure/core-rest-pipeline's default.
 *
 * It does not decide on its own. For each failed attempt it asks the budget of the port call it
 * runs in (opened by the port wrapper, `retryingPorts.ts`) whether and when to try again — so an
 * HTTP retry and a port-level retry draw on the same attempts and the same total wait, and a
 * message is never repeated after an ambiguous failure. Without a budget (an adapter used outside
 * its wrapper) nothing is retried. What it adds beneath the budget:
 * - the facts of each outcome (armErrors.ts): transient or not, may it have applied, Retry-After
 *   (seconds, HTTP date, `x-ms-retry-after-ms` / `retry-after-ms`);
 * - a per-attempt timeout (`request.timeout`), a timed-out attempt counting as ambiguous;
 * - a throttle gate shared by every client of one `createAzurePorts` (one principal): after a
 *   429/503 with Retry-After, no request of that kind (read or write, as ARM counts them) is sent
 *   before it has passed — waited in place up to the budget's `maxRetryAfterMs`, else refused at
 *   once with a transient error carrying the time left;
 * - single-attempt steps for the adapters' own protocols (the record write), which must not be
 *   repeated blindly nor sent late.
 * Waits use an injectable `sleep` and `now`, so tests never wait in real time.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { AbortSignalLike } from "@azure/abort-controller";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { DEFAULT_RETRY_BUDGET, type RetryBudgetPolicy, activeBudget } from "../core/retryBudget";
import { SendWindowClosedError, ThrottledLocallyError, httpFailureFacts, parseRetryAfter } from "./armErrors";

export const ARM_RETRY_POLICY_NAME = "avdRolloutArmRetryPolicy";

export interface RetryInfo {
  /** 1 for the first retry of this request. */
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  /** URL without query string. */
  url: string;
}

export interface RetrySettings {
  /** Retries after the first attempt, per port call across all layers (default 4). */
  maxRetries: number;
  /** Backoff before the first retry when ARM names no Retry-After (default 2 s); doubles. */
  retryDelayMs: number;
  /** Upper bound of one backoff delay (default 30 s). */
  maxRetryDelayMs: number;
  /** Longest Retry-After waited in place (default 60 s); longer ends the call with `retryAfterMs`. */
  maxRetryAfterMs: number;
  /** Total waiting of one port call across its retries (default 120 s). */
  maxTotalWaitMs: number;
  /** Timeout of one HTTP attempt, until response headers (default 60 s). */
  attemptTimeoutMs: number;
  sleep: (ms: number, signal?: AbortSignalLike) => Promise<void>;
  /** Called before each retry's wait. */
  onRetry?: (info: RetryInfo) => void;
  /** Source of randomness for backoff jitter (default Math.random). */
  random: () => number;
  /** Wall-clock now (ms): Retry-After HTTP dates and the throttle gate. */
  now: () => number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxRetries: DEFAULT_RETRY_BUDGET.tries - 1,
  retryDelayMs: DEFAULT_RETRY_BUDGET.firstDelayMs,
  maxRetryDelayMs: DEFAULT_RETRY_BUDGET.maxDelayMs,
  maxRetryAfterMs: DEFAULT_RETRY_BUDGET.maxRetryAfterMs,
  maxTotalWaitMs: DEFAULT_RETRY_BUDGET.maxTotalWaitMs,
  attemptTimeoutMs: 60_000,
  sleep: realSleep,
  random: Math.random,
  now: Date.now,
};

/** The budget policy of the adapters' own port wrapper (the driver's wrapper brings its own). */
export function budgetPolicyOf(settings: RetrySettings): RetryBudgetPolicy {
  return {
    tries: settings.maxRetries + 1,
    firstDelayMs: settings.retryDelayMs,
    maxDelayMs: settings.maxRetryDelayMs,
    maxRetryAfterMs: settings.maxRetryAfterMs,
    maxTotalWaitMs: settings.maxTotalWaitMs,
  };
}

export function realSleep(ms: number, signal?: AbortSignalLike): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError());
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

function abortError(): Error {
  const error = new Error("The operation was aborted.");
  error.name = "AbortError";
  return error;
}

/** ARM counts reads and writes separately when it throttles a principal. */
export type RequestKind = "read" | "write";

export function requestKind(request: Pick<PipelineRequest, "method">): RequestKind {
  return request.method === "GET" || request.method === "HEAD" ? "read" : "write";
}

/**
 * "No request before Retry-After", for every client of one principal: remembers until when ARM
 * asked it not to send reads or writes, and holds (or refuses) requests of that kind until then.
 */
export class ThrottleGate {
  private readonly notBefore: Record<RequestKind, number> = { read: 0, write: 0 };

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number, signal?: AbortSignalLike) => Promise<void>,
  ) {}

  /** ARM answered a request of `kind` with a Retry-After of `ms`; returns the instant it holds until. */
  hold(kind: RequestKind, ms: number): number {
    this.notBefore[kind] = Math.max(this.notBefore[kind], this.now() + ms);
    return this.notBefore[kind];
  }

  /**
   * Someone has waited out the hold that ended at `until` (with the injected sleep, whose time
   * need not be the wall clock's in tests): requests of `kind` may go, unless ARM asked for longer since.
   */
  served(kind: RequestKind, until: number): void {
    if (this.notBefore[kind] === until) this.notBefore[kind] = 0;
  }

  /** Milliseconds before a request of `kind` may be sent (0 when it may now). */
  remaining(kind: RequestKind): number {
    return Math.max(0, this.notBefore[kind] - this.now());
  }

  /** Waits until a request of `kind` may be sent, or throws ThrottledLocallyError when that is longer than `maxWaitMs`. */
  async admit(kind: RequestKind, maxWaitMs: number, signal?: AbortSignalLike): Promise<void> {
    const until = this.notBefore[kind];
    const wait = this.remaining(kind);
    if (wait <= 0) return;
    if (wait > maxWaitMs) throw new ThrottledLocallyError(wait, kind);
    await this.sleep(wait, signal);
    this.served(kind, until);
  }
}

/** A step of an adapter's own protocol: one attempt, sent only while `mayStillSend()` holds. */
export interface SingleAttemptOptions {
  /** Timeout of the attempt (default: the settings' `attemptTimeoutMs`). */
  attemptTimeoutMs?: number;
  /** Checked right before sending; false refuses with SendWindowClosedError (nothing sent). */
  mayStillSend?: () => boolean;
}

const singleAttemptScope = new AsyncLocalStorage<SingleAttemptOptions>();

/**
 * Runs `call` so that its requests are sent once each, never retried nor held back by the throttle
 * gate (a request the gate would hold is refused instead): the caller decides what follows.
 */
export function singleAttempt<T>(options: SingleAttemptOptions, call: () => Promise<T>): Promise<T> {
  return singleAttemptScope.run(options, call);
}

type Outcome = { response: PipelineResponse; error?: undefined } | { error: unknown; response?: undefined };

function armErrorCode(response: PipelineResponse): string | undefined {
  const text = response.bodyAsText;
  if (!text) return undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown } };
    return typeof body.error?.code === "string" ? body.error.code : undefined;
  } catch {
    return undefined;
  }
}

export function armRetryPolicy(settings: RetrySettings, gate: ThrottleGate): PipelinePolicy {
  return {
    name: ARM_RETRY_POLICY_NAME,
    async sendRequest(request, next) {
      const budget = activeBudget();
      const single = singleAttemptScope.getStore();
      const kind = requestKind(request);
      const maxGateWaitMs = single ? 0 : (budget?.policy.maxRetryAfterMs ?? settings.maxRetryAfterMs);
      for (let retry = 1; ; retry++) {
        await gate.admit(kind, maxGateWaitMs, request.abortSignal);
        if (single?.mayStillSend && !single.mayStillSend()) throw new SendWindowClosedError();
        const timeout = single?.attemptTimeoutMs ?? settings.attemptTimeoutMs;
        if (timeout > 0) request.timeout = timeout;
        let outcome: Outcome;
        try {
          outcome = { response: await next(request) };
        } catch (error) {
          // The caller's own abort is final; our per-attempt timeout is not.
          if (request.abortSignal?.aborted) throw error;
          outcome = { error };
        }
        const response = outcome.response ?? responseOf(outcome.error);
        if (response && response.status < 400) return response;
        const retryAfterMs = response ? parseRetryAfter(response.headers, settings.now()) : undefined;
        const heldUntil =
          response && retryAfterMs !== undefined && (response.status === 429 || response.status === 503)
            ? gate.hold(kind, retryAfterMs)
            : undefined;
        const facts = response
          ? httpFailureFacts({ status: response.status, code: armErrorCode(response), retryAfterMs })
          : httpFailureFacts({ error: outcome.error });
        const decision =
          single || !budget || !facts.transient
            ? undefined
            : budget.decide(facts, { random: settings.random, readOnly: kind === "read" });
        if (!decision?.retry) {
          if (outcome.response) return outcome.response;
          throw outcome.error;
        }
        settings.onRetry?.({
          attempt: retry,
          delayMs: decision.delayMs,
          reason: decision.reason,
          method: request.method,
          url: request.url.split("?")[0],
        });
        await settings.sleep(decision.delayMs, request.abortSignal);
        if (heldUntil !== undefined) gate.served(kind, heldUntil);
      }
    },
  };
}

function responseOf(error: unknown): PipelineResponse | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const response = (error as { response?: unknown }).response;
  return typeof response === "object" && response !== null && "status" in response
    ? (response as PipelineResponse)
    : undefined;
}
