/**
 * A MODEL of what the Pulumi engine (pulumi/pulumi v3.248.0, pkg/resource/deploy) and the
 * azure-native provider (v3.28.0, provider/pkg/provider) do with the resources the program
 * registers. It is not the engine: it is the subset of its rules this program relies on,
 * written down in one place with the source each rule comes from, so that a test can check
 * every batch of a rollout against them (test/program/engineRules/*.test.ts). When a pinned
 * version changes, re-read the cited functions and update the rule here first.
 *
 * Rules (E = engine, pkg/resource/deploy; P = azure-native, provider/pkg/provider):
 *  E1 ignoreChanges: before Check/Diff the engine resets every ignored input path to the
 *     recorded one; `*` on the top-level object copies every recorded input and drops inputs the
 *     record lacks (step_generator.go, processIgnoreChanges; properties_path.go, PropertyPath.reset).
 *  E2 A resource with a record whose diff has changes is updated or, when the diff asks for it or
 *     the record is pending replacement, replaced (step_generator.go, continueStepsFromDiff).
 *  E3 A replacement is refused when both the new goal and the record are protected: abort in
 *     `up`, an error diagnostic in preview (continueStepsFromDiff, `new.Protect && old.Protect`).
 *  E4 Delete-before-replace is the provider's choice unless the program sets the option
 *     (continueStepsFromDiff: `if goal.DeleteBeforeReplace != nil`). In delete-before-replace the
 *     engine first computes the dependents to replace (calculateDependentReplacements): the
 *     transitive dependents in the recorded graph not yet registered in this update, of which
 *     those with an input whose property dependency is in the replace set are diffed with that
 *     input unknown; every one the provider would replace is deleted first, and a protected one
 *     aborts the update, in preview too ("unable to replace resource ... as part of replacing ...").
 *     The replaced record itself is deleted first and marked pending replacement (step.go,
 *     DeleteStep.Apply) until its create succeeds.
 *  E5 Create-before-delete: the new resource is created, then the record is marked for deletion
 *     (step.go, CreateStep.Apply: `s.old.Delete = true`); the delete runs after every create and
 *     update of the update (GenerateDeletes), and never if the update failed before.
 *  E6 Records the program did not register are deleted; a protected one fails the update but the
 *     others still run (step.go, DeleteStep.Apply: deleteProtectedError; step_executor.go,
 *     cancelDueToError). Records marked for deletion are deleted as part of a replacement, with no
 *     protect check; a record pending replacement that is not registered is just dropped
 *     (GenerateDeletes: NewRemovePendingReplaceStep).
 *  E7 retainOnDelete: a delete step never calls the provider, the record just leaves state
 *     (DeleteStep.Apply).
 *  E8 A record with init errors (a partially failed create) is updated even when its diff is empty
 *     (continueStepsFromDiff, `hasInitErrors`).
 *  E9 A failed step stops the update: steps not yet run never run, deletes included
 *     (step_executor.go, executeChain/cancelDueToError). The model runs steps one at a time in
 *     registration order; the engine runs independent steps in parallel, so in a real failure other
 *     hosts' steps already in flight may also complete.
 *  P1 Diff: every input that is a parameter of the resource's URL path forces a replacement
 *     (diff.go, calculateDetailedDiff: "All the parameters that are part of the resource path cause
 *     a replacement"); an unknown input counts as changed. Body properties marked forceNew are not
 *     modelled: the program never changes one on a kept resource, and a replaced one changes its
 *     path anyway.
 *  P2 Diff asks for delete-before-replace whenever it replaces (provider.go, Diff:
 *     `deleteBeforeReplace := len(replaces) > 0`). It does not read the request's ignoreChanges.
 *  P3 Resource ids are the ARM ids built from the path parameters; outputs include the inputs.
 */

/** An input whose value is not known yet (preview of a resource being created). */
export const UNKNOWN = "\u27e8unknown\u27e9";

/** What the program registered, as the engine receives it (captured under the mock runtime). */
export interface Goal {
  urn: string;
  type: string;
  name: string;
  /** Inputs with references to other resources' ids as {@link idReference} placeholders. */
  inputs: Record<string, unknown>;
  protect: boolean;
  ignoreChanges: string[];
  /** undefined: the program left it to the provider. */
  deleteBeforeReplace: boolean | undefined;
  retainOnDelete: boolean;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
}

