/**
 * The verdict on a batch preview (spec section 4, last paragraph): before each batch's `up`,
 * the driver refuses to proceed if any resource outside the batch would be replaced or deleted.
 * Computed from the engine events of `stack.preview({ onEvent })`, so it is pure and tested
 * without a Pulumi CLI.
 */
import type { EngineEvent, OpType } from "@pulumi/pulumi/automation";
import type { PreviewVerdict } from "../core/ports";
import { hostMatcher, hostOfUrn } from "./hostOfResource";

/** Steps that destroy an existing resource (or its current generation). */
const DESTRUCTIVE_OPS: ReadonlySet<OpType> = new Set<OpType>([
  "replace",
  "create-replacement",
  "delete-replaced",
  "delete",
  "discard-replaced",
  "import-replacement",
]);

/** Steps that bring a new resource or a new generation into being. */
const CREATIVE_OPS: ReadonlySet<OpType> = new Set<OpType>(["create", "replace", "create-replacement"]);

export interface PlannedStep {
  urn: string;
  op: OpType;
  /** The host the resource belongs to, or null for a resource shared by the pool. */
  host: string | null;
  /**
   * Dropping a leftover from state only: the old half of an earlier create-before-delete
   * replacement (recorded `delete: true`) with `retainOnDelete`, whose delete step never calls
   * the provider (pkg/resource/deploy/step.go, DeleteStep.Apply). A failed batch leaves these
   * behind; the next update of any kind removes them (step_generator.go, GenerateDeletes).
   */
  stateOnlyCleanup: boolean;
}

/** Every planned step of a preview, one per URN and op, in event order. */
export function plannedSteps(events: readonly EngineEvent[], knownHosts: Iterable<string>): PlannedStep[] {
  const match = hostMatcher(knownHosts);
  const seen = new Set<string>();
  const steps: PlannedStep[] = [];
  for (const event of events) {
    const metadata = event.resourcePreEvent?.metadata;
    if (!metadata) continue;
    const key = `${metadata.op} ${metadata.urn}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const parent = metadata.new?.parent ?? metadata.old?.parent;
    const stateOnlyCleanup =
      metadata.op === "delete-replaced" &&
      metadata.old?.delete === true &&
      metadata.old.retainOnDelete === true;
    steps.push({
      urn: metadata.urn,
      op: metadata.op,
      host: hostOfUrn(metadata.urn, match, parent),
      stateOnlyCleanup,
    });
  }
  return steps;
}

/**
 * Resources outside `batchHosts` that would be replaced or deleted (pool-level resources
 * included: they belong to no batch), and the batch's own replacements and creations.
 * `knownHosts` are every host name the pool has or will have, so resources can be attributed.
 * `unservedHosts` are configured hosts the state records no VM for (being created: nobody is
 * signed in to them), whose resources may change in any update. Dropping a leftover of an
 * earlier replacement from state ({@link PlannedStep.stateOnlyCleanup}) touches nothing in Azure
 * and is allowed too.
 */
export function previewVerdict(
  events: readonly EngineEvent[],
  batchHosts: readonly string[],
  knownHosts: Iterable<string>,
  unservedHosts: Iterable<string> = [],
): PreviewVerdict {
  const mayChange = new Set([...batchHosts, ...unservedHosts]);
  const inBatch = new Set(batchHosts);
  const outside = new Set<string>();
  const batch = new Set<string>();
  for (const step of plannedSteps(events, [...knownHosts, ...batchHosts, ...mayChange])) {
    const isBatchResource = step.host !== null && inBatch.has(step.host);
    const mayChangeResource = step.host !== null && mayChange.has(step.host);
    if (DESTRUCTIVE_OPS.has(step.op) && !mayChangeResource && !step.stateOnlyCleanup) outside.add(step.urn);
    if (CREATIVE_OPS.has(step.op) && isBatchResource) batch.add(step.urn);
  }
  return { outsideBatchChanges: [...outside], batchChanges: [...batch] };
}

/** The refusal message for a verdict with changes outside the batch, or null when it may proceed. */
export function refusalOf(verdict: PreviewVerdict, batchHosts: readonly string[]): string | null {
  if (verdict.outsideBatchChanges.length === 0) return null;
  const shown = verdict.outsideBatchChanges.slice(0, 10).join(", ");
  const more =
    verdict.outsideBatchChanges.length > 10 ? ` and ${verdict.outsideBatchChanges.length - 10} more` : "";
  return (
    `refusing to update batch [${batchHosts.join(", ")}]: the preview would replace or delete ` +
    `${verdict.outsideBatchChanges.length} resource(s) outside the batch: ${shown}${more}. Nothing was changed. ` +
    `Check that the program marks hosts outside the batch with ignoreChanges and that no host was removed from the configuration.`
  );
}

/** Steps that mean the deployed pool differs from what the program declares (drift). */
export function driftSteps(steps: readonly PlannedStep[]): PlannedStep[] {
  return steps.filter((step) => step.op !== "same" && step.op !== "read");
}
