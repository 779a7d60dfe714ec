/**
 * Long-running operations as ARM runs them: the initial request answers 202 with an
 * `Azure-AsyncOperation` URL (status `InProgress` until done, then `Succeeded`/`Failed`) and a
 * `Location` URL (202 until done, then 200/204). The operation completes after a configurable
 * number of polls, and only then changes the world.
 */
import { randomUUID } from "node:crypto";
import { ArmError } from "./arm-error";

export type OperationStatus = "InProgress" | "Succeeded" | "Failed" | "Canceled";

/** How an operation that does not succeed ends. */
export interface LroFailure {
  code: string;
  message: string;
  /** `Failed` (default), or `Canceled` (preempted by another operation on the resource). */
  status?: "Failed" | "Canceled";
}

interface Operation {
  id: string;
  method: "POST" | "DELETE";
  status: OperationStatus;
  pollsLeft: number;
  startTime: string;
  endTime?: string;
  failure?: LroFailure;
  complete: () => void;
}

export interface StartedOperation {
  status: 202;
  headers: Record<string, string>;
}

export class LroRegistry {
  /** The poll at which an operation completes (2: one `InProgress` answer, then done). */
  pollsToComplete = 2;
  /** Retry-After (seconds) on 202s; undefined leaves the polling interval to the client. */
  retryAfterSeconds: number | undefined = undefined;
  private readonly operations = new Map<string, Operation>();

  /**
   * Registers an operation and returns the 202 answer. `operationsPath` is the provider's
   * operations collection, e.g. `/subscriptions/s/providers/Microsoft.Compute/locations/westeurope/operations`.
   */
  start(
    origin: string,
    operationsPath: string,
    apiVersion: string,
    method: "POST" | "DELETE",
    complete: () => void,
    failure?: LroFailure,
  ): StartedOperation {
    const id = randomUUID();
    this.operations.set(id, {
      id,
      method,
      status: "InProgress",
      pollsLeft: this.pollsToComplete,
      startTime: new Date().toISOString(),
      complete,
      ...(failure ? { failure } : {}),
    });
    const base = `${origin}${operationsPath}/${id}`;
    const headers: Record<string, string> = {
      "Azure-AsyncOperation": `${base}?api-version=${apiVersion}`,
      Location: `${base}?monitor=true&api-version=${apiVersion}`,
    };
    if (this.retryAfterSeconds !== undefined) headers["Retry-After"] = String(this.retryAfterSeconds);
    return { status: 202, headers };
  }

  /** GET on the Azure-AsyncOperation URL. */
  pollStatus(id: string): { status: number; body: unknown; headers: Record<string, string> } {
    const op = this.advance(id);
    const body: Record<string, unknown> = { name: op.id, status: op.status, startTime: op.startTime };
    if (op.endTime) body["endTime"] = op.endTime;
    if (op.failure && op.status !== "InProgress")
      body["error"] = { code: op.failure.code, message: op.failure.message };
    return { status: 200, body, headers: this.retryHeaders(op) };
  }

  /** GET on the Location (monitor) URL. */
  pollLocation(id: string): { status: number; body?: unknown; headers: Record<string, string> } {
    const op = this.advance(id);
    if (op.status === "InProgress") return { status: 202, headers: this.retryHeaders(op) };
    if (op.failure && op.status !== "Succeeded") throw new ArmError(400, op.failure.code, op.failure.message);
    return { status: op.method === "DELETE" ? 204 : 200, headers: {} };
  }

  inProgress(): number {
    return [...this.operations.values()].filter((op) => op.status === "InProgress").length;
  }

  private advance(id: string): Operation {
    const op = this.operations.get(id);
    if (!op) throw new ArmError(404, "OperationNotFound", `The operation '${id}' was not found.`);
    if (op.status !== "InProgress") return op;
    op.pollsLeft--;
    if (op.pollsLeft > 0) return op;
    op.endTime = new Date().toISOString();
    if (op.failure) {
      op.status = op.failure.status ?? "Failed";
    } else {
      op.complete();
      op.status = "Succeeded";
    }
    return op;
  }

  private retryHeaders(op: Operation): Record<string, string> {
    return op.status === "InProgress" && this.retryAfterSeconds !== undefined
      ? { "Retry-After": String(this.retryAfterSeconds) }
      : {};
  }
}