/** One record of the state. */
export interface StateEntry {
  urn: string;
  type: string;
  inputs: Record<string, unknown>;
  outputs: Record<string, unknown> & { id: string };
  protect: boolean;
  ignoreChanges: string[];
  retainOnDelete: boolean;
  dependencies: string[];
  propertyDependencies: Record<string, string[]>;
  delete: boolean;
  pendingReplacement: boolean;
  initErrors: boolean;
}

export type StepOp =
  | "same"
  | "create"
  | "update"
  | "replace"
  | "create-replacement"
  | "delete-replaced"
  | "delete"
  | "remove-pending-replace";

export interface Step {
  op: StepOp;
  urn: string;
  old?: StateEntry;
  new?: StateEntry;
  /** For a replacement: delete-before-replace. */
  deleteBeforeReplace?: boolean;
}

export interface Plan {
  steps: Step[];
  /** Error diagnostics (the update fails; in preview generation goes on where the engine does). */
  errors: string[];
  /** The engine stopped generating steps (a bail). */
  aborted: boolean;
}

// ---------------------------------------------------------------------------------------------
// Provider (P1–P3)
// ---------------------------------------------------------------------------------------------

const SUBSCRIPTION = "/subscriptions/00000000-0000-0000-0000-000000000000";

/** P1: the inputs that are URL path parameters, per type (the PUT paths of the ARM API). */
export const PATH_PARAMETERS: Record<string, string[]> = {
  "azure-native:network:NetworkInterface": ["resourceGroupName", "networkInterfaceName"],
  "azure-native:compute:VirtualMachine": ["resourceGroupName", "vmName"],
  "azure-native:compute:VirtualMachineExtension": ["resourceGroupName", "vmName", "vmExtensionName"],
  "azure-native:monitor:DataCollectionRuleAssociation": ["resourceUri", "associationName"],
};

function str(value: unknown): string {
  return typeof value === "string" ? value : UNKNOWN;
}

/** P3: the ARM id of a resource from its inputs. */
export function modelId(type: string, inputs: Record<string, unknown>): string {
  const rg = `${SUBSCRIPTION}/resourceGroups/${str(inputs.resourceGroupName)}/providers`;
  switch (type) {
    case "azure-native:network:NetworkInterface":
      return `${rg}/Microsoft.Network/networkInterfaces/${str(inputs.networkInterfaceName)}`;
    case "azure-native:compute:VirtualMachine":
      return `${rg}/Microsoft.Compute/virtualMachines/${str(inputs.vmName)}`;
    case "azure-native:compute:VirtualMachineExtension":
      return `${rg}/Microsoft.Compute/virtualMachines/${str(inputs.vmName)}/extensions/${str(inputs.vmExtensionName)}`;
    case "azure-native:monitor:DataCollectionRuleAssociation":
      return `${str(inputs.resourceUri)}/providers/Microsoft.Insights/dataCollectionRuleAssociations/${str(inputs.associationName)}`;
    default:
      throw new Error(`engine model: no provider model for ${type}`);
  }
}

function nameParameterOf(type: string): string {
  const path = PATH_PARAMETERS[type];
  if (!path) throw new Error(`engine model: no provider model for ${type}`);
  return path[path.length - 1]!;
}

function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (containsUnknown(a) || containsUnknown(b)) return false;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export interface ProviderDiff {
  changedKeys: string[];
  replaceKeys: string[];
  deleteBeforeReplace: boolean;
}

/** P1, P2: azure-native's Diff of recorded inputs against new inputs. */
export function providerDiff(
  type: string,
  oldInputs: Record<string, unknown>,
  newInputs: Record<string, unknown>,
): ProviderDiff {
  const keys = new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)]);
  const changedKeys = [...keys].filter((key) => !sameValue(oldInputs[key], newInputs[key])).sort();
  const path = PATH_PARAMETERS[type] ?? [];
  const replaceKeys = changedKeys.filter((key) => path.includes(key));
  return { changedKeys, replaceKeys, deleteBeforeReplace: replaceKeys.length > 0 };
}

