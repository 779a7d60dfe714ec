/**
 * Microsoft.Compute (specification/compute/resource-manager/Microsoft.Compute/...): virtual
 * machines get / instanceView / deallocate / start / delete, managed disks get / delete, and the
 * operation status URLs their long-running operations hand out.
 *
 * Deleting a VM honours the `deleteOption` of its NICs and OS disk, as ARM does: `Delete` removes
 * them with the VM (what the program declares), `Detach` leaves them for the client to delete.
 */
import { createHash } from "node:crypto";
import { API_VERSIONS } from "../api-versions";
import { ArmError } from "../arm-error";
import type { BackendVm } from "../backend";
import type { Route, RouteContext, RouteResult } from "../route";

const VM_V = API_VERSIONS.virtualMachines;
const DISK_V = API_VERSIONS.disks;
const RG = "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}";
const VM = `${RG}/providers/Microsoft.Compute/virtualMachines/{vmName}`;
const DISK = `${RG}/providers/Microsoft.Compute/disks/{diskName}`;

export function resourceId(ctx: RouteContext, provider: string, type: string, nameParam: string): string {
  const { params, backend } = ctx;
  if (params["subscriptionId"]!.toLowerCase() !== backend.subscriptionId.toLowerCase()) {
    throw new ArmError(
      404,
      "SubscriptionNotFound",
      `The subscription '${params["subscriptionId"]}' could not be found.`,
    );
  }
  return `/subscriptions/${params["subscriptionId"]}/resourceGroups/${params["resourceGroupName"]}/providers/${provider}/${type}/${params[nameParam]}`;
}

function vmId(ctx: RouteContext): string {
  return resourceId(ctx, "Microsoft.Compute", "virtualMachines", "vmName");
}

function requireVm(ctx: RouteContext): BackendVm {
  const vm = ctx.backend.getVm(vmId(ctx));
  if (!vm) {
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.Compute/virtualMachines/${ctx.params["vmName"]}' under resource group '${ctx.params["resourceGroupName"]}' was not found.`,
    );
  }
  return vm;
}

function lastSegment(id: string): string {
  return id.split("/").pop()!;
}

function instanceView(vm: BackendVm): Record<string, unknown> {
  const running = vm.powerState === "running";
  return {
    ...(running
      ? {
          computerName: vm.computerName,
          osName: "Windows 11 Enterprise multi-session",
          osVersion: "10.0.26100",
        }
      : {}),
    statuses: [
      { code: "ProvisioningState/succeeded", level: "Info", displayStatus: "Provisioning succeeded" },
      { code: `PowerState/${vm.powerState}`, level: "Info", displayStatus: `VM ${vm.powerState}` },
    ],
  };
}

function vmBody(vm: BackendVm, expandInstanceView: boolean): Record<string, unknown> {
  return {
    id: vm.resourceId,
    name: lastSegment(vm.resourceId),
    type: "Microsoft.Compute/virtualMachines",
    location: vm.location,
    tags: {},
    properties: {
      vmId: createHash("sha1").update(vm.resourceId.toLowerCase()).digest("hex").slice(0, 32),
      hardwareProfile: { vmSize: "Standard_D4ads_v5" },
      provisioningState: "Succeeded",
      storageProfile: {
        osDisk: {
          osType: "Windows",
          name: lastSegment(vm.osDiskId),
          createOption: "FromImage",
          caching: "ReadWrite",
          managedDisk: { id: vm.osDiskId, storageAccountType: "Premium_LRS" },
          deleteOption: vm.osDiskDeleteOption,
          diskSizeGB: 128,
        },
        dataDisks: [],
      },
      osProfile: { computerName: vm.computerName, adminUsername: "avdadmin" },
      networkProfile: {
        networkInterfaces: vm.nicIds.map((id, i) => ({
          id,
          properties: { primary: i === 0, deleteOption: vm.nicDeleteOption },
        })),
      },
      ...(expandInstanceView ? { instanceView: instanceView(vm) } : {}),
    },
  };
}

function operationsPath(ctx: RouteContext, kind: "operations" | "DiskOperations", location: string): string {
  return `/subscriptions/${ctx.backend.subscriptionId}/providers/Microsoft.Compute/locations/${location}/${kind}`;
}

function powerAction(target: "deallocated" | "running") {
  return (ctx: RouteContext): RouteResult => {
    const vm = requireVm(ctx);
    ctx.backend.beginPowerChange(vm.resourceId, target);
    return ctx.lro.start(
      ctx.origin,
      operationsPath(ctx, "operations", vm.location),
      VM_V,
      "POST",
      () => ctx.backend.completePowerChange(vm.resourceId, target),
      ctx.lroFailure,
    );
  };
}

