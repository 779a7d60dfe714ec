/**
 * The azure-native resource types the program declares: their type tokens and the output-only
 * properties the program reads back from them.
 *
 * Output-only properties are sent to the engine as `undefined`, which the SDK drops from the
 * request, so exposing fewer of them than the generated class does changes nothing the engine
 * sees; it only saves one Output (four promises) per property per resource.
 * test/program/registrationEquivalence.test.ts checks the tokens against the generated classes.
 */
export interface AzureResourceType {
  /** Type token, as the generated class's `__pulumiType`. */
  readonly token: string;
  /** Output-only properties the program reads (a subset of the generated class's outputs). */
  readonly readOutputs: readonly string[];
}

export const virtualMachineType: AzureResourceType = {
  token: "azure-native:compute:VirtualMachine",
  readOutputs: ["name", "vmId"],
};

export const networkInterfaceType: AzureResourceType = {
  token: "azure-native:network:NetworkInterface",
  readOutputs: ["name"],
};

export const virtualMachineExtensionType: AzureResourceType = {
  token: "azure-native:compute:VirtualMachineExtension",
  readOutputs: ["name"],
};

export const dataCollectionRuleAssociationType: AzureResourceType = {
  token: "azure-native:monitor:DataCollectionRuleAssociation",
  readOutputs: ["name"],
};
