/**
 * ComputePort on @azure/arm-compute (VMs, disks) and @azure/arm-network (NICs).
 *
 * Power state comes from the instance view. Deallocate, start and delete are long-running
 * operations (202 + Azure-AsyncOperation/Location) polled to completion. Delete is idempotent:
 * a 404 at any step is success, and a re-run after a crash between the VM's deletion and its
 * NIC's or disk's still removes those, found by the program's naming convention.
 */
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { NetworkManagementClient } from "@azure/arm-network";
import { PortError } from "../core/errors";
import type { ComputePort, PowerState } from "../core/ports";
import { nicNameOf, osDiskNameOf } from "../../program/sessionHosts/naming";
import { type ResourceId, formatResourceId, parseResourceId, parseVmId } from "./armIds";
import { isNotFound, toPortError } from "./armErrors";
import { powerStateFromStatuses } from "./powerState";
import { type AdapterTuning, type AdapterTuningInput, withDefaults } from "./tuning";

/** SDK clients per subscription: a VM id may name another subscription than the pool's. */
export interface ComputeClients {
  compute(subscriptionId: string): ComputeManagementClient;
  network(subscriptionId: string): NetworkManagementClient;
}

/** What one LRO call needs: the poll interval and an overall deadline. */
interface LroOptions {
  updateIntervalInMs: number;
  abortSignal: AbortSignal;
}

export class AzureComputeAdapter implements ComputePort {
  private readonly tuning: AdapterTuning;

  constructor(
    private readonly clients: ComputeClients,
    tuning?: AdapterTuningInput,
  ) {
    this.tuning = withDefaults(tuning);
  }

  private portError(error: unknown, operation: string): PortError {
    return toPortError(error, operation, [], (this.tuning.retry.now ?? Date.now)());
  }

  private lroOptions(): LroOptions {
    return {
      updateIntervalInMs: this.tuning.lroPollIntervalMs,
      abortSignal: AbortSignal.timeout(this.tuning.lroTimeoutMs),
    };
  }

  private vm(vmResourceId: string, operation: string): ResourceId {
    const id = parseVmId(vmResourceId);
    if (!id) {
      throw new PortError(
        "permanent",
        operation,
        `"${vmResourceId}" is not a VM resource id (/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Compute/virtualMachines/<name>)`,
        "InvalidResourceId",
      );
    }
    return id;
  }

  async getPowerState(vmResourceId: string): Promise<PowerState | "notFound"> {
    const operation = operationName("getPowerState", vmResourceId);
    const id = this.vm(vmResourceId, operation);
    try {
      const view = await this.clients
        .compute(id.subscriptionId)
        .virtualMachines.instanceView(id.resourceGroupName, id.name);
      return powerStateFromStatuses(view.statuses);
    } catch (error) {
      if (isNotFound(error)) return "notFound";
      throw this.portError(error, operation);
    }
  }

  async deallocate(vmResourceId: string): Promise<void> {
    const operation = operationName("deallocate", vmResourceId);
    const id = this.vm(vmResourceId, operation);
    try {
      await this.clients
        .compute(id.subscriptionId)
        .virtualMachines.deallocate(id.resourceGroupName, id.name, this.lroOptions());
    } catch (error) {
      throw this.portError(error, operation);
    }
  }

  async start(vmResourceId: string): Promise<void> {
    const operation = operationName("start", vmResourceId);
    const id = this.vm(vmResourceId, operation);
    try {
      await this.clients
        .compute(id.subscriptionId)
        .virtualMachines.start(id.resourceGroupName, id.name, this.lroOptions());
    } catch (error) {
      throw this.portError(error, operation);
    }
  }

  /**
   * Reads the VM for its NIC ids and OS disk id, deletes the VM, then the NICs and the disk (a
   * NIC cannot be deleted while a VM holds it; the disk neither). When the VM is already gone
   * (a re-run), the NIC and disk the program names after the VM are deleted instead.
   */
  async deleteVm(vmResourceId: string): Promise<void> {
    const operation = operationName("deleteVm", vmResourceId);
    const id = this.vm(vmResourceId, operation);
    const compute = this.clients.compute(id.subscriptionId);

    let nicIds: string[];
    let diskIds: string[];
    try {
      const vm = await compute.virtualMachines.get(id.resourceGroupName, id.name);
      nicIds = (vm.networkProfile?.networkInterfaces ?? []).map((nic) => nic.id).filter(isString);
      diskIds = [vm.storageProfile?.osDisk?.managedDisk?.id].filter(isString);
      await compute.virtualMachines.delete(id.resourceGroupName, id.name, this.lroOptions());
    } catch (error) {
      if (!isNotFound(error)) throw this.portError(error, operation);
      nicIds = [
        formatResourceId({
          ...id,
          provider: "Microsoft.Network",
          type: "networkInterfaces",
          name: nicNameOf(id.name),
        }),
      ];
      diskIds = [
        formatResourceId({
          ...id,
          provider: "Microsoft.Compute",
          type: "disks",
          name: osDiskNameOf(id.name),
        }),
      ];
    }

    for (const nicId of nicIds) {
      const nic = parseResourceId(nicId);
      if (!nic) continue;
      try {
        await this.clients
          .network(nic.subscriptionId)
          .networkInterfaces.delete(nic.resourceGroupName, nic.name, this.lroOptions());
      } catch (error) {
        if (!isNotFound(error)) throw this.portError(error, `${operation}: NIC ${nicId}`);
      }
    }
    for (const diskId of diskIds) {
      const disk = parseResourceId(diskId);
      if (!disk) continue;
      try {
        await this.clients
          .compute(disk.subscriptionId)
          .disks.delete(disk.resourceGroupName, disk.name, this.lroOptions());
      } catch (error) {
        if (!isNotFound(error)) throw this.portError(error, `${operation}: disk ${diskId}`);
      }
    }
  }
}

/** `compute.deallocate(avdprod-3-2026-04-15T17-16-07)`: the VM's name says which host. */
function operationName(call: string, vmResourceId: string): string {
  return `compute.${call}(${parseVmId(vmResourceId)?.name ?? vmResourceId})`;
}

function isString(value: string | undefined): value is string {
  return typeof value === "string" && value.length > 0;
}
