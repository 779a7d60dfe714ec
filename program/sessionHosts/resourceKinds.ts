/**
 * The kinds of resource a session host has, each registered under the stable logical name
 * `<host>-<kind>` (docs/program.md, "What each host gets").
 *
 * Two classes, because the engine treats them differently when a configuration toggle changes
 * (docs/program.md, "Per-host resource sets"):
 * - lifelong kinds exist for as long as the host does (NIC, VM, AVD agent, directory join: the
 *   join type cannot change). Outside a batch they are protected, so a host that disappears
 *   from the program fails the update instead of leaving state.
 * - optional kinds follow configuration toggles (custom script, monitoring). They are never
 *   protected: when a toggle turns one off, the host's batch drops it from state, and the engine
 *   refuses to delete a resource whose recorded state is protected
 *   (pkg/resource/deploy/step.go, DeleteStep.Apply).
 */
import {
  dataCollectionRuleAssociationType,
  networkInterfaceType,
  virtualMachineExtensionType,
  virtualMachineType,
} from "../azure/resourceTypes";

export const HOST_RESOURCE_KINDS = [
  "nic",
  "vm",
  "avd-agent",
  "entra-join",
  "domain-join",
  "custom-script",
  "monitor-agent",
  "dcra",
] as const;

export type HostResourceKind = (typeof HOST_RESOURCE_KINDS)[number];

export type ExtensionKind = Extract<
  HostResourceKind,
  "avd-agent" | "entra-join" | "domain-join" | "custom-script" | "monitor-agent"
>;

const OPTIONAL_KINDS: ReadonlySet<HostResourceKind> = new Set<HostResourceKind>([
  "custom-script",
  "monitor-agent",
  "dcra",
]);

/** Whether the kind follows a configuration toggle (and is therefore never protected). */
export function isOptionalKind(kind: HostResourceKind): boolean {
  return OPTIONAL_KINDS.has(kind);
}

/** The azure-native type token each kind is registered under. */
export function typeTokenOfKind(kind: HostResourceKind): string {
  switch (kind) {
    case "nic":
      return networkInterfaceType.token;
    case "vm":
      return virtualMachineType.token;
    case "dcra":
      return dataCollectionRuleAssociationType.token;
    default:
      return virtualMachineExtensionType.token;
  }
}

/** The logical (URN) name of a host's resource of this kind. */
export function logicalNameOf(host: string, kind: HostResourceKind): string {
  return `${host}-${kind}`;
}

// Longest suffix first, so that no kind is mistaken for the tail of a longer one.
const KINDS_BY_SUFFIX_LENGTH = [...HOST_RESOURCE_KINDS].sort((a, b) => b.length - a.length);

/** The host and kind of a logical name and type token, or null when it is not a host resource. */
export function hostResourceOf(
  logicalName: string,
  typeToken: string,
): { host: string; kind: HostResourceKind } | null {
  for (const kind of KINDS_BY_SUFFIX_LENGTH) {
    const suffix = `-${kind}`;
    if (
      logicalName.endsWith(suffix) &&
      logicalName.length > suffix.length &&
      typeTokenOfKind(kind) === typeToken
    ) {
      return { host: logicalName.slice(0, -suffix.length), kind };
    }
  }
  return null;
}
