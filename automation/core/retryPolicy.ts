/**
 * Retry policy (spec §5.6), pure: which failures are worth retrying, and how long to back off.
 * Only transient failures are retried — ARM throttling and 5xx, `AgentRegistrationFailureGeneric`,
 * registration timeouts — a bounded number of times per host.
 */
import { DriverCrashedError, isTransient, PortError } from "./errors";

const TRANSIENT_MESSAGES: readonly RegExp[] = [
  /AgentRegistrationFailureGeneric/i,
  /TooManyRequests|\b429\b|throttl/i,
  /\b50[0234]\b|InternalServerError|ServiceUnavailable|GatewayTimeout|BadGateway/i,
  /RetryableError|OperationPreempted|temporarily unavailable/i,
  /timed? ?out|timeout/i,
  /ECONNRESET|ETIMEDOUT|EAI_AGAIN|connection reset/i,
];

/** Classifies a failure message of an `up` (which reports failures as text, not PortErrors). */
export function isTransientMessage(message: string): boolean {
  return TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

export type FailureClass = "transient" | "permanent" | "fatal";

/**
 * `fatal` errors unwind the driver (a simulated crash, a bug): never caught-and-continued.
 * Port errors are transient or permanent per their kind.
 */
export function classifyError(error: unknown): FailureClass {
  if (error instanceof DriverCrashedError) return "fatal";
  if (isTransient(error)) return "transient";
  if (error instanceof PortError) return "permanent";
  return "fatal";
}

export interface BackoffPolicy {
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/** Backoff before attempt `attempt + 1` after `attempt` failed attempts (1-based): base * 2^(attempt-1), capped. */
export function backoffMs(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, Math.min(30, attempt - 1));
  return Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** exponent);
}

/**
 * How long to wait before trying again after `error`: the backoff, or longer when the service
 * said so (a Retry-After that travelled with the error) — never a request before it allows one.
 */
export function waitAfter(error: unknown, backoff: number): number {
  const retryAfter = error instanceof PortError ? error.retryAfterMs : undefined;
  return retryAfter !== undefined ? Math.max(backoff, retryAfter) : backoff;
}

/** Whether a host that has failed `attempts` times may try again. */
export function mayRetry(attempts: number, maxAttempts: number): boolean {
  return attempts < maxAttempts;
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
