/**
 * The ARM error table (automation/azure/armErrors.ts) as pure rows: status and code -> class,
 * operation codes, network failures, Retry-After headers, the retry budget's facts and the
 * PortError every SDK failure becomes. armErrorTable.test.ts runs the same classes through the
 * adapters against the emulator; these rows pin each branch without it.
 */
import { describe, expect, it } from "vitest";
import {
  PERMANENT_REMEDIES,
  SendWindowClosedError,
  ThrottledLocallyError,
  classifyArmStatus,
  classifyNetworkError,
  classifyOperationCode,
  httpFailureFacts,
  isNotFound,
  kindOfStatus,
  parseRetryAfter,
  statusCodeOf,
  toPortError,
} from "../../../automation/azure/armErrors";
import { PortError } from "../../../automation/core/errors";

const NOW = Date.parse("2026-04-13T08:00:00.000Z");
const headers = (values: Record<string, string>) => ({
  get: (name: string): string | undefined => values[name.toLowerCase()],
});
const restError = (statusCode: number, code: string | undefined, message = "refused", extra = {}) =>
  Object.assign(new Error(message), { statusCode, code, ...extra });

describe("classifyArmStatus", () => {
  it.each([
    [404, "ResourceNotFound", "notFound", false, undefined],
    [412, "PreconditionFailed", "conflict", false, undefined],
    [429, "TooManyRequests", "transient", false, undefined],
    // Throttling stays transient even when its code names a quota.
    [429, "QuotaExceeded", "transient", false, undefined],
    [408, "RequestTimeout", "transient", true, undefined],
    [408, undefined, "transient", true, undefined],
    [500, "InternalServerError", "transient", true, undefined],
    [502, undefined, "transient", true, undefined],
    [503, "ServiceUnavailable", "transient", true, undefined],
    [504, "GatewayTimeout", "transient", true, undefined],
    [599, undefined, "transient", true, undefined],
    [501, "NotImplemented", "permanent", false, undefined],
    [505, undefined, "permanent", false, undefined],
    [499, undefined, "permanent", false, undefined],
    [409, "Conflict", "transient", false, undefined],
    [409, "AnotherOperationInProgress", "transient", false, undefined],
    [409, "OperationPreempted", "transient", false, undefined],
    [409, "SomethingElse", "permanent", false, undefined],
    [409, undefined, "permanent", false, undefined],
    [409, "ScopeLocked", "permanent", false, /lock/],
    [400, "InvalidParameter", "permanent", false, undefined],
    [400, "QuotaExceeded", "permanent", false, /quota/],
    // A refusal no retry overcomes stays one whatever status carries it.
    [500, "AllocationFailed", "permanent", false, /no capacity/],
    [503, "SkuNotAvailable", "permanent", false, /another vmSizeId/],
    [401, undefined, "permanent", false, /credential was refused/],
    [401, "SomethingElse", "permanent", false, /credential was refused/],
    [403, undefined, "permanent", false, /grant it the role/],
    [403, "RequestDisallowedByPolicy", "permanent", false, /Azure Policy/],
    [403, "LinkedAuthorizationFailed", "permanent", false, /grant it the role/],
    [400, "MissingSubscriptionRegistration", "permanent", false, /provider register/],
  ] as const)("%i %s -> %s (may have applied: %s)", (status, code, kind, mayHaveApplied, remedy) => {
    const cls = classifyArmStatus(status, code);
    expect(cls.kind).toBe(kind);
    expect(cls.mayHaveApplied).toBe(mayHaveApplied);
    if (remedy) expect(cls.remedy).toMatch(remedy);
    else expect(cls).not.toHaveProperty("remedy");
  });

  it("kindOfStatus is the status's class without a code", () => {
    expect([404, 412, 429, 408, 409, 401, 500, 400].map(kindOfStatus)).toEqual([
      "notFound",
      "conflict",
      "transient",
      "transient",
      "permanent",
      "permanent",
      "transient",
      "permanent",
    ]);
  });
});

describe("classifyOperationCode (a long-running operation that ended Failed or Canceled)", () => {
  it.each([
    ["Canceled", "transient", true],
    ["OperationPreempted", "transient", true],
    ["Conflict", "transient", true],
    ["AnotherOperationInProgress", "transient", true],
    ["InternalExecutionError", "transient", true],
    ["GatewayTimeout", "transient", true],
    ["QuotaExceeded", "permanent", false],
    ["VMExtensionProvisioningError", "permanent", false],
  ] as const)("%s -> %s", (code, kind, mayHaveApplied) => {
    const cls = classifyOperationCode(code);
    expect(cls).toMatchObject({ kind, mayHaveApplied });
    if (PERMANENT_REMEDIES[code]) expect(cls.remedy).toBe(PERMANENT_REMEDIES[code]);
    else expect(cls).not.toHaveProperty("remedy");
  });
});

