/**
 * The Pulumi Node SDK wraps every promise it creates (several per Output, one Output per
 * resource property) in `debuggablePromise`, which stores `new Error().stack` on it for leak
 * reports. Formatting those stacks — through source maps under tsx/ts-node — was two thirds of
 * the program's evaluation time (docs/program.md has the profile). No SDK option turns it off.
 *
 * While the program registers its resources, `Error.stackTraceLimit = 0` makes those captures
 * empty. What reaches the engine is unchanged: the SDK raises the limit itself when it records
 * each resource's source position (Resource.callsites). The limit is restored once every
 * registration has been answered, so errors raised afterwards keep their stacks.
 */
import * as pulumi from "@pulumi/pulumi";

/** Set AVD_ROLLOUT_PROMISE_STACKS=1 to keep the SDK's promise stacks (debugging promise leaks). */
export function promiseStacksWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AVD_ROLLOUT_PROMISE_STACKS === "1" || env.PULUMI_DEBUG_PROMISE_LEAKS !== undefined;
}

/**
 * Runs `declare` with stack capture off, and turns it back on when the outputs it returns
 * (URNs of every registered resource) have all resolved.
 */
export function declareWithoutPromiseStacks<T>(declare: () => { result: T; urns: pulumi.Output<string>[] }): {
  result: T;
  settled: Promise<void>;
} {
  if (promiseStacksWanted()) {
    const { result, urns } = declare();
    return { result, settled: settledAll(urns) };
  }
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    const { result, urns } = declare();
    const settled = settledAll(urns).finally(() => {
      Error.stackTraceLimit = previous;
    });
    return { result, settled };
  } catch (error) {
    Error.stackTraceLimit = previous;
    throw error;
  }
}

function settledAll(urns: pulumi.Output<string>[]): Promise<void> {
  return new Promise<void>((resolve) => {
    pulumi.all(urns).apply(() => resolve());
  });
}
