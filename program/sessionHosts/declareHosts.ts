/**
 * Declares the resources of every session host from resolved settings (spec section 4).
 *
 * Per host: NIC, VM, extensions in run order, and the data collection rule association when
 * monitoring is set. Every resource of a host gets the host's ledger options
 * ({@link hostResourceOptions}): only batch hosts may change.
 */
import type * as pulumi from "@pulumi/pulumi";
import { resourceFactoryFor, type RegistrationMode, type ResourceFactory } from "../azure/resourceFactory";
import { extensionDefinitions, sharedProtectedSettings } from "./extensionArgs";
import { hostResourceOptions } from "./hostResourceOptions";
import { logicalNamesOf, nicNameOf, osDiskNameOf, vmNameOf } from "./naming";
import { networkInterfaceArgs } from "./networkInterfaceArgs";
import type { SessionHostSettings } from "./settings";
import { virtualMachineArgs } from "./virtualMachineArgs";

/** What the stack exports per host (never a secret): the ledger as the driver reads it. */
export interface HostOutputs {
  /** Azure resource name of the VM generation recorded in state. */
  vmName: pulumi.Output<string>;
  /** ARM id of that VM. */
  vmId: pulumi.Output<string>;
  /** Configuration revision that generation was built from (its revision tag). */
  revision: pulumi.Output<string>;
  /** Availability zone, or null without zones. */
  zone: string | null;
}

export interface DeclareHostsRequest {
  settings: SessionHostSettings;
  /** Every configured host, `<prefix>-0 .. <prefix>-<count-1>`. */
  hosts: readonly string[];
  /** Hosts whose resources may change in this update. */
  batch: ReadonlySet<string>;
  /** Names the VMs a batch (or a new host) gets. */
  generationTime: Date;
  /** The tag key carrying the configuration revision. */
  revisionTagKey: string;
  /** The host pool's registration token (a secret Output). */
  registrationToken: pulumi.Output<string>;
  registration?: RegistrationMode;
}

export interface DeclaredHosts {
  /** Per-host stack outputs keyed by host name. */
  hosts: Record<string, HostOutputs>;
  /** URNs of every resource declared: all known once the engine has answered every registration. */
  urns: pulumi.Output<string>[];
}

function declareHost(
  factory: ResourceFactory,
  request: DeclareHostsRequest,
  host: string,
  secrets: ReturnType<typeof sharedProtectedSettings>,
  urns: pulumi.Output<string>[],
): HostOutputs {
  const { settings } = request;
  const names = logicalNamesOf(host);
  const options = hostResourceOptions(host, request.batch);
  const vmName = vmNameOf(host, request.generationTime);

  const nic = factory.networkInterface(names.nic, networkInterfaceArgs(settings, nicNameOf(vmName)), {
    ...options,
  });
  const vm = factory.virtualMachine(
    names.vm,
    virtualMachineArgs(settings, { host, vmName, osDiskName: osDiskNameOf(vmName), nicId: nic.id }),
    { ...options },
  );
  urns.push(nic.urn, vm.urn);
  let previous: pulumi.CustomResource = vm.resource;
  for (const extension of extensionDefinitions(settings, vmName, secrets)) {
    previous = factory.virtualMachineExtension(names.extension(extension.kind), extension.args, {
      ...options,
      dependsOn: [previous],
    }).resource;
    urns.push(previous.urn);
  }
  if (settings.dataCollectionRuleId !== undefined) {
    const association = factory.dataCollectionRuleAssociation(
      names.dataCollectionRuleAssociation,
      {
        associationName: "avd-rollout-dcr",
        resourceUri: vm.id,
        dataCollectionRuleId: settings.dataCollectionRuleId,
      },
      { ...options, dependsOn: [previous] },
    );
    urns.push(association.urn);
  }
  const revisionTagKey = request.revisionTagKey;
  return {
    // `name` comes from state (the recorded generation); mock runtimes that only echo inputs
    // leave it undefined, and then the declared name is the answer.
    vmName: vm.name.apply((recorded) => recorded ?? vmName),
    vmId: vm.id,
    revision: vm.tags.apply((tags) => tags?.[revisionTagKey] ?? ""),
    zone: settings.zoneOf(host) ?? null,
  };
}

/** Declares every host. */
export function declareHosts(request: DeclareHostsRequest): DeclaredHosts {
  const factory = resourceFactoryFor(request.registration ?? "thin");
  const secrets = sharedProtectedSettings(request.settings, request.registrationToken);
  const hosts: Record<string, HostOutputs> = {};
  const urns: pulumi.Output<string>[] = [];
  for (const host of request.hosts) hosts[host] = declareHost(factory, request, host, secrets, urns);
  return { hosts, urns };
}