// ---------------------------------------------------------------------------------------------
// Engine (E1–E9)
// ---------------------------------------------------------------------------------------------

/** How the mock runtime lets a registration refer to another resource's id. */
export function idReference(type: string, name: string): string {
  return `@@id@@${type}::${name}`;
}

const ID_REFERENCE = /^@@id@@(.+)::([^:]+)$/;

function substitute(value: unknown, idOf: (type: string, name: string) => string): unknown {
  if (typeof value === "string") {
    const match = ID_REFERENCE.exec(value);
    return match ? idOf(match[1]!, match[2]!) : value;
  }
  if (Array.isArray(value)) return value.map((item) => substitute(item, idOf));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, idOf)]));
  }
  return value;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** E1, for the only path the program uses. */
function applyIgnoreChanges(
  inputs: Record<string, unknown>,
  recorded: Record<string, unknown>,
  ignoreChanges: readonly string[],
): Record<string, unknown> {
  if (ignoreChanges.length === 0) return inputs;
  if (ignoreChanges.length === 1 && ignoreChanges[0] === "*") return clone(recorded);
  throw new Error(`engine model: ignoreChanges ${JSON.stringify(ignoreChanges)} is not modelled`);
}

function entryOf(goal: Goal, inputs: Record<string, unknown>, id: string): StateEntry {
  return {
    urn: goal.urn,
    type: goal.type,
    inputs,
    outputs: { ...clone(inputs), id, name: inputs[nameParameterOf(goal.type)] },
    protect: goal.protect,
    ignoreChanges: [...goal.ignoreChanges],
    retainOnDelete: goal.retainOnDelete,
    dependencies: [...goal.dependencies],
    propertyDependencies: clone(goal.propertyDependencies),
    delete: false,
    pendingReplacement: false,
    initErrors: false,
  };
}

/** E4: the recorded dependents a delete-before-replace of `root` replaces too. */
function dependentReplacements(
  olds: readonly StateEntry[],
  root: StateEntry,
  registered: ReadonlySet<string>,
): StateEntry[] {
  const live = olds.filter((entry) => !entry.delete);
  const start = live.indexOf(root);
  const dependentSet = new Set([root.urn]);
  const replaceSet = new Set([root.urn]);
  const toReplace: StateEntry[] = [];
  for (const candidate of live.slice(start + 1)) {
    if (registered.has(candidate.urn)) continue;
    const allDeps = [...candidate.dependencies, ...Object.values(candidate.propertyDependencies).flat()];
    if (!allDeps.some((dep) => dependentSet.has(dep))) continue;
    dependentSet.add(candidate.urn);
    let depends = false;
    const inputsForDiff: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(candidate.inputs)) {
      const deps = candidate.propertyDependencies[key] ?? [];
      if (deps.some((dep) => replaceSet.has(dep))) {
        depends = true;
        inputsForDiff[key] = UNKNOWN;
      } else {
        inputsForDiff[key] = value;
      }
    }
    if (!depends) continue;
    // P2: azure-native's Diff does not apply the record's ignoreChanges.
    if (providerDiff(candidate.type, candidate.inputs, inputsForDiff).replaceKeys.length > 0) {
      toReplace.push(candidate);
      replaceSet.add(candidate.urn);
    }
  }
  return toReplace;
}

export interface PlanOptions {
  /** Preview (dry run): ids of resources being created are unknown. */
  preview: boolean;
}

