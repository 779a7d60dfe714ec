/**
 * AzureComputeAdapter over HTTPS against the ARM emulator: power state from the instance view,
 * long-running deallocate/start/delete polled to completion, NIC and disk clean-up, and 404
 * idempotency on re-runs.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PortError } from "../../../automation/core/errors";
import { type Harness, startHarness } from "./harness";

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  const violations = h.emulator.log.violations();
  await h.close();
  expect(violations).toEqual([]);
});

describe("power state", () => {
  it("reads running and deallocated from the instance view", async () => {
    const running = h.backend.addHost({ host: "avdprod-0" });
    const off = h.backend.addHost({ host: "avdprod-1", powerState: "deallocated" });
    expect(await h.ports.compute.getPowerState(running.vmResourceId)).toBe("running");
    expect(await h.ports.compute.getPowerState(off.vmResourceId)).toBe("deallocated");
    expect(h.emulator.log.byRoute("VirtualMachines_InstanceView")).toHaveLength(2);
  });

  it("reports notFound for a VM that does not exist", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    expect(await h.ports.compute.getPowerState(vmResourceId.replace("avdprod-0-vm", "ghost-vm"))).toBe(
      "notFound",
    );
  });

  it("matches the VM id case-insensitively, as ARM does", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    const shouted = vmResourceId
      .replace("resourceGroups", "RESOURCEGROUPS")
      .replace("virtualMachines", "VirtualMachines");
    expect(await h.ports.compute.getPowerState(shouted)).toBe("running");
  });

  it("refuses an id that is not a VM's, naming the call", async () => {
    const error = await h.ports.compute
      .getPowerState("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/n")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortError);
    expect(error).toMatchObject({ kind: "permanent", code: "InvalidResourceId" });
    expect(h.emulator.log.all()).toEqual([]);
  });
});

describe("long-running operations", () => {
  it("deallocates and waits until the operation completes", async () => {
    h.emulator.lro.pollsToComplete = 3;
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    await h.ports.compute.deallocate(vmResourceId);
    expect(await h.ports.compute.getPowerState(vmResourceId)).toBe("deallocated");
    const routes = h.emulator.log.all().map((e) => e.route);
    expect(routes[0]).toBe("VirtualMachines_Deallocate");
    // Polled until done: at least pollsToComplete polls of the operation.
    expect(routes.filter((r) => r !== undefined && /Operation/i.test(r)).length).toBeGreaterThanOrEqual(3);
    expect(h.emulator.lro.inProgress()).toBe(0);
  });

  it("starts a deallocated VM", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", powerState: "deallocated" });
    await h.ports.compute.start(vmResourceId);
    expect(await h.ports.compute.getPowerState(vmResourceId)).toBe("running");
  });

  it("deallocating twice is fine", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    await h.ports.compute.deallocate(vmResourceId);
    await h.ports.compute.deallocate(vmResourceId);
    expect(await h.ports.compute.getPowerState(vmResourceId)).toBe("deallocated");
  });

  it("reports a failed operation with its ARM code, the VM's name and what to fix", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    h.emulator.faults.inject({
      routes: ["VirtualMachines_Deallocate"],
      times: 1,
      action: { kind: "lroFailed", code: "AllocationFailed", message: "Allocation failed." },
    });
    const error = await h.ports.compute.deallocate(vmResourceId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortError);
    expect((error as PortError).operation).toBe("compute.deallocate(avdprod-0-vm)");
    expect(error).toMatchObject({ kind: "permanent", code: "AllocationFailed" });
    expect((error as PortError).message).toMatch(/Fix: .*another vmSizeId or zone/);
    expect(h.emulator.log.byRoute("VirtualMachines_Deallocate")).toHaveLength(1);
  });

  it("retries an operation that ARM canceled (preempted), and finishes it", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    h.emulator.faults.inject({
      routes: ["VirtualMachines_Deallocate"],
      times: 1,
      action: {
        kind: "lroFailed",
        status: "Canceled",
        code: "OperationPreempted",
        message: "Operation execution has been preempted by a more recent operation.",
      },
    });
    await h.ports.compute.deallocate(vmResourceId);
    expect(await h.ports.compute.getPowerState(vmResourceId)).toBe("deallocated");
    expect(h.emulator.log.byRoute("VirtualMachines_Deallocate")).toHaveLength(2);
  });

  it("classifies a failed operation with a non-retryable code as permanent", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    h.emulator.faults.inject({
      routes: ["VirtualMachines_Start"],
      times: 1,
      action: { kind: "lroFailed", code: "OperationNotAllowed", message: "Quota exceeded." },
    });
    await expect(h.ports.compute.start(vmResourceId)).rejects.toMatchObject({
      kind: "permanent",
      code: "OperationNotAllowed",
    });
  });

  it("retries a throttled start after the Retry-After the server asked for", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", powerState: "deallocated" });
    h.emulator.faults.inject({
      routes: ["VirtualMachines_Start"],
      times: 1,
      action: { kind: "throttle", retryAfter: { seconds: 3 } },
    });
    await h.ports.compute.start(vmResourceId);
    expect(await h.ports.compute.getPowerState(vmResourceId)).toBe("running");
    expect(h.retries.map((r) => r.delayMs)).toEqual([3_000]);
  });

  it("gives up on an operation that never finishes after lroTimeoutMs, as a transient failure", async () => {
    await h.close();
    h = await startHarness({ lroTimeoutMs: 100, lroPollIntervalMs: 5 });
    h.emulator.lro.pollsToComplete = 1_000_000;
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    const error = await h.ports.compute.deallocate(vmResourceId).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "transient", operation: "compute.deallocate(avdprod-0-vm)" });
  });

  it("reports notFound when the VM to start does not exist", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    const ghost = vmResourceId.replace("avdprod-0-vm", "ghost-vm");
    await expect(h.ports.compute.start(ghost)).rejects.toMatchObject({ kind: "notFound" });
  });
});

describe("deleting a VM", () => {
  const deletes = (): Array<[string | undefined, number]> =>
    h.emulator.log
      .all()
      .filter((e) => e.method === "DELETE")
      .map((e) => [e.route, e.status]);

  it("with deleteOption Delete (as the program declares), ARM takes the NIC and disk with the VM", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0" });
    const vm = h.backend.getVm(vmResourceId)!;
    expect([vm.nicDeleteOption, vm.osDiskDeleteOption]).toEqual(["Delete", "Delete"]);
    await h.ports.compute.deleteVm(vmResourceId);
    expect(h.backend.getVm(vmResourceId)).toBeUndefined();
    expect(h.backend.nicExists(vm.nicIds[0])).toBe(false);
    expect(h.backend.diskExists(vm.osDiskId)).toBe(false);
    // The adapter still asks for the NIC and disk to go: they are gone already.
    expect(deletes()).toEqual([
      ["VirtualMachines_Delete", 202],
      ["NetworkInterfaces_Delete", 204],
      ["Disks_Delete", 204],
    ]);
  });

  it("with deleteOption Detach, deletes the VM, then its NIC, then its OS disk", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", deleteOption: "Detach" });
    const vm = h.backend.getVm(vmResourceId)!;
    await h.ports.compute.deleteVm(vmResourceId);
    expect(h.backend.getVm(vmResourceId)).toBeUndefined();
    expect(h.backend.nicExists(vm.nicIds[0])).toBe(false);
    expect(h.backend.diskExists(vm.osDiskId)).toBe(false);
    expect(deletes()).toEqual([
      ["VirtualMachines_Delete", 202],
      ["NetworkInterfaces_Delete", 202],
      ["Disks_Delete", 202],
    ]);
  });

  it.each(["Delete", "Detach"] as const)(
    "succeeds on a re-run when everything is gone already (deleteOption %s)",
    async (deleteOption) => {
      const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", deleteOption });
      await h.ports.compute.deleteVm(vmResourceId);
      await expect(h.ports.compute.deleteVm(vmResourceId)).resolves.toBeUndefined();
    },
  );

  it("after a crash between the VM's deletion and the NIC's, a re-run still removes NIC and disk", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", deleteOption: "Detach" });
    const vm = h.backend.getVm(vmResourceId)!;
    h.backend.deleteVm(vmResourceId);
    await h.ports.compute.deleteVm(vmResourceId);
    expect(h.backend.nicExists(vm.nicIds[0])).toBe(false);
    expect(h.backend.diskExists(vm.osDiskId)).toBe(false);
  });

  it.each(["Delete", "Detach"] as const)(
    "leaves other hosts' resources alone (deleteOption %s)",
    async (deleteOption) => {
      const a = h.backend.addHost({ host: "avdprod-0", deleteOption });
      const b = h.backend.addHost({ host: "avdprod-1", deleteOption });
      const vmB = h.backend.getVm(b.vmResourceId)!;
      await h.ports.compute.deleteVm(a.vmResourceId);
      expect(h.backend.getVm(b.vmResourceId)).toBeDefined();
      expect(h.backend.nicExists(vmB.nicIds[0])).toBe(true);
      expect(h.backend.diskExists(vmB.osDiskId)).toBe(true);
    },
  );

  it("retries a 500 on the NIC deletion and finishes the job", async () => {
    const { vmResourceId } = h.backend.addHost({ host: "avdprod-0", deleteOption: "Detach" });
    const vm = h.backend.getVm(vmResourceId)!;
    h.emulator.faults.inject({
      routes: ["NetworkInterfaces_Delete"],
      times: 2,
      action: { kind: "status", status: 500 },
    });
    await h.ports.compute.deleteVm(vmResourceId);
    expect(h.backend.nicExists(vm.nicIds[0])).toBe(false);
    expect(h.retries.filter((r) => r.reason === "HTTP 500 InternalServerError")).toHaveLength(2);
  });
});
