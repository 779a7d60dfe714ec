/**
 * How the program registers its azure-native resources.
 *
 * Two interchangeable factories produce the same registrations:
 * - `generated`: the classes generated in @pulumi/azure-native (the reference);
 * - `thin` (default): a minimal `CustomResource` per type that registers the same type token,
 *   the same inputs and the same resource options (the provider package `version` default
 *   included), without the 9 to 60 version-migration aliases each generated class attaches.
 *
 * Why: every alias costs the SDK several Outputs and promises per resource (collapseAliasToUrn
 * and the per-alias awaits in prepareResource). Measured under the mock runtime, the aliases
 * are 85% of the time and memory of a 100-host program (docs/program.md, bench/RESULTS.md).
 * They only map state recorded under the old explicit-API-version type tokens
 * (`azure-native:compute/v20240301:VirtualMachine`, ...) to the current token; the engine looks
 * a resource up by its own URN first, and every resource this program ever created is recorded
 * under the unversioned token, so they can never match. Pass `registration: "generated"` (or set
 * AVD_ROLLOUT_REGISTRATION=generated for the stack program) to register the aliases too.
 */
import * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineArgs } from "@pulumi/azure-native/compute/virtualMachine";
import type { VirtualMachineExtensionArgs } from "@pulumi/azure-native/compute/virtualMachineExtension";
import type { NetworkInterfaceArgs } from "@pulumi/azure-native/network/networkInterface";
import type { DataCollectionRuleAssociationArgs } from "@pulumi/azure-native/monitor/dataCollectionRuleAssociation";
import type * as VirtualMachineModule from "@pulumi/azure-native/compute/virtualMachine";
import type * as VirtualMachineExtensionModule from "@pulumi/azure-native/compute/virtualMachineExtension";
import type * as NetworkInterfaceModule from "@pulumi/azure-native/network/networkInterface";
import type * as DataCollectionRuleAssociationModule from "@pulumi/azure-native/monitor/dataCollectionRuleAssociation";
import { azureNativeVersion } from "./azureNativeVersion";
import {
  dataCollectionRuleAssociationType,
  networkInterfaceType,
  virtualMachineExtensionType,
  virtualMachineType,
  type AzureResourceType,
} from "./resourceTypes";

export type RegistrationMode = "thin" | "generated";

/** The parts of a registered resource the program uses. */
export interface RegisteredResource {
  readonly urn: pulumi.Output<string>;
  readonly id: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  /** The resource object itself, for `dependsOn`. */
  readonly resource: pulumi.CustomResource;
}

export interface RegisteredVirtualMachine extends RegisteredResource {
  readonly vmId: pulumi.Output<string>;
  readonly tags: pulumi.Output<Record<string, string> | undefined>;
}

export interface ResourceFactory {
  networkInterface(
    name: string,
    args: NetworkInterfaceArgs,
    opts: pulumi.CustomResourceOptions,
  ): RegisteredResource;
  virtualMachine(
    name: string,
    args: VirtualMachineArgs,
    opts: pulumi.CustomResourceOptions,
  ): RegisteredVirtualMachine;
  virtualMachineExtension(
    name: string,
    args: VirtualMachineExtensionArgs,
    opts: pulumi.CustomResourceOptions,
  ): RegisteredResource;
  dataCollectionRuleAssociation(
    name: string,
    args: DataCollectionRuleAssociationArgs,
    opts: pulumi.CustomResourceOptions,
  ): RegisteredResource;
}

/**
 * A custom resource registered under an azure-native type token with exactly the given inputs.
 * The output properties it exposes are those in `type.readOutputs` plus every input key.
 */
class AzureNativeResource extends pulumi.CustomResource {
  constructor(type: AzureResourceType, name: string, args: object, opts: pulumi.CustomResourceOptions) {
    const inputs: Record<string, unknown> = { ...args };
    for (const output of type.readOutputs) inputs[output] = undefined;
    // Same merge order as the generated constructors: package defaults first, caller's options win.
    super(type.token, name, inputs, pulumi.mergeOptions({ version: azureNativeVersion }, opts));
  }
}

/** Reads an output property that the SDK defined on a registered resource. */
function outputOf<T>(resource: pulumi.CustomResource, property: string): pulumi.Output<T> {
  const value = (resource as unknown as Record<string, pulumi.Output<T> | undefined>)[property];
  if (value === undefined) {
    throw new Error(`internal: ${property} is not an output of ${resource.constructor.name}`);
  }
  return value;
}

function registered(resource: pulumi.CustomResource): RegisteredResource {
  return { urn: resource.urn, id: resource.id, name: outputOf<string>(resource, "name"), resource };
}

function registeredVirtualMachine(resource: pulumi.CustomResource): RegisteredVirtualMachine {
  return {
    ...registered(resource),
    vmId: outputOf<string>(resource, "vmId"),
    tags: outputOf<Record<string, string> | undefined>(resource, "tags"),
  };
}

export const thinResourceFactory: ResourceFactory = {
  networkInterface: (name, args, opts) =>
    registered(new AzureNativeResource(networkInterfaceType, name, args, opts)),
  virtualMachine: (name, args, opts) =>
    registeredVirtualMachine(new AzureNativeResource(virtualMachineType, name, args, opts)),
  virtualMachineExtension: (name, args, opts) =>
    registered(new AzureNativeResource(virtualMachineExtensionType, name, args, opts)),
  dataCollectionRuleAssociation: (name, args, opts) =>
    registered(new AzureNativeResource(dataCollectionRuleAssociationType, name, args, opts)),
};

/** The reference factory: the generated classes, loaded only when asked for (they are large). */
export function generatedResourceFactory(): ResourceFactory {
  /* eslint-disable @typescript-eslint/no-require-imports -- lazy load keeps the thin path from parsing them */
  const { VirtualMachine } =
    require("@pulumi/azure-native/compute/virtualMachine") as typeof VirtualMachineModule;
  const { VirtualMachineExtension } =
    require("@pulumi/azure-native/compute/virtualMachineExtension") as typeof VirtualMachineExtensionModule;
  const { NetworkInterface } =
    require("@pulumi/azure-native/network/networkInterface") as typeof NetworkInterfaceModule;
  const { DataCollectionRuleAssociation } =
    require("@pulumi/azure-native/monitor/dataCollectionRuleAssociation") as typeof DataCollectionRuleAssociationModule;
  /* eslint-enable @typescript-eslint/no-require-imports */
  return {
    networkInterface: (name, args, opts) => registered(new NetworkInterface(name, args, opts)),
    virtualMachine: (name, args, opts) => registeredVirtualMachine(new VirtualMachine(name, args, opts)),
    virtualMachineExtension: (name, args, opts) => registered(new VirtualMachineExtension(name, args, opts)),
    dataCollectionRuleAssociation: (name, args, opts) =>
      registered(new DataCollectionRuleAssociation(name, args, opts)),
  };
}

export function resourceFactoryFor(mode: RegistrationMode): ResourceFactory {
  return mode === "generated" ? generatedResourceFactory() : thinResourceFactory;
}