/** The steps of one update of `olds` to `goals` (registration order), E1–E8. */
export function plan(olds: readonly StateEntry[], goals: readonly Goal[], options: PlanOptions): Plan {
  const steps: Step[] = [];
  const errors: string[] = [];
  const urnByTypeAndName = new Map(goals.map((goal) => [`${goal.type}::${goal.name}`, goal.urn]));
  const newIdOf = new Map<string, string>();
  const registered = new Set<string>();
  const deletedEarly = new Set<string>();
  const operated = new Set<string>();
  const idOf = (type: string, name: string): string => {
    const urn = urnByTypeAndName.get(`${type}::${name}`);
    const id = urn === undefined ? undefined : newIdOf.get(urn);
    if (id === undefined) throw new Error(`engine model: ${type}::${name} is used before it is registered`);
    return id;
  };
  const bail = (message: string): Plan => {
    errors.push(message);
    return { steps, errors, aborted: true };
  };

  for (const goal of goals) {
    registered.add(goal.urn);
    const old = olds.find((entry) => entry.urn === goal.urn && !entry.delete);
    let inputs = substitute(clone(goal.inputs), idOf) as Record<string, unknown>;
    const creating = (entry: StateEntry) =>
      newIdOf.set(goal.urn, options.preview ? UNKNOWN : entry.outputs.id);

    if (old === undefined) {
      const entry = entryOf(goal, inputs, modelId(goal.type, inputs));
      steps.push({ op: "create", urn: goal.urn, new: entry });
      creating(entry);
      operated.add(goal.urn);
      continue;
    }
    operated.add(goal.urn);
    if (deletedEarly.has(goal.urn)) {
      // E4, "recreating": a dependent deleted by an earlier delete-before-replace.
      const entry = entryOf(goal, inputs, modelId(goal.type, inputs));
      steps.push({ op: "replace", urn: goal.urn, old, new: entry, deleteBeforeReplace: true });
      steps.push({ op: "create-replacement", urn: goal.urn, old, new: entry, deleteBeforeReplace: true });
      creating(entry);
      continue;
    }
    inputs = applyIgnoreChanges(inputs, old.inputs, goal.ignoreChanges); // E1
    const diff = providerDiff(goal.type, old.inputs, inputs);
    const replace = diff.replaceKeys.length > 0 || old.pendingReplacement; // E2
    if (replace) {
      if (goal.protect && old.protect) {
        // E3
        const message = `unable to replace resource "${goal.urn}"\nas it is currently marked for protection`;
        if (!options.preview) return bail(message);
        errors.push(message);
      }
      const entry = entryOf(goal, inputs, modelId(goal.type, inputs));
      const deleteBeforeReplace = goal.deleteBeforeReplace ?? diff.deleteBeforeReplace; // E4, P2
      if (deleteBeforeReplace) {
        const dependents = dependentReplacements(olds, old, registered);
        for (const dependent of [...dependents].reverse()) {
          if (dependent.protect) {
            return bail(
              `unable to replace resource "${dependent.urn}" as part of replacing "${goal.urn}" ` +
                "as it is currently marked for protection",
            );
          }
          steps.push({
            op: "delete-replaced",
            urn: dependent.urn,
            old: dependent,
            deleteBeforeReplace: true,
          });
          deletedEarly.add(dependent.urn);
        }
        if (!old.pendingReplacement) {
          steps.push({ op: "delete-replaced", urn: goal.urn, old, deleteBeforeReplace: true });
        }
        steps.push({ op: "replace", urn: goal.urn, old, new: entry, deleteBeforeReplace: true });
        steps.push({ op: "create-replacement", urn: goal.urn, old, new: entry, deleteBeforeReplace: true });
      } else {
        // E5
        steps.push({ op: "create-replacement", urn: goal.urn, old, new: entry, deleteBeforeReplace: false });
        steps.push({ op: "replace", urn: goal.urn, old, new: entry, deleteBeforeReplace: false });
      }
      creating(entry);
      continue;
    }
    const kept: StateEntry = {
      ...clone(old),
      inputs,
      protect: goal.protect,
      ignoreChanges: [...goal.ignoreChanges],
      retainOnDelete: goal.retainOnDelete,
      dependencies: [...goal.dependencies],
      propertyDependencies: clone(goal.propertyDependencies),
    };
    if (diff.changedKeys.length > 0 || old.initErrors) {
      // E2, E8
      steps.push({ op: "update", urn: goal.urn, old, new: { ...kept, initErrors: false } });
    } else {
      steps.push({ op: "same", urn: goal.urn, old, new: kept });
    }
    newIdOf.set(goal.urn, old.outputs.id);
  }

  // E5, E6: deletes after every create and update.
  const replacedCbd = new Set(
    steps.filter((s) => s.op === "create-replacement" && s.deleteBeforeReplace === false).map((s) => s.urn),
  );
  for (const old of olds) {
    if (old.delete) {
      steps.push({ op: "delete-replaced", urn: old.urn, old });
    } else if (replacedCbd.has(old.urn)) {
      steps.push({ op: "delete-replaced", urn: old.urn, old: { ...old, delete: true } });
    } else if (!operated.has(old.urn) && !deletedEarly.has(old.urn)) {
      if (old.pendingReplacement) {
        steps.push({ op: "remove-pending-replace", urn: old.urn, old });
      } else {
        if (old.protect) errors.push(`resource "${old.urn}" cannot be deleted\nbecause it is protected`);
        steps.push({ op: "delete", urn: old.urn, old });
      }
    }
  }
  return { steps, errors, aborted: false };
}

