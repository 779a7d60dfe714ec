/**
 * The ledger as the program needs it (spec section 4, "the state is the ledger"): which hosts
 * the stack's state records, and which of their resources it holds. A host outside the batch
 * is declared with exactly the resource set its state has, whatever the configuration says now
 * (docs/program.md, "Per-host resource sets").
 *
 * Pure, with two sources:
 * - the driver reads the whole state (`stack.exportStack()`) and hands the program
 *   {@link ledgerFromState} of it: exact, pending replacements included;
 * - a plain `pulumi up` has no access to the state from inside the program, so it reads the
 *   per-host resource sets the previous update exported (`sessionHosts.<host>.resources`,
 *   {@link ledgerFromStackOutputs}; program/ledger/readLedgerFromStackOutputs.ts explains why
 *   that is sound).
 */
import { HOST_RESOURCE_KINDS, hostResourceOf, type HostResourceKind } from "../sessionHosts/resourceKinds";

/** One resource of a state, as either source reports it. */
export interface StateResourceRecord {
  urn: string;
  type: string;
  /** Marked for deletion: the old half of a create-before-delete replacement (not part of the ledger). */
  delete?: boolean;
  /** An interrupted delete-before-replace: deleted from the cloud's point of view, still in state. */
  pendingReplacement?: boolean;
  /** A create that partially failed: the resource exists in state with the provider's init errors. */
  initErrors?: readonly string[];
  outputs?: Record<string, unknown>;
}

export interface HostInState {
  /**
   * The kinds of resource the state holds for the host (live entries only); null when the source
   * records the host but not its resource set (outputs written before resource sets were exported).
   */
  kinds: ReadonlySet<HostResourceKind> | null;
  /**
   * The host's VM entry is pending replacement (left by a delete-before-replace whose create
   * failed). Only a full state export says so; `readStackResourceOutputs` does not.
   */
  vmPendingReplacement: boolean;
  /**
   * The host's VM entry records init errors (its create partially failed, e.g. an allocation
   * failure after Azure accepted the VM). The engine would update it in any update that declares
   * it, batch or not (step_generator.go, continueStepsFromDiff, `hasInitErrors`). Only a full
   * state export says so.
   */
  vmInitErrors: boolean;
  /** The data collection rule of the recorded association (not a secret), to re-declare it as it is. */
  dataCollectionRuleId: string | undefined;
}

export interface StateLedger {
  /** Hosts the state records at least one resource of, by host name. */
  hosts: ReadonlyMap<string, HostInState>;
}

/** The ledger of a stack that has no session host yet. */
export const EMPTY_LEDGER: StateLedger = { hosts: new Map() };

function logicalNameOfUrn(urn: string): string {
  const at = urn.lastIndexOf("::");
  return at < 0 ? urn : urn.slice(at + 2);
}

/**
 * Whether the resource is a child of the root stack: its URN's type chain is its own type only
 * (a component's children carry `<component type>$<type>`).
 */
function isTopLevel(urn: string): boolean {
  const parts = urn.split("::");
  return parts.length >= 4 && !(parts[parts.length - 2] ?? "").includes("$");
}

interface MutableHost {
  kinds: Set<HostResourceKind>;
  vmPendingReplacement: boolean;
  vmInitErrors: boolean;
  dataCollectionRuleId: string | undefined;
}

/** The ledger of a state's resources. Entries marked for deletion are not part of it. */
export function ledgerFromState(resources: Iterable<StateResourceRecord>): StateLedger {
  const hosts = new Map<string, MutableHost>();
  for (const resource of resources) {
    if (resource.delete === true || !isTopLevel(resource.urn)) continue;
    const owner = hostResourceOf(logicalNameOfUrn(resource.urn), resource.type);
    if (owner === null) continue;
    const host = hosts.get(owner.host) ?? {
      kinds: new Set<HostResourceKind>(),
      vmPendingReplacement: false,
      vmInitErrors: false,
      dataCollectionRuleId: undefined,
    };
    host.kinds.add(owner.kind);
    if (owner.kind === "vm" && resource.pendingReplacement === true) host.vmPendingReplacement = true;
    if (owner.kind === "vm" && (resource.initErrors?.length ?? 0) > 0) host.vmInitErrors = true;
    if (owner.kind === "dcra") {
      const ruleId = resource.outputs?.dataCollectionRuleId;
      if (typeof ruleId === "string" && ruleId !== "") host.dataCollectionRuleId = ruleId;
    }
    hosts.set(owner.host, host);
  }
  return { hosts };
}

/** Whether the state records a VM for the host: a host without one is not serving anyone yet. */
export function hasVirtualMachine(ledger: StateLedger, host: string): boolean {
  const kinds = ledger.hosts.get(host)?.kinds;
  return kinds === undefined || kinds === null ? ledger.hosts.has(host) : kinds.has("vm");
}

function isKind(value: unknown): value is HostResourceKind {
  return typeof value === "string" && (HOST_RESOURCE_KINDS as readonly string[]).includes(value);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The ledger of the stack outputs a previous update exported: `sessionHosts` maps each host to
 * `{ resources: [kinds...], dataCollectionRuleId? }` (program/declareSessionHosts.ts). A host
 * entry without `resources` has an unknown resource set.
 */
export function ledgerFromStackOutputs(outputs: unknown): StateLedger {
  const sessionHosts = asObject(asObject(outputs)?.sessionHosts);
  const hosts = new Map<string, HostInState>();
  for (const [host, value] of Object.entries(sessionHosts ?? {})) {
    const entry = asObject(value);
    const resources = entry?.resources;
    const ruleId = entry?.dataCollectionRuleId;
    hosts.set(host, {
      kinds: Array.isArray(resources) && resources.every(isKind) ? new Set(resources) : null,
      vmPendingReplacement: false,
      vmInitErrors: false,
      dataCollectionRuleId: typeof ruleId === "string" && ruleId !== "" ? ruleId : undefined,
    });
  }
  return { hosts };
}
