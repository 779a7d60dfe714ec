/**
 * What an ARM failure means, decided from its status and ARM error code (the table the tests
 * check row by row), and the translation of Azure SDK failures into {@link PortError}:
 *
 * | failure | kind | may have applied |
 * | --- | --- | --- |
 * | 429 throttling | transient | no |
 * | 408, 500, 502, 503, 504 | transient | yes |
 * | 409 `Conflict`, `AnotherOperationInProgress`, `OperationPreempted` (another operation on the resource) | transient | no |
 * | other 409s (`OperationNotAllowed`, `SkuNotAvailable`, `ScopeLocked`, ...) | permanent, with what to fix | no |
 * | 401, 403 (`AuthorizationFailed`, `RequestDisallowedByPolicy`, ...) | permanent, with what to fix | no |
 * | quota, `SkuNotAvailable`, `AllocationFailed` in any status or long-running operation | permanent, with what to fix | no |
 * | 404 | notFound | no |
 * | 412 | conflict | no |
 * | long-running operation `Canceled` or failed with a retryable code | transient | — |
 * | connection reset, timeout | transient | yes |
 * | connection refused, throttled before sending | transient | no |
 * | anything else | permanent | no |
 *
 * "May have applied" decides whether an at-most-once call (a message) may be repeated.
 */
import { type PortErrorKind, PortError } from "../core/errors";
import type { FailureFacts } from "../core/retryBudget";
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

/** Network failures where the request certainly never reached the service. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set([
  "ECONNREFUSED",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);

/** 409 codes ARM uses when another operation on the same resource is in progress: retry later. */
export const CONCURRENT_OPERATION_CODES: ReadonlySet<string> = new Set([
  "Conflict",
  "AnotherOperationInProgress",
  "OperationPreempted",
]);

/**
 * Codes of a long-running operation that ended Failed (or Canceled) that are worth retrying:
 * platform hiccups and preemption by another operation, not a refusal.
 */
export const RETRYABLE_OPERATION_CODES: ReadonlySet<string> = new Set([
  "Canceled",
  "OperationPreempted",
  "InternalExecutionError",
  "InternalServerError",
  "InternalOperationError",
  "RetryableError",
  "TooManyRequests",
  "ServiceUnavailable",
  "GatewayTimeout",
  ...CONCURRENT_OPERATION_CODES,
]);

const AUTHENTICATION_REMEDY =
  "Fix: the credential was refused; renew the service principal's secret or certificate, check the pipeline's federated credential and tenant, or sign in again (az login).";
const AUTHORIZATION_REMEDY =
  "Fix: the identity lacks the permission named above; grant it the role docs/azure.md lists for this call " +
  "(Desktop Virtualization Host Pool Contributor on the host pool, Virtual Machine Contributor on the VMs' resource group).";
const POLICY_REMEDY =
  "Fix: an Azure Policy assignment denies this request (named above); ask its owner for an exemption for these resources, or change the configuration to comply.";
const QUOTA_REMEDY =
  "Fix: when the message names a quota, request an increase for that VM family in the region (Azure portal > Quotas) or choose a smaller vmSizeId; otherwise the resource's state forbids the operation.";
const SKU_REMEDY =
  "Fix: this VM size is not offered to the subscription in this region or zone; choose another vmSizeId or availability zone (az vm list-skus --location <region> --size <size>).";
const CAPACITY_REMEDY =
  "Fix: Azure has no capacity for this VM size (in this zone) now; choose another vmSizeId or zone, or run `avd-rollout retry` later.";
const LOCK_REMEDY =
  "Fix: a resource lock forbids this change; remove or relax the lock on the resource or its resource group while the rollout runs.";
const REGISTRATION_REMEDY =
  "Fix: the subscription is not registered for the resource provider named above; run az provider register --namespace <namespace>.";

/** What to fix for ARM error codes that no retry can overcome. */
export const PERMANENT_REMEDIES: Readonly<Record<string, string>> = {
  AuthenticationFailed: AUTHENTICATION_REMEDY,
  InvalidAuthenticationToken: AUTHENTICATION_REMEDY,
  InvalidAuthenticationTokenTenant: AUTHENTICATION_REMEDY,
  ExpiredAuthenticationToken: AUTHENTICATION_REMEDY,
  AuthorizationFailed: AUTHORIZATION_REMEDY,
  LinkedAuthorizationFailed: AUTHORIZATION_REMEDY,
  RequestDisallowedByPolicy: POLICY_REMEDY,
  OperationNotAllowed: QUOTA_REMEDY,
  QuotaExceeded: QUOTA_REMEDY,
  SkuNotAvailable: SKU_REMEDY,
  AllocationFailed: CAPACITY_REMEDY,
  ZonalAllocationFailed: CAPACITY_REMEDY,
  OverconstrainedAllocationRequest: CAPACITY_REMEDY,
  OverconstrainedZonalAllocationRequest: CAPACITY_REMEDY,
  ScopeLocked: LOCK_REMEDY,
  MissingSubscriptionRegistration: REGISTRATION_REMEDY,
};

