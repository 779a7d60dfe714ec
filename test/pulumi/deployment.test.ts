import { describe, expect, it } from "vitest";
import type { Deployment } from "@pulumi/pulumi/automation";
import {
  deployedHostsFromDeployment,
  hostOfVm,
  ledgerFromDeployment,
} from "../../automation/pulumi/deployment";
import { STACK_URN, urnOf } from "./engineEvents";

const TAG = "avd-rollout-revision";
const SUB = "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines";

function vm(
  name: string,
  extra: Record<string, unknown> = {},
  outputs: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    urn: urnOf("azure-native:compute:VirtualMachine", name),
    type: "azure-native:compute:VirtualMachine",
    custom: true,
    id: `${SUB}/${name}`,
    outputs: {
      name,
      id: `${SUB}/${name}`,
      osProfile: { computerName: name.replace(/-\d{4}-.*$/, "") },
      tags: { [TAG]: "rev-a" },
      ...outputs,
    },
    ...extra,
  };
}

function deployment(resources: Record<string, unknown>[]): Deployment {
  return {
    version: 3,
    deployment: { manifest: {}, resources: [{ urn: STACK_URN, type: "pulumi:pulumi:Stack" }, ...resources] },
  };
}

describe("deployedHostsFromDeployment", () => {
  it("reads VM name, id and revision tag per host", () => {
    const hosts = deployedHostsFromDeployment(
      deployment([
        vm("avd-0-2026-01-01T00-00-00"),
        vm("avd-1-2026-01-01T00-00-00", {}, { tags: { [TAG]: "rev-b", costCenter: "42" } }),
        {
          urn: urnOf("azure-native:network:NetworkInterface", "avd-0-nic"),
          type: "azure-native:network:NetworkInterface",
          outputs: { name: "avd-0-nic" },
        },
      ]),
      TAG,
    );
    expect(hosts).toEqual([
      {
        host: "avd-0",
        vmName: "avd-0-2026-01-01T00-00-00",
        vmResourceId: `${SUB}/avd-0-2026-01-01T00-00-00`,
        revision: "rev-a",
      },
      {
        host: "avd-1",
        vmName: "avd-1-2026-01-01T00-00-00",
        vmResourceId: `${SUB}/avd-1-2026-01-01T00-00-00`,
        revision: "rev-b",
      },
    ]);
  });

  it("keeps the newest live generation; entries marked for deletion never count", () => {
    const hosts = deployedHostsFromDeployment(
      deployment([
        vm("avd-2-2026-01-01T00-00-00"),
        vm("avd-2-2026-04-15T17-16-07", {}, { tags: { [TAG]: "rev-new" } }),
        vm("avd-3-2026-05-01T00-00-00", { delete: true }),
        vm("avd-3-2026-01-01T00-00-00"),
        vm("avd-4-2026-05-01T00-00-00", { delete: true }),
      ]),
      TAG,
    );
    const byHost = Object.fromEntries(hosts.map((h) => [h.host, h]));
    expect(byHost["avd-2"]?.revision).toBe("rev-new");
    expect(byHost["avd-3"]?.vmName).toBe("avd-3-2026-01-01T00-00-00");
    expect(byHost["avd-4"]).toBeUndefined();
  });

  it("reports a VM pending replacement as the host's generation when it has no other, so retry finishes it", () => {
    const hosts = deployedHostsFromDeployment(
      deployment([
        vm("avd-4-2026-01-01T00-00-00", { pendingReplacement: true }, { tags: { [TAG]: "rev-old" } }),
        vm("avd-5-2026-01-01T00-00-00", { pendingReplacement: true }),
        vm("avd-5-2026-05-01T00-00-00", {}, { tags: { [TAG]: "rev-new" } }),
      ]),
      TAG,
    );
    const byHost = Object.fromEntries(hosts.map((h) => [h.host, h]));
    expect(byHost["avd-4"]).toMatchObject({ vmName: "avd-4-2026-01-01T00-00-00", revision: "rev-old" });
    expect(byHost["avd-5"]).toMatchObject({ vmName: "avd-5-2026-05-01T00-00-00", revision: "rev-new" });
  });

  it("builds the program's ledger: live host resources by kind, pending replacements flagged", () => {
    const resource = (type: string, name: string, extra: Record<string, unknown> = {}) => ({
      urn: urnOf(type, name),
      type,
      ...extra,
    });
    const ledger = ledgerFromDeployment(
      deployment([
        resource("azure-native:network:NetworkInterface", "avd-0-nic"),
        resource("azure-native:compute:VirtualMachine", "avd-0-vm"),
        resource("azure-native:compute:VirtualMachineExtension", "avd-0-monitor-agent"),
        resource("azure-native:monitor:DataCollectionRuleAssociation", "avd-0-dcra", {
          outputs: { dataCollectionRuleId: "/dcr/1" },
        }),
        resource("azure-native:compute:VirtualMachineExtension", "avd-0-custom-script", { delete: true }),
        resource("azure-native:compute:VirtualMachine", "avd-1-vm", { pendingReplacement: true }),
        resource("azure-native:compute:VirtualMachine", "avd-4-vm", { initErrors: ["AllocationFailed"] }),
        // Not host resources: another type under a host-like name, a component's child.
        resource("azure-native:network:NetworkInterface", "avd-2-vm"),
        {
          urn: urnOf("azure-native:compute:VirtualMachine", "avd-3-vm", "my:Component"),
          type: "azure-native:compute:VirtualMachine",
        },
      ]),
    );
    expect([...ledger.hosts.keys()]).toEqual(["avd-0", "avd-1", "avd-4"]);
    expect(ledger.hosts.get("avd-4")).toMatchObject({ vmInitErrors: true, vmPendingReplacement: false });
    expect([...(ledger.hosts.get("avd-0")?.kinds ?? [])]).toEqual(["nic", "vm", "monitor-agent", "dcra"]);
    expect(ledger.hosts.get("avd-0")).toMatchObject({
      vmPendingReplacement: false,
      dataCollectionRuleId: "/dcr/1",
    });
    expect(ledger.hosts.get("avd-1")).toMatchObject({ vmPendingReplacement: true });
  });

  it("reports an empty revision for a VM without the tag, and maps by computer name", () => {
    const hosts = deployedHostsFromDeployment(
      deployment([vm("legacy-vm-7", {}, { tags: {}, osProfile: { computerName: "AVD-7" } })]),
      TAG,
    );
    expect(hosts).toEqual([
      { host: "avd-7", vmName: "legacy-vm-7", vmResourceId: `${SUB}/legacy-vm-7`, revision: "" },
    ]);
  });

  it("returns nothing for an empty or malformed deployment", () => {
    expect(deployedHostsFromDeployment({ version: 3, deployment: {} }, TAG)).toEqual([]);
    expect(
      deployedHostsFromDeployment({ version: 3, deployment: { resources: [null, 3, { urn: 1 }] } }, TAG),
    ).toEqual([]);
  });

  it("derives the host from the VM name when no computer name is known", () => {
    expect(hostOfVm("avdprod-10-2026-04-15T17-16-07", undefined)).toBe("avdprod-10");
  });
});
