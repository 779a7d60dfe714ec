/**
 * Declares the resources of every session host from resolved settings (spec section 4).
 *
 * Per host: NIC, VM, extensions in run order, and the data collection rule association when
 * monitoring is set. Which resources a host gets depends on its mode ({@link hostMode}): a host
 * being created or replaced gets what the configuration declares; a host kept as state records
 * it gets exactly the resource kinds the ledger lists for it, whatever the configuration says
 * now (docs/program.md, "Per-host resource sets"). Options per resource come from
 * {@link hostResourceOptions}.
 */
import type * as pulumi from "@pulumi/pulumi";
import { resourceFactoryFor, type RegistrationMode, type ResourceFactory } from "../azure/resourceFactory";
import type { StateLedger } from "../ledger/stateLedger";
import {
  configuredExtensionKinds,
  EXTENSION_RUN_ORDER,
  extensionDefinition,
  sharedProtectedSettings,
  type SharedProtectedSettings,
} from "./extensionArgs";
import { hostMode, hostResourceOptions, type HostMode } from "./hostResourceOptions";
import { nicNameOf, osDiskNameOf, vmNameOf } from "./naming";
import { networkInterfaceArgs } from "./networkInterfaceArgs";
import { logicalNameOf, type HostResourceKind } from "./resourceKinds";
import type { SessionHostSettings } from "./settings";
import { virtualMachineArgs } from "./virtualMachineArgs";

/** What the stack exports per host (never a secret): the ledger as the driver and a plain `up` read it. */
export interface HostOutputs {
  /** Azure resource name of the VM generation recorded in state. */
  vmName: pulumi.Output<string>;
  /** ARM id of that VM. */
  vmId: pulumi.Output<string>;
  /** Configuration revision that generation was built from (its revision tag). */
  revision: pulumi.Output<string>;
  /** Availability zone, or null without zones. */
  zone: string | null;
  /** The resource kinds declared for the host, which a completed update leaves in state. */
  resources: HostResourceKind[];
  /** The data collection rule the host's association points at, when it has one (an ARM id, not a secret). */
  dataCollectionRuleId: string | null;
}

export interface DeclareHostsRequest {
  settings: SessionHostSettings;
  /** Every configured host, `<prefix>-0 .. <prefix>-<count-1>`. */
  hosts: readonly string[];
  /** Hosts whose resources may change in this update. */
  batch: ReadonlySet<string>;
  /** Which hosts state records, with their resource kinds. */
  ledger: StateLedger;
  /** Names the VMs a batch (or a new host) gets. */
  generationTime: Date;
  /** The tag key carrying the configuration revision. */
  revisionTagKey: string;
  /**
   * The host pool's registration token (a secret Output), read only when a host is created or
   * replaced: a kept host's agent keeps the protected settings state records.
   */
  registrationToken: () => pulumi.Output<string>;
  registration?: RegistrationMode;
}

export interface DeclaredHosts {
  /** Per-host stack outputs keyed by host name. */
  hosts: Record<string, HostOutputs>;
  /** URNs of every resource declared: all known once the engine has answered every registration. */
  urns: pulumi.Output<string>[];
}

/** The resource kinds the configuration declares for a host being created or replaced. */
export function configuredKinds(settings: SessionHostSettings): HostResourceKind[] {
  const kinds: HostResourceKind[] = ["nic", "vm", ...configuredExtensionKinds(settings)];
  if (settings.dataCollectionRuleId !== undefined) kinds.push("dcra");
  return kinds;
}

/** The kinds a host of `mode` is declared with: the configuration's, or for `keep` the ledger's. */
export function declaredKinds(
  mode: HostMode,
  settings: SessionHostSettings,
  recorded: ReadonlySet<HostResourceKind> | null | undefined,
): HostResourceKind[] {
  if (mode !== "keep") return configuredKinds(settings);
  if (recorded === null || recorded === undefined) {
    throw new Error("internal: a kept host needs its recorded resource kinds");
  }
  // Declaration order is run order: NIC, VM, extensions (chained), association.
  const order: HostResourceKind[] = ["nic", "vm", ...EXTENSION_RUN_ORDER, "dcra"];
  return order.filter((kind) => recorded.has(kind));
}

