/**
 * Translation of Azure SDK failures into {@link PortError}, so the driver classifies a failure
 * without knowing it came from ARM: 404 is `notFound`, 412 (If-Match failed) is `conflict`,
 * throttling, 5xx, request timeouts and network resets are `transient`, everything else
 * (400 bad request, 401/403 authorization, ...) is `permanent`.
 *
 * 409 Conflict from ARM means "another operation is in progress on this resource" far more
 * often than a logical conflict, so it is transient: the driver retries it with backoff.
 */
import { PortError, type PortErrorKind } from "../core/errors";
import { redact } from "./redact";

/** Network-level failures worth retrying (Node socket error codes). */
export const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "ESOCKETTIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_SOCKET",
]);

/** What the SDKs throw: a RestError, an AbortError on timeout, or a plain Error. */
interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  code?: unknown;
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === "object" && error !== null ? (error as SdkErrorShape) : {};
}

/**
 * ARM error codes of a failed long-running operation (202 accepted, then status Failed) that
 * are worth retrying: capacity and platform hiccups, not a bad request.
 */
export const RETRYABLE_OPERATION_CODES: ReadonlySet<string> = new Set([
  "InternalExecutionError",
  "InternalServerError",
  "InternalOperationError",
  "OperationPreempted",
  "RetryableError",
  "AllocationFailed",
  "ZonalAllocationFailed",
  "TooManyRequests",
  "ServiceUnavailable",
  "GatewayTimeout",
  "Conflict",
]);

/** @azure/core-lro reports a failed operation as a plain Error: "...has failed. <code>. <message>". */
const FAILED_LRO = /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\./;

export function statusCodeOf(error: unknown): number | undefined {
  const status = shapeOf(error).statusCode;
  return typeof status === "number" ? status : undefined;
}

export function isNotFound(error: unknown): boolean {
  if (error instanceof PortError) return error.kind === "notFound";
  return statusCodeOf(error) === 404;
}

export function kindOfStatus(status: number): PortErrorKind {
  if (status === 404) return "notFound";
  if (status === 412) return "conflict";
  if (status === 408 || status === 409 || status === 429 || status >= 500) return "transient";
  return "permanent";
}

/** Maps any failure of an SDK call to a PortError naming the operation; never leaks secrets. */
export function toPortError(
  error: unknown,
  operation: string,
  knownSecrets: readonly string[] = [],
): PortError {
  if (error instanceof PortError) return error;
  const shape = shapeOf(error);
  const rawMessage = typeof shape.message === "string" && shape.message ? shape.message : String(error);
  const message = redact(rawMessage, knownSecrets);
  const status = statusCodeOf(error);
  const code = typeof shape.code === "string" ? shape.code : undefined;

  if (status !== undefined) {
    return new PortError(
      kindOfStatus(status),
      operation,
      `HTTP ${status}${code ? ` ${code}` : ""}: ${message}`,
      code,
    );
  }
  const lro = FAILED_LRO.exec(rawMessage);
  if (lro) {
    const lroCode = lro[1];
    return new PortError(
      RETRYABLE_OPERATION_CODES.has(lroCode) ? "transient" : "permanent",
      operation,
      message,
      lroCode,
    );
  }
  if (shape.name === "AbortError" || shape.name === "TimeoutError") {
    return new PortError("transient", operation, `timed out or aborted: ${message}`, "Timeout");
  }
  if (code && (NETWORK_ERROR_CODES.has(code) || code === "REQUEST_SEND_ERROR")) {
    return new PortError("transient", operation, `network error ${code}: ${message}`, code);
  }
  return new PortError("permanent", operation, message, code);
}
