/**
 * The resource options that make the stack state the ledger (spec section 4, docs/program.md).
 *
 * Pure: the mock runtime does not apply `ignoreChanges` or `protect`, so tests check the options
 * this function computes, and the program applies them verbatim to every resource of a host.
 */

/** Options shared by every resource of one host. */
export interface HostResourceOptions {
  /**
   * Hosts outside the batch: `true`, so dropping one from the program (count lowered, prefix
   * changed, stale checkout) fails the update loudly instead of deleting a VM users sit on.
   * Hosts in the batch: `false`; the engine lets "unprotect and replace" happen in one update.
   */
  protect: boolean;
  /**
   * Hosts outside the batch: `["*"]`, so the engine keeps their recorded inputs (old VM name,
   * old image, old revision tag) whatever the configuration says now: no update, no replace.
   * Hosts in the batch: none, so the new generation's names force the replacement.
   */
  ignoreChanges: string[] | undefined;
  /**
   * Always: a replaced or deleted host resource is only dropped from state; the driver
   * deallocates and then deletes or keeps the original VM itself (`deleteOriginalVm`).
   */
  retainOnDelete: true;
}

/** Options for the resources of `host` when the update may change exactly `batch`. */
export function hostResourceOptions(host: string, batch: ReadonlySet<string>): HostResourceOptions {
  return batch.has(host)
    ? { protect: false, ignoreChanges: undefined, retainOnDelete: true }
    : { protect: true, ignoreChanges: ["*"], retainOnDelete: true };
}

/**
 * Checks a batch against the hosts the configuration declares: every batch host must be one of
 * them (a typo would otherwise silently change nothing), and none may repeat.
 */
export function batchProblems(batchHosts: readonly string[], declaredHosts: readonly string[]): string[] {
  const declared = new Set(declaredHosts);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const host of batchHosts) {
    if (seen.has(host)) problems.push(`batch host "${host}" is listed twice`);
    seen.add(host);
    if (!declared.has(host)) {
      problems.push(
        `batch host "${host}" is not one of the configured session hosts ` +
          `(${declaredHosts.length === 0 ? "none" : `${declaredHosts[0]} .. ${declaredHosts[declaredHosts.length - 1]}`}); ` +
          "pass hosts named <vmNamePrefix>-<index> below avd-rollout:sessionHosts.count",
      );
    }
  }
  return problems;
}
