import * as pulumi from "@pulumi/pulumi";
import { withExpectedRejections } from "./expectedRejections";
import { afterEach, describe, expect, it } from "vitest";
import {
  declareWithoutPromiseStacks,
  promiseStackCaptureLowered,
  promiseStacksWanted,
  restorePromiseStackCapture,
} from "../../program/runtime/promiseStackCapture";

describe("promise stack capture while registering", () => {
  const original = Error.stackTraceLimit;
  afterEach(() => {
    Error.stackTraceLimit = original;
    delete process.env.AVD_ROLLOUT_PROMISE_STACKS;
  });

  it("turns stack capture off while declaring and back on when every URN has resolved", async () => {
    Error.stackTraceLimit = 10;
    let resolveUrn: (urn: string) => void = () => undefined;
    const urn = pulumi.output(new Promise<string>((resolve) => (resolveUrn = resolve)));
    let limitWhileDeclaring = -1;
    const { result, settled } = declareWithoutPromiseStacks(() => {
      limitWhileDeclaring = Error.stackTraceLimit;
      return { result: "declared", urns: [urn] };
    });
    expect(result).toBe("declared");
    expect(limitWhileDeclaring).toBe(0);
    expect(Error.stackTraceLimit).toBe(0); // registrations still in flight
    resolveUrn("urn:pulumi:test::avd-rollout::t::n");
    await settled;
    expect(Error.stackTraceLimit).toBe(10);
  });

  it("rejects with the first registration that fails and restores the limit then", async () => {
    Error.stackTraceLimit = 12;
    let rejectUrn: (error: Error) => void = () => undefined;
    const failing = pulumi.output(new Promise<string>((_, reject) => (rejectUrn = reject)));
    const pending = pulumi.output(new Promise<string>(() => undefined));
    const { settled } = declareWithoutPromiseStacks(() => ({ result: undefined, urns: [pending, failing] }));
    expect(Error.stackTraceLimit).toBe(0);
    const failure = await withExpectedRejections("creating avd-1-vm failed", async () => {
      rejectUrn(new Error("creating avd-1-vm failed"));
      return settled.then(
        () => "settled",
        (error: unknown) => String(error),
      );
    });
    expect(failure).toBe("Error: creating avd-1-vm failed");
    expect(Error.stackTraceLimit).toBe(12);
  });

  it("restores the limit on request when the engine never answers a registration", () => {
    Error.stackTraceLimit = 11;
    // A registration the engine abandoned: the SDK settles its URN neither way.
    const abandoned = pulumi.output(new Promise<string>(() => undefined));
    declareWithoutPromiseStacks(() => ({ result: undefined, urns: [abandoned] }));
    expect(promiseStackCaptureLowered()).toBe(true);
    expect(Error.stackTraceLimit).toBe(0);
    restorePromiseStackCapture();
    expect(Error.stackTraceLimit).toBe(11);
    expect(promiseStackCaptureLowered()).toBe(false);
    restorePromiseStackCapture(); // idempotent
    expect(Error.stackTraceLimit).toBe(11);
  });

  it("restores the limit when declaring throws", () => {
    Error.stackTraceLimit = 7;
    expect(() =>
      declareWithoutPromiseStacks(() => {
        throw new Error("bad");
      }),
    ).toThrow("bad");
    expect(Error.stackTraceLimit).toBe(7);
  });

  it("keeps stacks when asked to (debugging promise leaks)", async () => {
    expect(promiseStacksWanted({ AVD_ROLLOUT_PROMISE_STACKS: "1" })).toBe(true);
    expect(promiseStacksWanted({ PULUMI_DEBUG_PROMISE_LEAKS: "true" })).toBe(true);
    expect(promiseStacksWanted({})).toBe(false);
    process.env.AVD_ROLLOUT_PROMISE_STACKS = "1";
    Error.stackTraceLimit = 9;
    let limitWhileDeclaring = -1;
    const { settled } = declareWithoutPromiseStacks(() => {
      limitWhileDeclaring = Error.stackTraceLimit;
      return { result: undefined, urns: [pulumi.output("urn")] };
    });
    await settled;
    expect(limitWhileDeclaring).toBe(9);
  });
});