describe("classifyNetworkError", () => {
  it.each([
    ["reset after sending", { code: "ECONNRESET" }, { kind: "transient", mayHaveApplied: true }],
    ["timed out", { code: "ETIMEDOUT" }, { kind: "transient", mayHaveApplied: true }],
    ["socket closed by undici", { code: "UND_ERR_SOCKET" }, { kind: "transient", mayHaveApplied: true }],
    ["the SDK's send error", { code: "REQUEST_SEND_ERROR" }, { kind: "transient", mayHaveApplied: true }],
    ["aborted", { name: "AbortError" }, { kind: "transient", mayHaveApplied: true }],
    ["a timeout error", { name: "TimeoutError" }, { kind: "transient", mayHaveApplied: true }],
    ["refused: never sent", { code: "ECONNREFUSED" }, { kind: "transient", mayHaveApplied: false }],
    ["no DNS answer: never sent", { code: "EAI_AGAIN" }, { kind: "transient", mayHaveApplied: false }],
    ["unreachable: never sent", { code: "EHOSTUNREACH" }, { kind: "transient", mayHaveApplied: false }],
    ["network down: never sent", { code: "ENETUNREACH" }, { kind: "transient", mayHaveApplied: false }],
    [
      "throttled before sending",
      new ThrottledLocallyError(5000, "write"),
      { kind: "transient", mayHaveApplied: false },
    ],
    ["send window closed", new SendWindowClosedError(), { kind: "transient", mayHaveApplied: false }],
    ["another code", { code: "ERR_SOMETHING" }, undefined],
    ["a plain error", new Error("boom"), undefined],
    ["not an object", "boom", undefined],
    ["null", null, undefined],
  ] as const)("%s", (_, error, expected) => {
    expect(classifyNetworkError(error)).toEqual(expected);
  });
});

describe("parseRetryAfter", () => {
  it.each([
    ["retry-after-ms wins", { "retry-after-ms": "1500", "retry-after": "9" }, 1500],
    ["x-ms-retry-after-ms", { "x-ms-retry-after-ms": "200" }, 200],
    ["fractional milliseconds", { "retry-after-ms": " 2.5 " }, 2.5],
    [
      "a malformed millisecond header falls back to Retry-After",
      { "retry-after-ms": "soon", "retry-after": "3" },
      3000,
    ],
    ["delta-seconds", { "retry-after": "2" }, 2000],
    ["fractional seconds", { "retry-after": "1.5" }, 1500],
    ["an HTTP date", { "retry-after": "Mon, 13 Apr 2026 08:00:30 GMT" }, 30_000],
    ["a date already past waits nothing", { "retry-after": "Mon, 13 Apr 2026 07:59:00 GMT" }, 0],
    ["empty", { "retry-after": "  " }, undefined],
    ["garbage", { "retry-after": "later" }, undefined],
    ["none", {}, undefined],
  ] as const)("%s", (_, values, expected) => {
    expect(parseRetryAfter(headers(values), NOW)).toBe(expected);
  });
});

describe("httpFailureFacts (what the retry budget sees)", () => {
  it("a response: its class, its Retry-After and a reason naming status and code", () => {
    expect(httpFailureFacts({ status: 429, code: "TooManyRequests", retryAfterMs: 4000 })).toEqual({
      transient: true,
      mayHaveApplied: false,
      retryAfterMs: 4000,
      reason: "HTTP 429 TooManyRequests",
    });
    expect(httpFailureFacts({ status: 503, code: undefined, retryAfterMs: undefined })).toEqual({
      transient: true,
      mayHaveApplied: true,
      reason: "HTTP 503",
    });
    expect(httpFailureFacts({ status: 403, code: "AuthorizationFailed", retryAfterMs: undefined })).toEqual({
      transient: false,
      mayHaveApplied: false,
      reason: "HTTP 403 AuthorizationFailed",
    });
  });

  it("a thrown error: network class, its code or name as the reason, a local throttle's wait", () => {
    expect(httpFailureFacts({ error: Object.assign(new Error("x"), { code: "ECONNRESET" }) })).toEqual({
      transient: true,
      mayHaveApplied: true,
      reason: "ECONNRESET",
    });
    expect(httpFailureFacts({ error: Object.assign(new Error("x"), { name: "AbortError" }) })).toEqual({
      transient: true,
      mayHaveApplied: true,
      reason: "AbortError",
    });
    expect(httpFailureFacts({ error: new ThrottledLocallyError(7000, "read") })).toEqual({
      transient: true,
      mayHaveApplied: false,
      retryAfterMs: 7000,
      reason: "ThrottledLocally",
    });
    // Unknown: not worth retrying, and it may have applied (an at-most-once call is not repeated).
    expect(httpFailureFacts({ error: 42 })).toEqual({
      transient: false,
      mayHaveApplied: true,
      reason: "error",
    });
  });
});

