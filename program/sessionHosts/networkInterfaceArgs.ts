import type { NetworkInterfaceArgs } from "@pulumi/azure-native/network/networkInterface";
import type { SessionHostSettings } from "./settings";

/** The NIC of one VM generation: in the configured subnet, named after the VM. */
export function networkInterfaceArgs(settings: SessionHostSettings, nicName: string): NetworkInterfaceArgs {
  const args: NetworkInterfaceArgs = {
    resourceGroupName: settings.vmResourceGroupName,
    networkInterfaceName: nicName,
    enableAcceleratedNetworking: settings.network.acceleratedNetworking,
    ipConfigurations: [
      {
        name: "ipconfig1",
        primary: true,
        privateIPAllocationMethod: "Dynamic",
        subnet: { id: settings.network.subnetId },
      },
    ],
    tags: settings.tags,
  };
  if (settings.location !== undefined) args.location = settings.location;
  if (settings.network.securityGroupId !== undefined) {
    args.networkSecurityGroup = { id: settings.network.securityGroupId };
  }
  return args;
}
