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

export class PortError extends Error {
  readonly kind: PortErrorKind;
  /** Service error code when known (`TooManyRequests`, `AgentRegistrationFailureGeneric`, ...). */
  readonly code: string | undefined;
  /** Which port call failed, e.g. `hostPool.setDrainMode(avdprod-0.corp.contoso.com)`. */
  readonly operation: string;

  constructor(kind: PortErrorKind, operation: string, message: string, code?: string) {
    super(`${operation}: ${message}`);
    this.name = "PortError";
    this.kind = kind;
    this.code = code;
    this.operation = operation;
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
