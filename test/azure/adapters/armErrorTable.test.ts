/**
 * Every class of ARM error, row by row, through the adapters against the emulator: what kind of
 * PortError it becomes, whether it is retried (a transient one up to the call's budget, a
 * permanent one never), whether an at-most-once call could repeat after it, and — for a refusal
 * no retry can overcome — a message that says what to fix.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { classifyArmStatus, classifyOperationCode } from "../../../automation/azure/armErrors";
import { PortError, type PortErrorKind } from "../../../automation/core/errors";
import { DEFAULT_RETRY_BUDGET } from "../../../automation/core/retryBudget";
import { type Harness, startHarness } from "./harness";

const TRIES = DEFAULT_RETRY_BUDGET.tries;

interface Row {
  status: number;
  code: string;
  kind: PortErrorKind;
  /** Whether an at-most-once call may be sent again after it (it certainly did not apply). */
  notApplied: boolean;
  /** What the message must tell the operator to do, for permanent refusals. */
  fix?: RegExp;
}

const TABLE: Row[] = [
  { status: 429, code: "TooManyRequests", kind: "transient", notApplied: true },
  { status: 408, code: "RequestTimeout", kind: "transient", notApplied: false },
  { status: 500, code: "InternalServerError", kind: "transient", notApplied: false },
  { status: 502, code: "BadGateway", kind: "transient", notApplied: false },
  { status: 503, code: "ServiceUnavailable", kind: "transient", notApplied: false },
  { status: 504, code: "GatewayTimeout", kind: "transient", notApplied: false },
  { status: 409, code: "Conflict", kind: "transient", notApplied: true },
  { status: 409, code: "AnotherOperationInProgress", kind: "transient", notApplied: true },
  { status: 409, code: "OperationPreempted", kind: "transient", notApplied: true },
  { status: 409, code: "OperationNotAllowed", kind: "permanent", notApplied: true, fix: /quota/ },
  { status: 409, code: "SkuNotAvailable", kind: "permanent", notApplied: true, fix: /another vmSizeId/ },
  { status: 409, code: "AllocationFailed", kind: "permanent", notApplied: true, fix: /no capacity/ },
  { status: 409, code: "ScopeLocked", kind: "permanent", notApplied: true, fix: /lock/ },
  { status: 409, code: "SomethingElse", kind: "permanent", notApplied: true },
  { status: 400, code: "QuotaExceeded", kind: "permanent", notApplied: true, fix: /quota/ },
  { status: 400, code: "InvalidParameter", kind: "permanent", notApplied: true },
  {
    status: 403,
    code: "RequestDisallowedByPolicy",
    kind: "permanent",
    notApplied: true,
    fix: /Azure Policy/,
  },
  { status: 403, code: "AuthorizationFailed", kind: "permanent", notApplied: true, fix: /grant it the role/ },
  { status: 401, code: "InvalidAuthenticationToken", kind: "permanent", notApplied: true, fix: /credential/ },
  { status: 401, code: "ExpiredAuthenticationToken", kind: "permanent", notApplied: true, fix: /credential/ },
  { status: 404, code: "ResourceNotFound", kind: "notFound", notApplied: true },
];

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  const violations = h.emulator.log.violations();
  await h.close();
  expect(violations).toEqual([]);
});

describe("ARM errors of a request", () => {
  it.each(TABLE)("HTTP $status $code is $kind", async ({ status, code, kind, notApplied, fix }) => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", powerState: "deallocated" });
    h.emulator.faults.inject({
      routes: ["VirtualMachines_Start"],
      action: {
        kind: "status",
        status,
        code,
        message: `Injected ${code}.`,
        ...(status === 429 ? { retryAfter: { seconds: 1 } } : {}),
      },
    });
    const error = await h.ports.compute.start(vmResourceId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({ kind, code, mayHaveApplied: !notApplied });
    expect((error as PortError).message).toContain("compute.start(avdprod-0-vm)");
    if (fix) expect((error as PortError).message).toMatch(new RegExp(`Fix: .*${fix.source}`));
    else expect((error as PortError).remedy).toBeUndefined();
    // Transient: the budget's attempts in all; anything else: once.
    expect(h.emulator.log.byRoute("VirtualMachines_Start")).toHaveLength(kind === "transient" ? TRIES : 1);
  });

  it("a refusal named by its code stays one whatever status carries it", () => {
    expect(classifyArmStatus(500, "AllocationFailed").kind).toBe("permanent");
    expect(classifyArmStatus(400, "SkuNotAvailable").remedy).toMatch(/vmSizeId/);
  });
});

describe("ARM errors of a long-running operation", () => {
  it.each<[string, "Failed" | "Canceled", PortErrorKind, RegExp | undefined]>([
    ["OperationPreempted", "Canceled", "transient", undefined],
    ["InternalExecutionError", "Failed", "transient", undefined],
    ["RetryableError", "Failed", "transient", undefined],
    ["AnotherOperationInProgress", "Failed", "transient", undefined],
    ["AllocationFailed", "Failed", "permanent", /no capacity/],
    ["ZonalAllocationFailed", "Failed", "permanent", /no capacity/],
    ["SkuNotAvailable", "Failed", "permanent", /another vmSizeId/],
    ["OperationNotAllowed", "Failed", "permanent", /quota/],
    ["VMAgentStatusCommunicationError", "Failed", "permanent", undefined],
  ])("%s (%s) is %s", async (code, status, kind, fix) => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", powerState: "deallocated" });
    h.emulator.faults.inject({
      routes: ["VirtualMachines_Start"],
      action: { kind: "lroFailed", status, code, message: `Operation ended: ${code}.` },
    });
    const error = await h.ports.compute.start(vmResourceId).catch((e: unknown) => e);
    // A canceled operation carries no code through the SDK: "Canceled" stands for it.
    expect(error).toMatchObject({ kind, code: status === "Canceled" ? "Canceled" : code });
    if (fix) expect((error as PortError).message).toMatch(new RegExp(`Fix: .*${fix.source}`));
    expect(h.emulator.log.byRoute("VirtualMachines_Start")).toHaveLength(kind === "transient" ? TRIES : 1);
  });

  it("a canceled operation is transient even without an error code", () => {
    expect(classifyOperationCode("Canceled")).toMatchObject({ kind: "transient" });
  });
});
