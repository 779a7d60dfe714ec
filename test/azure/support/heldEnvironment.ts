/**
 * The preflight's AzureEnvironment port with every call holding the virtual clock still while it
 * is on the wire (see heldPorts.ts).
 */
import type { AzureEnvironmentPort } from "../../../automation/preflight/ports";
import type { VirtualClock } from "../../../automation/sim/virtualClock";

export function heldEnvironment(port: AzureEnvironmentPort, clock: VirtualClock): AzureEnvironmentPort {
  return {
    listUsages: (location) => clock.hold(port.listUsages(location)),
    listVmSkus: (location) => clock.hold(port.listVmSkus(location)),
    getMarketplaceImage: (location, image) => clock.hold(port.getMarketplaceImage(location, image)),
    getCustomImage: (resourceId, kind) => clock.hold(port.getCustomImage(resourceId, kind)),
    getPlanAgreement: (plan) => clock.hold(port.getPlanAgreement(plan)),
    getSubnet: (subnetId) => clock.hold(port.getSubnet(subnetId)),
    getVmSizes: (ids) => clock.hold(port.getVmSizes(ids)),
    listPermissions: (scopeId) => clock.hold(port.listPermissions(scopeId)),
    getDataCollectionRule: (resourceId) => clock.hold(port.getDataCollectionRule(resourceId)),
    probeUrl: (url) => clock.hold(port.probeUrl(url)),
  };
}