function declareHost(
  factory: ResourceFactory,
  request: DeclareHostsRequest,
  host: string,
  secrets: () => SharedProtectedSettings,
  urns: pulumi.Output<string>[],
): HostOutputs {
  const { settings, ledger } = request;
  const mode = hostMode(host, request.batch, ledger);
  const recorded = ledger.hosts.get(host);
  const kinds = declaredKinds(mode, settings, recorded?.kinds);
  const has = new Set(kinds);
  const options = (kind: HostResourceKind) => hostResourceOptions(mode, kind);
  const vmName = vmNameOf(host, request.generationTime);
  const generationSecrets = mode === "keep" ? undefined : secrets();

  // A kept host is declared with the kinds state records; its VM is always among them
  // (hostMode), its NIC normally too. A VM's inputs need a NIC id either way; a kept VM's
  // recorded inputs win over it (ignoreChanges "*").
  const nic = has.has("nic")
    ? factory.networkInterface(
        logicalNameOf(host, "nic"),
        networkInterfaceArgs(settings, nicNameOf(vmName)),
        options("nic"),
      )
    : undefined;
  const vm = factory.virtualMachine(
    logicalNameOf(host, "vm"),
    virtualMachineArgs(settings, { host, vmName, osDiskName: osDiskNameOf(vmName), nicId: nic?.id ?? "" }),
    options("vm"),
  );
  if (nic) urns.push(nic.urn);
  urns.push(vm.urn);
  let previous: pulumi.CustomResource = vm.resource;
  for (const kind of EXTENSION_RUN_ORDER) {
    if (!has.has(kind)) continue;
    const extension = extensionDefinition(kind, settings, vmName, generationSecrets);
    previous = factory.virtualMachineExtension(logicalNameOf(host, kind), extension.args, {
      ...options(kind),
      dependsOn: [previous],
    }).resource;
    urns.push(previous.urn);
  }
  const dataCollectionRuleId =
    mode === "keep"
      ? (recorded?.dataCollectionRuleId ?? settings.dataCollectionRuleId)
      : settings.dataCollectionRuleId;
  if (has.has("dcra")) {
    const association = factory.dataCollectionRuleAssociation(
      logicalNameOf(host, "dcra"),
      dataCollectionRuleId === undefined
        ? { associationName: "avd-rollout-dcr", resourceUri: vm.id }
        : { associationName: "avd-rollout-dcr", resourceUri: vm.id, dataCollectionRuleId },
      { ...options("dcra"), dependsOn: [previous] },
    );
    urns.push(association.urn);
  }
  const revisionTagKey = request.revisionTagKey;
  return {
    // `name` comes from state (the recorded generation); mock runtimes that only echo inputs
    // leave it undefined, and then the declared name is the answer.
    vmName: vm.name.apply((recordedName) => recordedName ?? vmName),
    vmId: vm.id,
    revision: vm.tags.apply((tags) => tags?.[revisionTagKey] ?? ""),
    zone: settings.zoneOf(host) ?? null,
    resources: kinds,
    dataCollectionRuleId: has.has("dcra") ? (dataCollectionRuleId ?? null) : null,
  };
}

/** Declares every host. */
export function declareHosts(request: DeclareHostsRequest): DeclaredHosts {
  const factory = resourceFactoryFor(request.registration ?? "thin");
  let secrets: SharedProtectedSettings | undefined;
  // Built at most once, and only when some host is created or replaced.
  const sharedSecrets = () =>
    (secrets ??= sharedProtectedSettings(request.settings, request.registrationToken()));
  const hosts: Record<string, HostOutputs> = {};
  const urns: pulumi.Output<string>[] = [];
  for (const host of request.hosts) hosts[host] = declareHost(factory, request, host, sharedSecrets, urns);
  return { hosts, urns };
}