export interface ArmErrorClass {
  kind: PortErrorKind;
  mayHaveApplied: boolean;
  remedy?: string;
}

/** The class of an ARM error response, from its HTTP status and ARM error code. */
export function classifyArmStatus(status: number, code: string | undefined): ArmErrorClass {
  const remedy = code !== undefined ? PERMANENT_REMEDIES[code] : undefined;
  const permanent = (fallback?: string): ArmErrorClass => {
    const fix = remedy ?? fallback;
    return { kind: "permanent", mayHaveApplied: false, ...(fix ? { remedy: fix } : {}) };
  };
  if (status === 404) return { kind: "notFound", mayHaveApplied: false };
  if (status === 412) return { kind: "conflict", mayHaveApplied: false };
  if (status === 429) return { kind: "transient", mayHaveApplied: false };
  // A quota, policy, capacity or authorization refusal stays one whatever status carries it.
  if (remedy) return permanent();
  if (status === 408) return { kind: "transient", mayHaveApplied: true };
  if (status === 409) {
    return code !== undefined && CONCURRENT_OPERATION_CODES.has(code)
      ? { kind: "transient", mayHaveApplied: false }
      : permanent();
  }
  if (status === 401) return permanent(AUTHENTICATION_REMEDY);
  if (status === 403) return permanent(AUTHORIZATION_REMEDY);
  if (status >= 500 && status !== 501 && status !== 505) return { kind: "transient", mayHaveApplied: true };
  return permanent();
}

/** The class of a long-running operation that ended Failed or Canceled with `code`. */
export function classifyOperationCode(code: string): ArmErrorClass {
  if (RETRYABLE_OPERATION_CODES.has(code)) return { kind: "transient", mayHaveApplied: true };
  const remedy = PERMANENT_REMEDIES[code];
  return { kind: "permanent", mayHaveApplied: false, ...(remedy ? { remedy } : {}) };
}

/** What the SDKs throw: a RestError, an AbortError on timeout, or a plain Error. */
interface SdkErrorShape {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  code?: unknown;
  response?: unknown;
}

function shapeOf(error: unknown): SdkErrorShape {
  return typeof error === "object" && error !== null ? (error as SdkErrorShape) : {};
}

/** @azure/core-lro reports a failed operation as a plain Error: "...has failed. <code>. <message>". */
const FAILED_LRO = /^The long-running operation has failed\. ([A-Za-z0-9_.]+)\./;
/** ... and a canceled one as "Operation was canceled". */
const CANCELED_LRO = /^Operation was canceled/;

export function statusCodeOf(error: unknown): number | undefined {
  const status = shapeOf(error).statusCode;
  return typeof status === "number" ? status : undefined;
}

export function isNotFound(error: unknown): boolean {
  if (error instanceof PortError) return error.kind === "notFound";
  return statusCodeOf(error) === 404;
}

/** The kind of an ARM status alone (no error code known). */
export function kindOfStatus(status: number): PortErrorKind {
  return classifyArmStatus(status, undefined).kind;
}

/** A network-level failure (no response): transient, and whether it may have been applied. */
export function classifyNetworkError(error: unknown): ArmErrorClass | undefined {
  const shape = shapeOf(error);
  const code = typeof shape.code === "string" ? shape.code : undefined;
  if (code === ThrottledLocallyError.code || code === SendWindowClosedError.code)
    return { kind: "transient", mayHaveApplied: false };
  if (code !== undefined && NOT_SENT_CODES.has(code)) return { kind: "transient", mayHaveApplied: false };
  if (
    shape.name === "AbortError" ||
    shape.name === "TimeoutError" ||
    (code !== undefined && (NETWORK_ERROR_CODES.has(code) || code === "REQUEST_SEND_ERROR"))
  ) {
    return { kind: "transient", mayHaveApplied: true };
  }
  return undefined;
}

/** Milliseconds the response asks to wait (see retryAfterMs in retryPolicy.ts), from an SDK error. */
function retryAfterOf(error: unknown, now: number): number | undefined {
  const response = shapeOf(error).response;
  if (typeof response !== "object" || response === null) return undefined;
  const headers = (response as { headers?: unknown }).headers;
  if (
    typeof headers !== "object" ||
    headers === null ||
    typeof (headers as { get?: unknown }).get !== "function"
  )
    return undefined;
  return parseRetryAfter(headers as { get(name: string): string | undefined }, now);
}

