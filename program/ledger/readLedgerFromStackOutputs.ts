/**
 * The ledger of a plain `pulumi up` / `pulumi preview` (program/index.ts): the per-host resource
 * sets the stack's previous update exported, read back through the engine's builtin
 * `pulumi:pulumi:readStackOutputs` invoke — the call behind `StackReference`
 * (pkg/resource/deploy/builtins.go, builtinProvider.readStackReference), here on the stack itself.
 *
 * Why this is sound (docs/program.md, "Per-host resource sets"):
 * - It reads `backendClient.GetStackOutputs` → `Stack.SnapshotStackOutputs`: the outputs of the
 *   latest checkpoint. The root stack resource is registered before any invoke runs, and its
 *   same step keeps the old outputs until the program registers new ones at its end, so what is
 *   read is what the previous update exported. A stack without a checkpoint yet reads as empty
 *   (diy: `getSnapshotStackOutputs`), so a first `pulumi preview` works.
 * - Every update the program completes exports, for every host, exactly the resource kinds it
 *   declared, and a completed update leaves the state equal to what was declared.
 * - After a failed update the outputs are those of the last completed one. The kinds of a host
 *   outside every batch did not change; a batch host's set may have: then the difference is
 *   resolved in state only, because every host resource has `retainOnDelete` (a kind the outputs
 *   lack is dropped from state, never deleted in Azure), or on that host's next batch.
 * The builtin `pulumi:pulumi:readStackResourceOutputs` would read the resources themselves, but
 * `backendClient.GetStackResourceOutputs` dereferences the snapshot without a nil check: on a
 * stack with no checkpoint (a first `pulumi preview`) it panics the CLI (pkg/backend/backend.go).
 * The driver does not use this: it hands the inline program the exact ledger from
 * `stack.exportStack()`.
 */
import * as pulumi from "@pulumi/pulumi";
import { ledgerFromStackOutputs, type StateLedger } from "./stateLedger";

export const READ_STACK_OUTPUTS_TOKEN = "pulumi:pulumi:readStackOutputs";

/** The organization name the diy (file) backend reports; its legacy store only takes bare stack names. */
const DIY_ORGANIZATION = "organization";

export class LedgerUnavailableError extends Error {
  constructor(stackName: string, cause: unknown) {
    super(
      `Cannot read the ledger of stack ${stackName} (its previous outputs: ${
        cause instanceof Error ? cause.message : String(cause)
      }). Without it a plain \`pulumi up\` cannot tell which resources each running session host has, ` +
        "so nothing was changed. Check that the Pulumi CLI can read the stack (`pulumi stack output sessionHosts`), " +
        "or use `avd-rollout` (the driver reads the state itself).",
    );
    this.name = "LedgerUnavailableError";
  }
}

type Invoke = (token: string, args: Record<string, unknown>) => Promise<unknown>;

const engineInvoke: Invoke = (token, args) => pulumi.runtime.invoke(token, args);

/** The names to read the stack by: fully qualified, then (diy legacy store only) the bare name. */
export function selfStackNames(organization: string, project: string, stack: string): string[] {
  const qualified = `${organization}/${project}/${stack}`;
  return organization === DIY_ORGANIZATION ? [qualified, stack] : [qualified];
}

/** Reads the ledger the stack's previous update exported (empty for a stack never updated). */
export async function readLedgerFromStackOutputs(
  invoke: Invoke = engineInvoke,
  names: string[] = selfStackNames(pulumi.getOrganization(), pulumi.getProject(), pulumi.getStack()),
): Promise<StateLedger> {
  let lastError: unknown;
  for (const name of names) {
    try {
      const result = (await invoke(READ_STACK_OUTPUTS_TOKEN, { name })) as { outputs?: unknown } | undefined;
      return ledgerFromStackOutputs(result?.outputs ?? {});
    } catch (error) {
      lastError = error;
    }
  }
  throw new LedgerUnavailableError(names[0] ?? "(unnamed)", lastError);
}
