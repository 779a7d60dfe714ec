/**
 * The retry policy the adapters put in the SDK pipelines' "Retry" phase.
 *
 * It keeps the semantics of @azure/core-rest-pipeline's default policy (throttlingRetryStrategy:
 * Retry-After on 429/503 in seconds, as an HTTP date, or as `retry-after-ms` /
 * `x-ms-retry-after-ms`; exponentialRetryStrategy: jittered exponential backoff on 408/5xx and
 * socket errors) and adds what that policy lacks, which is why it replaces it instead of
 * configuring it:
 * - an injectable `sleep`, so tests and the virtual-clock rehearsal do not wait in real time
 *   (the core policy hard-wires a real-time delay), and an `onRetry` observer;
 * - a per-attempt timeout (`request.timeout`), with a timed-out attempt retried like a reset;
 * - a cap on Retry-After: a server asking for longer than `maxRetryAfterMs` gets the 429 handed
 *   back (a transient PortError) so the driver's own host-level backoff decides, instead of a
 *   call silently hanging for an hour;
 * - no blind retry of a non-idempotent request (sendMessage) after an ambiguous failure
 *   (500/502/504, timeout, reset): it may have been applied, and users would get the notice
 *   twice. 429/503 with Retry-After and refused connections were certainly not applied, so
 *   those are retried for every request.
 */
import type { AbortSignalLike } from "@azure/abort-controller";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { NETWORK_ERROR_CODES } from "./armErrors";

export const ARM_RETRY_POLICY_NAME = "avdRolloutArmRetryPolicy";

export interface RetryInfo {
  /** 1 for the first retry. */
  attempt: number;
  delayMs: number;
  reason: string;
  method: string;
  /** URL without query string. */
  url: string;
}

export interface RetrySettings {
  /** Retries after the first attempt (default 4). */
  maxRetries: number;
  /** Base delay of the exponential backoff (default 1 s). */
  retryDelayMs: number;
  /** Upper bound of one backoff delay (default 30 s). */
  maxRetryDelayMs: number;
  /** Longest Retry-After honoured in-call (default 60 s). */
  maxRetryAfterMs: number;
  /** Timeout of one HTTP attempt, until response headers (default 60 s). */
  attemptTimeoutMs: number;
  sleep: (ms: number, signal?: AbortSignalLike) => Promise<void>;
  /** Called before each retry's wait. */
  onRetry?: (info: RetryInfo) => void;
  /** Source of randomness for jitter (default Math.random). */
  random: () => number;
  /** Wall-clock now (ms), for Retry-After given as an HTTP date. */
  now: () => number;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = {
  maxRetries: 4,
  retryDelayMs: 1_000,
  maxRetryDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
  attemptTimeoutMs: 60_000,
  sleep: realSleep,
  random: Math.random,
  now: Date.now,
};

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

/**
 * Milliseconds a 429/503 asks the client to wait, from `retry-after-ms`, `x-ms-retry-after-ms`
 * or `Retry-After` (delta-seconds or an HTTP date); undefined when none is given or parseable.
 */
export function retryAfterMs(
  headers: { get(name: string): string | undefined },
  now: number,
): number | undefined {
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const value = headers.get(name);
    if (value !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value));
  }
  const value = headers.get("retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.max(0, Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Exponential backoff with "equal jitter": half fixed, half random, like the core policy. */
export function backoffDelayMs(
  retryIndex: number,
  settings: Pick<RetrySettings, "retryDelayMs" | "maxRetryDelayMs" | "random">,
): number {
  const exponential = settings.retryDelayMs * 2 ** retryIndex;
  const clamped = Math.min(settings.maxRetryDelayMs, exponential);
  return clamped / 2 + settings.random() * (clamped / 2);
}

/** Requests whose repetition could have a visible effect twice (a message shown twice). */
export function isIdempotent(request: Pick<PipelineRequest, "method" | "url">): boolean {
  if (request.method !== "POST") return true;
  const path = request.url.split("?")[0].toLowerCase();
  return !path.endsWith("/sendmessage");
}

type Outcome = { response: PipelineResponse; error?: undefined } | { error: unknown; response?: undefined };

interface Decision {
  retry: boolean;
  delayMs: number;
  reason: string;
}

function decide(
  outcome: Outcome,
  request: PipelineRequest,
  retryIndex: number,
  settings: RetrySettings,
): Decision {
  const idempotent = isIdempotent(request);
  const noRetry = (reason: string): Decision => ({ retry: false, delayMs: 0, reason });
  const backoff = (reason: string): Decision => ({
    retry: true,
    delayMs: backoffDelayMs(retryIndex, settings),
    reason,
  });

  const response = outcome.response ?? errorResponse(outcome.error);
  if (response) {
    const status = response.status;
    if (status === 429 || status === 503) {
      const after = retryAfterMs(response.headers, settings.now());
      if (after !== undefined) {
        if (after > settings.maxRetryAfterMs)
          return noRetry(`HTTP ${status} asks for ${after} ms, beyond the cap`);
        return { retry: true, delayMs: after, reason: `HTTP ${status} Retry-After` };
      }
      return idempotent || status === 429
        ? backoff(`HTTP ${status}`)
        : noRetry(`HTTP ${status} on a non-idempotent call`);
    }
    if (status === 408 || (status >= 500 && status !== 501 && status !== 505)) {
      return idempotent ? backoff(`HTTP ${status}`) : noRetry(`HTTP ${status} on a non-idempotent call`);
    }
    if (outcome.response) return noRetry("success or permanent status");
  }

  const error = outcome.error;
  const code = errorCode(error);
  if (code === "ECONNREFUSED") return backoff(code); // never reached the server
  if (
    isAbort(error) ||
    (code !== undefined && (NETWORK_ERROR_CODES.has(code) || code === "REQUEST_SEND_ERROR"))
  ) {
    return idempotent ? backoff(code ?? "timeout") : noRetry(`${code ?? "timeout"} on a non-idempotent call`);
  }
  return noRetry("not retryable");
}

function errorResponse(error: unknown): PipelineResponse | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const response = (error as { response?: unknown }).response;
  return typeof response === "object" && response !== null && "status" in response
    ? (response as PipelineResponse)
    : undefined;
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function isAbort(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { name?: unknown }).name === "AbortError";
}

export function armRetryPolicy(overrides: Partial<RetrySettings> = {}): PipelinePolicy {
  const settings: RetrySettings = { ...DEFAULT_RETRY_SETTINGS, ...overrides };
  return {
    name: ARM_RETRY_POLICY_NAME,
    async sendRequest(request, next) {
      for (let retryIndex = 0; ; retryIndex++) {
        if (settings.attemptTimeoutMs > 0) request.timeout = settings.attemptTimeoutMs;
        let outcome: Outcome;
        try {
          outcome = { response: await next(request) };
        } catch (error) {
          // The caller's own abort is final; our per-attempt timeout is not.
          if (request.abortSignal?.aborted) throw error;
          outcome = { error };
        }
        const decision =
          retryIndex < settings.maxRetries
            ? decide(outcome, request, retryIndex, settings)
            : { retry: false, delayMs: 0, reason: "retries exhausted" };
        if (!decision.retry) {
          if (outcome.response) return outcome.response;
          throw outcome.error;
        }
        settings.onRetry?.({
          attempt: retryIndex + 1,
          delayMs: decision.delayMs,
          reason: decision.reason,
          method: request.method,
          url: request.url.split("?")[0],
        });
        await settings.sleep(decision.delayMs, request.abortSignal);
      }
    },
  };
}
