/**
 * Errors that cross the port seams. Adapters translate SDK/CLI errors into {@link PortError}
 * so the driver can classify failures without knowing which world it runs in.
 */

export type PortErrorKind =
  /** Worth retrying with backoff: ARM 429/5xx, network resets, AgentRegistrationFailureGeneric, timeouts. */
  | "transient"
  /** Retrying will not help: bad request, authorization, a failed deployment that is not transient. */
  | "permanent"
  /** The addressed resource does not exist. */
  | "notFound"
  /** Optimistic concurrency or lock conflict (etag mismatch, stack locked). */
  | "conflict";

/** What a failure says beyond its kind, for whoever decides whether and when to try again. */
export interface PortErrorDetails {
  /**
   * The service asked not to be called again before this many milliseconds from when the error
   * was raised (ARM's `Retry-After`, in seconds or as an HTTP date, or `x-ms-retry-after-ms`).
   */
  retryAfterMs?: number;
  /**
   * Whether the failed call may have taken effect anyway (a timeout, a reset, a lost response, a
   * 5xx: the request may have been processed). False when it certainly did not (a 429, a refused
   * connection, a request never sent). Decides whether an at-most-once call may be repeated.
   */
  mayHaveApplied?: boolean;
  /** What the operator must change for the call to succeed (permanent failures). */
  remedy?: string;
}

/** Codes of failures that certainly did not take effect (throttled before processing). */
const NOT_APPLIED_CODES: ReadonlySet<string> = new Set(["TooManyRequests", "ThrottledLocally"]);

export class PortError extends Error {
  readonly kind: PortErrorKind;
  /** Service error code when known (`TooManyRequests`, `AgentRegistrationFailureGeneric`, ...). */
  readonly code: string | undefined;
  /** Which port call failed, e.g. `hostPool.setDrainMode(avdprod-0.corp.contoso.com)`. */
  readonly operation: string;
  /** See {@link PortErrorDetails.retryAfterMs}. */
  readonly retryAfterMs: number | undefined;
  /**
   * See {@link PortErrorDetails.mayHaveApplied}. When the raiser does not say, only a throttling
   * code counts as certainly not applied: an unknown outcome is treated as possibly applied.
   */
  readonly mayHaveApplied: boolean;
  /** See {@link PortErrorDetails.remedy}; also the end of the message. */
  readonly remedy: string | undefined;

  constructor(
    kind: PortErrorKind,
    operation: string,
    message: string,
    code?: string,
    details: PortErrorDetails = {},
  ) {
    super(`${operation}: ${message}${details.remedy ? ` ${details.remedy}` : ""}`);
    this.name = "PortError";
    this.kind = kind;
    this.code = code;
    this.operation = operation;
    this.retryAfterMs = details.retryAfterMs;
    this.mayHaveApplied = details.mayHaveApplied ?? !(code !== undefined && NOT_APPLIED_CODES.has(code));
    this.remedy = details.remedy;
  }
}

/**
 * Raised inside a driver whose process the simulation has "killed". The driver must never
 * catch-and-continue it: it unwinds everything, and a fresh driver resumes from the world and
 * the rollout record alone.
 */
export class DriverCrashedError extends Error {
  constructor() {
    super("driver crashed (simulated)");
    this.name = "DriverCrashedError";
  }
}

/** Invalid input: the CLI maps it to exit code 2, and nothing has been changed. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The host pool is busy with another rollout or the stack is locked: exit code 3. */
export class BusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BusyError";
  }
}

export function isTransient(error: unknown): boolean {
  return error instanceof PortError && error.kind === "transient";
}