/**
 * Milliseconds a response asks the client to wait, from `retry-after-ms`, `x-ms-retry-after-ms`
 * or `Retry-After` (delta-seconds or an HTTP date); undefined when none is given or parseable.
 */
export function parseRetryAfter(
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

/**
 * Raised by the pipeline instead of sending a request while ARM's Retry-After for requests of
 * its kind has not passed (and waiting for it is longer than the call may wait in place).
 */
export class ThrottledLocallyError extends Error {
  static readonly code = "ThrottledLocally";
  readonly code = ThrottledLocallyError.code;
  constructor(
    readonly retryAfterMs: number,
    kind: string,
  ) {
    super(
      `not sent: ARM asked for no ${kind} requests for another ${Math.ceil(retryAfterMs / 1000)} s (Retry-After)`,
    );
    this.name = "ThrottledLocallyError";
  }
}

/** Raised by the pipeline instead of sending a request whose send window (see hostPoolAdapter's record protocol) has closed. */
export class SendWindowClosedError extends Error {
  static readonly code = "SendWindowClosed";
  readonly code = SendWindowClosedError.code;
  constructor() {
    super("not sent: too long after the read it depends on");
    this.name = "SendWindowClosedError";
  }
}

/** The budget's view of an HTTP outcome: a response with an error status, or a thrown error. */
export function httpFailureFacts(
  outcome:
    { status: number; code: string | undefined; retryAfterMs: number | undefined } | { error: unknown },
): FailureFacts {
  if ("status" in outcome) {
    const cls = classifyArmStatus(outcome.status, outcome.code);
    return {
      transient: cls.kind === "transient",
      mayHaveApplied: cls.mayHaveApplied,
      ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      reason: `HTTP ${outcome.status}${outcome.code ? ` ${outcome.code}` : ""}`,
    };
  }
  const cls = classifyNetworkError(outcome.error);
  const shape = shapeOf(outcome.error);
  const reason =
    typeof shape.code === "string" ? shape.code : typeof shape.name === "string" ? shape.name : "error";
  const retryAfterMs =
    outcome.error instanceof ThrottledLocallyError ? outcome.error.retryAfterMs : undefined;
  return {
    transient: cls?.kind === "transient",
    mayHaveApplied: cls?.mayHaveApplied ?? true,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    reason,
  };
}

/** Maps any failure of an SDK call to a PortError naming the operation; never leaks secrets. */
export function toPortError(
  error: unknown,
  operation: string,
  knownSecrets: readonly string[] = [],
  now: number = Date.now(),
): PortError {
  if (error instanceof PortError) return error;
  const shape = shapeOf(error);
  const rawMessage = typeof shape.message === "string" && shape.message ? shape.message : String(error);
  const message = redact(rawMessage, knownSecrets);
  const status = statusCodeOf(error);
  const code = typeof shape.code === "string" ? shape.code : undefined;

  if (status !== undefined) {
    const cls = classifyArmStatus(status, code);
    const retryAfterMs = retryAfterOf(error, now);
    return new PortError(cls.kind, operation, `HTTP ${status}${code ? ` ${code}` : ""}: ${message}`, code, {
      mayHaveApplied: cls.mayHaveApplied,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...(cls.remedy ? { remedy: cls.remedy } : {}),
    });
  }
  if (error instanceof ThrottledLocallyError) {
    return new PortError("transient", operation, message, "TooManyRequests", {
      mayHaveApplied: false,
      retryAfterMs: error.retryAfterMs,
    });
  }
  const lro = FAILED_LRO.exec(rawMessage);
  const lroCode = lro ? lro[1] : CANCELED_LRO.test(rawMessage) ? "Canceled" : undefined;
  if (lroCode !== undefined) {
    const cls = classifyOperationCode(lroCode);
    return new PortError(cls.kind, operation, message, lroCode, {
      mayHaveApplied: cls.mayHaveApplied,
      ...(cls.remedy ? { remedy: cls.remedy } : {}),
    });
  }
  const network = classifyNetworkError(error);
  if (network) {
    const what =
      shape.name === "AbortError" || shape.name === "TimeoutError"
        ? `timed out or aborted: ${message}`
        : `network error ${code ?? ""}: ${message}`;
    return new PortError("transient", operation, what, code ?? "Timeout", {
      mayHaveApplied: network.mayHaveApplied,
    });
  }
  return new PortError("permanent", operation, message, code, { mayHaveApplied: false });
}
