/**
 * Fault injection: rules that make matching requests fail, slow down, or apply late, so the
 * adapters' resilience (Retry-After, 5xx retries, per-call timeouts, re-asserted writes) is
 * exercised against real HTTP behaviour.
 */

/** How a 429/503 says when to come back: seconds, an HTTP date, or ARM's `x-ms-retry-after-ms`. */
export type RetryAfter = { seconds: number } | { httpDate: Date } | { milliseconds: number };

export type FaultAction =
  /** 429 TooManyRequests with a Retry-After. */
  | { kind: "throttle"; retryAfter: RetryAfter }
  /**
   * Any ARM error status (500, 503, 404, 409 ...), optionally with Retry-After. With
   * `afterApply`, the request is applied first and the error answered anyway (the service did
   * the work but the answer says it failed: a 500 or 504 from a gateway after the provider ran).
   */
  | {
      kind: "status";
      status: number;
      code?: string;
      message?: string;
      retryAfter?: RetryAfter;
      afterApply?: boolean;
    }
  /** Waits, then serves the request normally. */
  | { kind: "delay"; ms: number }
  /** Destroys the connection without a response (a network reset); the request is not applied. */
  | { kind: "reset" }
  /** Applies the request, then destroys the connection before answering: the response is lost. */
  | { kind: "lostResponse" }
  /**
   * The write is not applied now but `applyAfterMs` later; meanwhile the caller gets a 504
   * GatewayTimeout (`gatewayTimeout`), a 200 showing the unchanged resource (`staleSuccess`), or
   * no answer until the connection drops after `hangMs` (`hang`).
   */
  | {
      kind: "lateApply";
      applyAfterMs: number;
      respond: "gatewayTimeout" | "staleSuccess" | "hang";
      hangMs?: number;
    }
  /**
   * A long-running operation is accepted but ends `Failed` (default) or `Canceled` with this error
   * (ARM cancels an operation another one on the same resource preempted).
   */
  | { kind: "lroFailed"; code: string; message: string; status?: "Failed" | "Canceled" };

export interface FaultRule {
  /** Route names (see routes); absent = every route (a global fault). */
  routes?: string[];
  /** HTTP method filter. */
  method?: string;
  /** Let this many matching requests through before the fault starts. */
  skip?: number;
  /** Affect at most this many matching requests (default: all). */
  times?: number;
  action: FaultAction;
}

interface ActiveRule extends FaultRule {
  seen: number;
  applied: number;
}

export class FaultInjector {
  private rules: ActiveRule[] = [];

  inject(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0, applied: 0 });
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault for this request, if any; counts the request against every matching rule. */
  take(route: string, method: string): FaultAction | undefined {
    let chosen: FaultAction | undefined;
    for (const rule of this.rules) {
      if (rule.routes && !rule.routes.includes(route)) continue;
      if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      rule.seen++;
      if (rule.seen <= (rule.skip ?? 0)) continue;
      if (rule.applied >= (rule.times ?? Number.POSITIVE_INFINITY)) continue;
      if (chosen) continue;
      rule.applied++;
      chosen = rule.action;
    }
    return chosen;
  }
}

export function retryAfterHeaders(retryAfter: RetryAfter): Record<string, string> {
  if ("seconds" in retryAfter) return { "Retry-After": String(retryAfter.seconds) };
  if ("httpDate" in retryAfter) return { "Retry-After": retryAfter.httpDate.toUTCString() };
  return {
    "x-ms-retry-after-ms": String(retryAfter.milliseconds),
    "Retry-After": String(Math.ceil(retryAfter.milliseconds / 1000)),
  };
}