describe("toPortError", () => {
  it("passes a PortError through unchanged", () => {
    const error = new PortError("conflict", "op", "taken");
    expect(toPortError(error, "other")).toBe(error);
  });

  it("an ARM response: status and code in the message, its class, Retry-After and remedy", () => {
    const response = { headers: headers({ "retry-after": "12" }) };
    const throttled = toPortError(
      restError(429, "TooManyRequests", "slow down", { response }),
      "hostPool.read",
      [],
      NOW,
    );
    expect(throttled).toMatchObject({
      kind: "transient",
      operation: "hostPool.read",
      code: "TooManyRequests",
      mayHaveApplied: false,
      retryAfterMs: 12_000,
      remedy: undefined,
    });
    expect(throttled.message).toBe("hostPool.read: HTTP 429 TooManyRequests: slow down");
    const denied = toPortError(restError(403, "AuthorizationFailed", "no access"), "compute.deallocate");
    expect(denied).toMatchObject({ kind: "permanent", mayHaveApplied: false, retryAfterMs: undefined });
    expect(denied.remedy).toMatch(/grant it the role/);
    expect(denied.message).toMatch(/^compute\.deallocate: HTTP 403 AuthorizationFailed: no access Fix: /);
    const noCode = toPortError(restError(500, undefined, "oops"), "op");
    expect(noCode.message).toBe("op: HTTP 500: oops");
    expect(noCode).toMatchObject({ kind: "transient", mayHaveApplied: true });
    // A response whose headers cannot be read gives no wait.
    expect(
      toPortError(restError(429, "TooManyRequests", "x", { response: { headers: {} } }), "op").retryAfterMs,
    ).toBeUndefined();
    expect(
      toPortError(restError(429, "TooManyRequests", "x", { response: null }), "op").retryAfterMs,
    ).toBeUndefined();
  });

  it("a request the pipeline held back: transient, not applied, with the wait", () => {
    expect(toPortError(new ThrottledLocallyError(9000, "write"), "op")).toMatchObject({
      kind: "transient",
      code: "TooManyRequests",
      mayHaveApplied: false,
      retryAfterMs: 9000,
    });
  });

  it("a failed or canceled long-running operation: classified by its code", () => {
    const quota = toPortError(
      new Error("The long-running operation has failed. QuotaExceeded. Operation could not be completed"),
      "compute.create",
    );
    expect(quota).toMatchObject({ kind: "permanent", code: "QuotaExceeded", mayHaveApplied: false });
    expect(quota.remedy).toMatch(/quota/);
    const preempted = toPortError(
      new Error("The long-running operation has failed. OperationPreempted. Another operation"),
      "op",
    );
    expect(preempted).toMatchObject({ kind: "transient", code: "OperationPreempted", mayHaveApplied: true });
    expect(preempted.remedy).toBeUndefined();
    expect(toPortError(new Error("Operation was canceled."), "op")).toMatchObject({
      kind: "transient",
      code: "Canceled",
    });
  });

  it("network failures: transient, saying what happened", () => {
    const aborted = toPortError(Object.assign(new Error("gave up"), { name: "AbortError" }), "op");
    expect(aborted).toMatchObject({ kind: "transient", code: "Timeout", mayHaveApplied: true });
    expect(aborted.message).toBe("op: timed out or aborted: gave up");
    const reset = toPortError(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "op");
    expect(reset).toMatchObject({ kind: "transient", code: "ECONNRESET", mayHaveApplied: true });
    expect(reset.message).toBe("op: network error ECONNRESET: socket hang up");
    const refused = toPortError(Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), "op");
    expect(refused.mayHaveApplied).toBe(false);
  });

  it("anything else: permanent, not applied, its message redacted", () => {
    const other = toPortError(new Error("weird password=hunter2!"), "op", ["hunter2!"]);
    expect(other).toMatchObject({ kind: "permanent", mayHaveApplied: false, code: undefined });
    expect(other.message).not.toContain("hunter2!");
    expect(toPortError("just a string", "op").message).toBe("op: just a string");
    expect(toPortError(Object.assign(new Error(""), { code: "X1" }), "op").message).toMatch(/^op: Error/);
  });
});

describe("status helpers", () => {
  it("statusCodeOf and isNotFound read a RestError's status, or a PortError's kind", () => {
    expect(statusCodeOf(restError(404, "NotFound"))).toBe(404);
    expect(statusCodeOf({ statusCode: "404" })).toBeUndefined();
    expect(statusCodeOf(undefined)).toBeUndefined();
    expect(isNotFound(restError(404, "NotFound"))).toBe(true);
    expect(isNotFound(restError(410, "Gone"))).toBe(false);
    expect(isNotFound(new PortError("notFound", "op", "gone"))).toBe(true);
    expect(isNotFound(new PortError("permanent", "op", "no", undefined, {}))).toBe(false);
  });

  it("the pipeline's own errors name themselves and the wait", () => {
    const throttled = new ThrottledLocallyError(1200, "write");
    expect(throttled).toMatchObject({
      name: "ThrottledLocallyError",
      code: "ThrottledLocally",
      retryAfterMs: 1200,
    });
    expect(throttled.message).toBe("not sent: ARM asked for no write requests for another 2 s (Retry-After)");
    expect(new SendWindowClosedError()).toMatchObject({
      name: "SendWindowClosedError",
      code: "SendWindowClosed",
    });
  });
});
