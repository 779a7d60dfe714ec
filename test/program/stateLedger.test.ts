import { describe, expect, it } from "vitest";
import { EMPTY_LEDGER, hasVirtualMachine, ledgerFromStackOutputs } from "../../program/ledger/stateLedger";
import {
  LedgerUnavailableError,
  readLedgerFromStackOutputs,
  selfStackNames,
} from "../../program/ledger/readLedgerFromStackOutputs";
import { hostResourceOf, logicalNameOf } from "../../program/sessionHosts/resourceKinds";

describe("host resources by logical name and type", () => {
  it("splits <host>-<kind> for the kind's own type, longest kind first", () => {
    expect(hostResourceOf("avd-10-vm", "azure-native:compute:VirtualMachine")).toEqual({
      host: "avd-10",
      kind: "vm",
    });
    expect(hostResourceOf("avd-1-monitor-agent", "azure-native:compute:VirtualMachineExtension")).toEqual({
      host: "avd-1",
      kind: "monitor-agent",
    });
    expect(hostResourceOf("avd-1-avd-agent", "azure-native:compute:VirtualMachineExtension")).toEqual({
      host: "avd-1",
      kind: "avd-agent",
    });
    expect(hostResourceOf("avd-1-vm", "azure-native:network:NetworkInterface")).toBeNull();
    expect(hostResourceOf("-vm", "azure-native:compute:VirtualMachine")).toBeNull();
    expect(logicalNameOf("avd-3", "dcra")).toBe("avd-3-dcra");
  });
});

describe("ledger from the stack's previous outputs", () => {
  it("reads each host's resource kinds and association rule", () => {
    const ledger = ledgerFromStackOutputs({
      configurationRevision: "r",
      sessionHosts: {
        "avd-0": {
          vmName: "x",
          resources: ["nic", "vm", "avd-agent", "entra-join", "dcra"],
          dataCollectionRuleId: "/dcr",
        },
        "avd-1": { vmName: "y" },
        "avd-2": { resources: ["nic", "vm", "bogus"] },
      },
    });
    expect([...(ledger.hosts.get("avd-0")?.kinds ?? [])]).toEqual([
      "nic",
      "vm",
      "avd-agent",
      "entra-join",
      "dcra",
    ]);
    expect(ledger.hosts.get("avd-0")?.dataCollectionRuleId).toBe("/dcr");
    // Recorded, but without a (valid) resource set: unknown, never guessed.
    expect(ledger.hosts.get("avd-1")?.kinds).toBeNull();
    expect(ledger.hosts.get("avd-2")?.kinds).toBeNull();
    expect(hasVirtualMachine(ledger, "avd-1")).toBe(true);
    expect(hasVirtualMachine(ledger, "avd-9")).toBe(false);
  });

  it("is empty for a stack that exported nothing yet", () => {
    expect(ledgerFromStackOutputs({}).hosts.size).toBe(0);
    expect(ledgerFromStackOutputs(undefined).hosts.size).toBe(0);
    expect(EMPTY_LEDGER.hosts.size).toBe(0);
  });

  it("names the stack fully qualified, and by its bare name only on the diy backend's legacy store", () => {
    expect(selfStackNames("organization", "avd-rollout", "prod")).toEqual([
      "organization/avd-rollout/prod",
      "prod",
    ]);
    expect(selfStackNames("contoso", "avd-rollout", "prod")).toEqual(["contoso/avd-rollout/prod"]);
  });

  it("refuses with a clear message when the outputs cannot be read", async () => {
    const failing = async () => {
      throw new Error("unknown stack");
    };
    const names = ["organization/avd-rollout/prod", "prod"];
    await expect(readLedgerFromStackOutputs(failing, names)).rejects.toThrow(LedgerUnavailableError);
    await expect(readLedgerFromStackOutputs(failing, names)).rejects.toThrow(
      /organization\/avd-rollout\/prod.*unknown stack.*cannot tell which resources.*nothing was changed/s,
    );
  });

  it("falls back to the next name when the first cannot be read", async () => {
    const asked: string[] = [];
    const invoke = async (_token: string, args: Record<string, unknown>) => {
      asked.push(String(args.name));
      if (asked.length === 1) throw new Error("stack names may not contain slashes");
      return { outputs: { sessionHosts: { "avd-0": { resources: ["nic", "vm"] } } } };
    };
    const ledger = await readLedgerFromStackOutputs(invoke, ["organization/avd-rollout/prod", "prod"]);
    expect(asked).toEqual(["organization/avd-rollout/prod", "prod"]);
    expect([...ledger.hosts.keys()]).toEqual(["avd-0"]);
  });
});
