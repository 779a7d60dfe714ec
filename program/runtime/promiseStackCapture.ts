/**
 * The Pulumi Node SDK wraps every promise it creates (several per Output, one Output per
 * resource property) in `debuggablePromise`, which stores `new Error().stack` on it for leak
 * reports. Formatting those stacks — through source maps under tsx/ts-node — was two thirds of
 * the program's evaluation time (docs/program.md has the profile). No SDK option turns it off.
 *
 * While the program registers its resources, `Error.stackTraceLimit = 0` makes those captures
 * empty. What reaches the engine is unchanged: the SDK raises the limit itself when it records
 * each resource's source position (Resource.callsites).
 *
 * The limit must come back in every outcome, because the inline program runs in the driver's
 * own process:
 * - every registration answered: restored then;
 * - a registration rejected (an input that fails to resolve, a monitor error): restored at the
 *   first rejection, and `settled` rejects with it, so the program returns that error;
 * - a registration the engine never answers: when an update fails, the engine cancels and shuts
 *   the resource monitor down; the SDK swallows the resulting UNAVAILABLE/CANCELLED errors
 *   without settling the resource's URN (runtime/resource.js, resolveURN: `isGrpcError`), so
 *   nothing in the program can observe the end. Whoever hosts the inline program calls
 *   {@link restorePromiseStackCapture} once the engine is done with it (automation/pulumi does,
 *   after every Automation API call).
 */
import type * as pulumi from "@pulumi/pulumi";

/** Set AVD_ROLLOUT_PROMISE_STACKS=1 to keep the SDK's promise stacks (debugging promise leaks). */
export function promiseStacksWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AVD_ROLLOUT_PROMISE_STACKS === "1" || env.PULUMI_DEBUG_PROMISE_LEAKS !== undefined;
}

/** The limit in force before the program lowered it; undefined when it is not lowered. */
let loweredFrom: number | undefined;

/** Puts `Error.stackTraceLimit` back to what it was before a declaration lowered it. Idempotent. */
export function restorePromiseStackCapture(): void {
  if (loweredFrom === undefined) return;
  Error.stackTraceLimit = loweredFrom;
  loweredFrom = undefined;
}

/** Whether a declaration currently holds stack capture off. */
export function promiseStackCaptureLowered(): boolean {
  return loweredFrom !== undefined;
}

/**
 * Runs `declare` with stack capture off, and turns it back on when the outputs it returns (URNs
 * of every registered resource) have all resolved, or at the first that rejects. `settled`
 * resolves, or rejects with that first error.
 */
export function declareWithoutPromiseStacks<T>(declare: () => { result: T; urns: pulumi.Output<string>[] }): {
  result: T;
  settled: Promise<void>;
} {
  if (promiseStacksWanted()) {
    const { result, urns } = declare();
    return { result, settled: settledAll(urns) };
  }
  if (loweredFrom === undefined) {
    loweredFrom = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
  }
  try {
    const { result, urns } = declare();
    const settled = settledAll(urns).finally(restorePromiseStackCapture);
    return { result, settled };
  } catch (error) {
    restorePromiseStackCapture();
    throw error;
  }
}

interface OutputWithPromise {
  /** The SDK's own settlement of an Output (OutputImpl.promise; not in the public typings). */
  promise(withUnknowns?: boolean): Promise<unknown>;
}

function hasPromise(output: unknown): output is OutputWithPromise {
  return typeof (output as { promise?: unknown }).promise === "function";
}

/** Resolves when the Output resolves, rejects when it rejects. */
function settlementOf(output: pulumi.Output<string>): Promise<unknown> {
  if (hasPromise(output)) return output.promise(true);
  // An SDK without OutputImpl.promise: only resolution can be observed.
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

function settledAll(urns: readonly pulumi.Output<string>[]): Promise<void> {
  return Promise.all(urns.map(settlementOf)).then(() => undefined);
}
