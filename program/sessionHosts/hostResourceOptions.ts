/**
 * The resource options that make the stack state the ledger (spec section 4, docs/program.md).
 *
 * Pure: the mock runtime does not apply resource options, so the program tests check the options
 * this function computes, and test/program/engineRules checks what the engine does with them.
 * Every rule below cites the engine or provider source it relies on (docs/program.md, "Engine
 * rules").
 */
import { isOptionalKind, type HostResourceKind } from "./resourceKinds";
import type { StateLedger } from "../ledger/stateLedger";

/**
 * What this update may do to a host:
 * - `replace`: the host is in the batch and in state: a new VM generation replaces its resources;
 * - `create`: the state records no VM for the host (count raised, or a first create that failed):
 *   it is created with the current configuration, batch or not — nobody is signed in to it;
 * - `keep`: the host runs and is outside the batch: its resources stay exactly as state records them.
 */
export type HostMode = "replace" | "create" | "keep";

export function hostMode(host: string, batch: ReadonlySet<string>, ledger: StateLedger): HostMode {
  const inState = ledger.hosts.get(host);
  const hasVm = inState !== undefined && (inState.kinds === null || inState.kinds.has("vm"));
  if (!hasVm) return "create";
  return batch.has(host) ? "replace" : "keep";
}

/** Options of one resource of one host. */
export interface HostResourceOptions {
  /**
   * `keep` hosts, lifelong kinds: `true`, so a host dropped from the program (count lowered,
   * prefix changed, stale checkout) fails the update instead of leaving state. Never for optional
   * kinds: a batch drops them from state when a toggle turns them off, and the engine refuses to
   * delete a protected resource (step.go, DeleteStep.Apply). Never for `replace`/`create`: the
   * engine refuses to replace a resource whose new goal is protected (step_generator.go,
   * continueStepsFromDiff, `new.Protect && old.Protect`).
   */
  protect: boolean;
  /**
   * `keep` hosts: `["*"]`, so the engine resets every input to the recorded one before it asks the
   * provider (step_generator.go, processIgnoreChanges; properties_path.go, PropertyPath.reset with
   * `*`): no update, no replace. Otherwise none.
   */
  ignoreChanges: string[] | undefined;
  /**
   * Always `false`, set explicitly: azure-native asks for delete-before-replace whenever a resource
   * is replaced (provider.go, Diff: `deleteBeforeReplace := len(replaces) > 0`) and the engine
   * follows it unless the program sets the option (step_generator.go, continueStepsFromDiff). In
   * delete-before-replace the engine also replaces every dependent whose replace-forcing input
   * comes from the replaced resource and aborts when that dependent's recorded state is protected
   * (calculateDependentReplacements), and the old VM leaves state before the new one exists. A
   * new generation has new Azure names throughout, so create-before-delete never collides.
   */
  deleteBeforeReplace: false;
  /**
   * Always: a replaced or deleted host resource is only dropped from state (step.go,
   * DeleteStep.Apply: `RetainOnDelete` skips the provider's Delete); the driver deallocates and
   * then deletes or keeps the original VM itself (`deleteOriginalVm`).
   */
  retainOnDelete: true;
}

/** Options for the resource of `kind` of a host in `mode`. */
export function hostResourceOptions(mode: HostMode, kind: HostResourceKind): HostResourceOptions {
  return mode === "keep"
    ? {
        protect: !isOptionalKind(kind),
        ignoreChanges: ["*"],
        deleteBeforeReplace: false,
        retainOnDelete: true,
      }
    : { protect: false, ignoreChanges: undefined, deleteBeforeReplace: false, retainOnDelete: true };
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