export const computeRoutes: Route[] = [
  {
    name: "VirtualMachines_Get",
    method: "GET",
    path: VM,
    apiVersion: VM_V,
    query: { $expand: ["instanceView", "userData", "resiliencyPolicy"] },
    handle: (ctx) => ({
      status: 200,
      body: vmBody(requireVm(ctx), ctx.query.get("$expand") === "instanceView"),
    }),
  },
  {
    name: "VirtualMachines_InstanceView",
    method: "GET",
    path: `${VM}/instanceView`,
    apiVersion: VM_V,
    handle: (ctx) => ({ status: 200, body: instanceView(requireVm(ctx)) }),
  },
  {
    name: "VirtualMachines_Deallocate",
    method: "POST",
    path: `${VM}/deallocate`,
    apiVersion: VM_V,
    query: { hibernate: "boolean", forceDeallocate: "boolean" },
    handle: powerAction("deallocated"),
  },
  {
    name: "VirtualMachines_Start",
    method: "POST",
    path: `${VM}/start`,
    apiVersion: VM_V,
    handle: powerAction("running"),
  },
  {
    name: "VirtualMachines_Delete",
    method: "DELETE",
    path: VM,
    apiVersion: VM_V,
    query: { forceDeletion: "boolean" },
    handle: (ctx) => {
      const vm = ctx.backend.getVm(vmId(ctx));
      // ARM: deleting a resource that does not exist is a success without content.
      if (!vm) return { status: 204 };
      return ctx.lro.start(
        ctx.origin,
        operationsPath(ctx, "operations", vm.location),
        VM_V,
        "DELETE",
        () => deleteVmCascading(ctx, vm),
        ctx.lroFailure,
      );
    },
  },
  {
    name: "Disks_Get",
    method: "GET",
    path: DISK,
    apiVersion: DISK_V,
    handle: (ctx) => {
      const id = resourceId(ctx, "Microsoft.Compute", "disks", "diskName");
      if (!ctx.backend.diskExists(id)) {
        throw new ArmError(
          404,
          "ResourceNotFound",
          `The Resource 'Microsoft.Compute/disks/${ctx.params["diskName"]}' was not found.`,
        );
      }
      return {
        status: 200,
        body: {
          id,
          name: ctx.params["diskName"],
          type: "Microsoft.Compute/disks",
          location: ctx.backend.location,
          sku: { name: "Premium_LRS" },
          properties: {
            diskSizeGB: 128,
            provisioningState: "Succeeded",
            diskState: attachedVm(ctx, id) ? "Attached" : "Unattached",
          },
        },
      };
    },
  },
  {
    name: "Disks_Delete",
    method: "DELETE",
    path: DISK,
    apiVersion: DISK_V,
    handle: (ctx) => {
      const id = resourceId(ctx, "Microsoft.Compute", "disks", "diskName");
      if (!ctx.backend.diskExists(id)) return { status: 204 };
      const vm = attachedVm(ctx, id);
      if (vm) {
        throw new ArmError(
          409,
          "OperationNotAllowed",
          `Disk ${ctx.params["diskName"]} is attached to VM ${vm.resourceId}.`,
        );
      }
      return ctx.lro.start(
        ctx.origin,
        operationsPath(ctx, "DiskOperations", ctx.backend.location),
        DISK_V,
        "DELETE",
        () => ctx.backend.deleteDisk(id),
        ctx.lroFailure,
      );
    },
  },
  ...operationRoutes("ComputeOperations", "operations", VM_V),
  ...operationRoutes("DiskOperations", "DiskOperations", DISK_V),
];

/** Deletes the VM, then what its `deleteOption`s say goes with it. */
function deleteVmCascading(ctx: RouteContext, vm: BackendVm): void {
  ctx.backend.deleteVm(vm.resourceId);
  if (vm.nicDeleteOption === "Delete") for (const nic of vm.nicIds) ctx.backend.deleteNic(nic);
  if (vm.osDiskDeleteOption === "Delete") ctx.backend.deleteDisk(vm.osDiskId);
}

/** The VM a disk is attached to, if any: ARM refuses to delete an attached disk. */
function attachedVm(ctx: RouteContext, diskId: string): BackendVm | undefined {
  return ctx.backend.listVms().find((vm) => vm.osDiskId.toLowerCase() === diskId.toLowerCase());
}

function operationRoutes(prefix: string, kind: string, apiVersion: string): Route[] {
  const path = `/subscriptions/{subscriptionId}/providers/Microsoft.Compute/locations/{location}/${kind}/{operationId}`;
  return [
    {
      name: `${prefix}_Get`,
      method: "GET",
      path,
      apiVersion,
      query: { monitor: "boolean" },
      handle: (ctx) =>
        ctx.query.get("monitor") === "true"
          ? ctx.lro.pollLocation(ctx.params["operationId"]!)
          : ctx.lro.pollStatus(ctx.params["operationId"]!),
    },
  ];
}
