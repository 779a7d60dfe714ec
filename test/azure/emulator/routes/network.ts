/**
 * Microsoft.Network (specification/network/resource-manager/Microsoft.Network/...):
 * network interfaces get / delete and the operation URLs of the delete.
 */
import { API_VERSIONS } from "../api-versions";
import { ArmError } from "../arm-error";
import type { Route, RouteContext } from "../route";
import { resourceId } from "./compute";

const V = API_VERSIONS.networkInterfaces;
const NIC =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/networkInterfaces/{networkInterfaceName}";
const OPERATIONS = "/subscriptions/{subscriptionId}/providers/Microsoft.Network/locations/{location}";

function nicId(ctx: RouteContext): string {
  return resourceId(ctx, "Microsoft.Network", "networkInterfaces", "networkInterfaceName");
}

function attachedVmId(ctx: RouteContext, id: string): string | undefined {
  return ctx.backend.listVms().find((vm) => vm.nicIds.some((nic) => nic.toLowerCase() === id.toLowerCase()))
    ?.resourceId;
}

export const networkRoutes: Route[] = [
  {
    name: "NetworkInterfaces_Get",
    method: "GET",
    path: NIC,
    apiVersion: V,
    query: { $expand: "string" },
    handle: (ctx) => {
      const id = nicId(ctx);
      if (!ctx.backend.nicExists(id)) {
        throw new ArmError(
          404,
          "ResourceNotFound",
          `The Resource 'Microsoft.Network/networkInterfaces/${ctx.params["networkInterfaceName"]}' under resource group '${ctx.params["resourceGroupName"]}' was not found.`,
        );
      }
      const vm = attachedVmId(ctx, id);
      return {
        status: 200,
        body: {
          id,
          name: ctx.params["networkInterfaceName"],
          type: "Microsoft.Network/networkInterfaces",
          location: ctx.backend.location,
          properties: { provisioningState: "Succeeded", ...(vm ? { virtualMachine: { id: vm } } : {}) },
        },
      };
    },
  },
  {
    name: "NetworkInterfaces_Delete",
    method: "DELETE",
    path: NIC,
    apiVersion: V,
    handle: (ctx) => {
      const id = nicId(ctx);
      if (!ctx.backend.nicExists(id)) return { status: 204 };
      const vm = attachedVmId(ctx, id);
      if (vm) {
        throw new ArmError(
          400,
          "NicInUse",
          `Network Interface ${id} is used by existing resource ${vm}. In order to delete the network interface, it must be dissociated from the resource.`,
        );
      }
      return ctx.lro.start(
        ctx.origin,
        `/subscriptions/${ctx.backend.subscriptionId}/providers/Microsoft.Network/locations/${ctx.backend.location}/operations`,
        V,
        "DELETE",
        () => ctx.backend.deleteNic(id),
        ctx.lroFailure,
      );
    },
  },
  {
    name: "NetworkOperations_Get",
    method: "GET",
    path: `${OPERATIONS}/operations/{operationId}`,
    apiVersion: V,
    query: { monitor: "boolean" },
    handle: (ctx) =>
      ctx.query.get("monitor") === "true"
        ? ctx.lro.pollLocation(ctx.params["operationId"]!)
        : ctx.lro.pollStatus(ctx.params["operationId"]!),
  },
];