/** A step that fails when the model runs it. */
export interface InjectedFailure {
  urn: string;
  /** `clean`: nothing was created; `partial`: created, recorded with init errors (E8). */
  kind: "clean" | "partial";
}

export interface Outcome {
  state: StateEntry[];
  /** The update failed (an error diagnostic, a refused delete, or an injected failure). */
  failed: boolean;
  /** Steps that ran. */
  ran: Step[];
}

/** Runs an `up` plan against the state (E5–E9). */
export function apply(olds: readonly StateEntry[], planned: Plan, failure?: InjectedFailure): Outcome {
  let state = olds.map((entry) => clone(entry));
  const ran: Step[] = [];
  const find = (urn: string, predicate: (e: StateEntry) => boolean) =>
    state.find((entry) => entry.urn === urn && predicate(entry));
  if (planned.aborted) return { state, failed: true, ran };
  let failed = planned.errors.some((e) => !e.includes("cannot be deleted"));
  if (failed) return { state, failed, ran };
  for (const step of planned.steps) {
    const creating = step.op === "create" || step.op === "create-replacement";
    if (creating && failure?.urn === step.urn) {
      if (failure.kind === "partial" && step.new) {
        if (step.op === "create-replacement" && !step.deleteBeforeReplace) {
          const old = find(step.urn, (e) => !e.delete);
          if (old) old.delete = true;
        }
        state.push({ ...clone(step.new), initErrors: true });
      }
      return { state, failed: true, ran };
    }
    ran.push(step);
    switch (step.op) {
      case "same":
      case "update": {
        const index = state.findIndex((e) => e.urn === step.urn && !e.delete && !e.pendingReplacement);
        state[index] = clone(step.new!);
        break;
      }
      case "create":
        state.push(clone(step.new!));
        break;
      case "create-replacement": {
        if (step.deleteBeforeReplace) {
          state = state.filter((e) => !(e.urn === step.urn && e.pendingReplacement));
        } else {
          const old = find(step.urn, (e) => !e.delete);
          if (old) old.delete = true;
        }
        state.push(clone(step.new!));
        break;
      }
      case "replace":
        break;
      case "delete-replaced": {
        if (step.deleteBeforeReplace) {
          const old = find(step.urn, (e) => !e.delete && !e.pendingReplacement);
          if (old) old.pendingReplacement = true; // E4
        } else {
          const id = step.old!.outputs.id;
          state = state.filter((e) => !(e.urn === step.urn && e.delete && e.outputs.id === id));
        }
        break;
      }
      case "delete":
        if (step.old!.protect) {
          failed = true; // E6: refused, the others go on
          break;
        }
        state = state.filter((e) => !(e.urn === step.urn && !e.delete));
        break;
      case "remove-pending-replace":
        state = state.filter((e) => !(e.urn === step.urn && e.pendingReplacement));
        break;
    }
  }
  return { state, failed, ran };
}

/** Whether a step calls the provider, i.e. does something in Azure (E7 for deletes). */
export function touchesAzure(step: Step): boolean {
  switch (step.op) {
    case "create":
    case "create-replacement":
    case "update":
      return true;
    case "delete":
    case "delete-replaced":
      return step.old?.retainOnDelete !== true;
    default:
      return false;
  }
}
