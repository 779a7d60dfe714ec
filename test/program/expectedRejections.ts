/**
 * When a resource registration fails, the Pulumi SDK rejects that resource's other internal
 * promises too (its id, its outputs, what is derived from them) with nobody awaiting them; in a
 * real run the language host reports them. A test of that failure expects them: this runs the body
 * with those rejections routed to a filter instead of the test runner, and hands any other
 * rejection to the runner as before.
 */
function isExpected(reason: unknown, mentions: string): boolean {
  return String(reason instanceof Error ? reason.message : reason).includes(mentions);
}

/** Runs `body`; unhandled rejections whose message mentions `mentions` are expected and dropped. */
export async function withExpectedRejections<T>(mentions: string, body: () => Promise<T>): Promise<T> {
  const runnerListeners = process.listeners("unhandledRejection");
  let seen = 0;
  const filter = (reason: unknown, promise: Promise<unknown>) => {
    seen += 1;
    if (isExpected(reason, mentions)) return;
    for (const listener of runnerListeners) listener(reason, promise);
  };
  process.removeAllListeners("unhandledRejection");
  process.on("unhandledRejection", filter);
  try {
    return await body();
  } finally {
    // Node reports unhandled rejections after the current turn: let them drain to the filter
    // (until a turn brings no new one) before the runner listens again.
    for (let quiet = 0, rounds = 0; quiet < 2 && rounds < 50; rounds++) {
      const before = seen;
      await new Promise((resolve) => setTimeout(resolve, 20));
      quiet = seen === before ? quiet + 1 : 0;
    }
    process.off("unhandledRejection", filter);
    for (const listener of runnerListeners) process.on("unhandledRejection", listener);
  }
}
