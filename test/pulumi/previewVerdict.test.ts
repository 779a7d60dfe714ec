import { describe, expect, it } from "vitest";
import { hostMatcher, hostOfUrn, resourceNameOfUrn, typeOfUrn } from "../../automation/pulumi/hostOfResource";
import { driftSteps, plannedSteps, previewVerdict, refusalOf } from "../../automation/pulumi/previewVerdict";
import { STACK_URN, preEvent, urnOf } from "./engineEvents";

const VM = "azure-native:compute:VirtualMachine";
const NIC = "azure-native:network:NetworkInterface";
const HOSTS = Array.from({ length: 12 }, (_, i) => `avd-${i}`);

describe("host attribution of URNs", () => {
  it("takes the resource name and the leaf type from a URN", () => {
    const urn = urnOf(NIC, "avd-3-nic", "avd-rollout:SessionHost");
    expect(resourceNameOfUrn(urn)).toBe("avd-3-nic");
    expect(typeOfUrn(urn)).toBe(NIC);
  });

  it("attributes avd-10 resources to avd-10, never avd-1", () => {
    const match = hostMatcher(HOSTS);
    expect(match("avd-10-nic")).toBe("avd-10");
    expect(match("avd-1-2026-04-15T17-16-07")).toBe("avd-1");
    expect(match("avd-1")).toBe("avd-1");
    expect(match("avd-registration")).toBeNull();
  });

  it("falls back to the parent component's name", () => {
    const match = hostMatcher(HOSTS);
    const parent = urnOf("avd-rollout:SessionHost", "avd-4");
    expect(
      hostOfUrn(
        urnOf("azure-native:compute:VirtualMachineExtension", "aadLogin", "avd-rollout:SessionHost"),
        match,
        parent,
      ),
    ).toBe("avd-4");
    expect(hostOfUrn(urnOf(NIC, "shared"), match, STACK_URN)).toBeNull();
  });
});

describe("previewVerdict", () => {
  it("accepts a preview that replaces only the batch's resources", () => {
    const events = [
      preEvent("same", urnOf(VM, "avd-0-2026-01-01T00-00-00")),
      preEvent("create-replacement", urnOf(VM, "avd-1-2026-04-15T17-16-07")),
      preEvent("create", urnOf(NIC, "avd-1-2026-04-15T17-16-07-nic"), NIC),
      preEvent("delete-replaced", urnOf(VM, "avd-1-2026-01-01T00-00-00")),
    ];
    const verdict = previewVerdict(events, ["avd-1"], HOSTS);
    expect(verdict.outsideBatchChanges).toEqual([]);
    expect(verdict.batchChanges).toEqual([
      urnOf(VM, "avd-1-2026-04-15T17-16-07"),
      urnOf(NIC, "avd-1-2026-04-15T17-16-07-nic"),
    ]);
    expect(refusalOf(verdict, ["avd-1"])).toBeNull();
  });

  it.each(["replace", "delete", "create-replacement", "delete-replaced"] as const)(
    "refuses when a host outside the batch would see %s",
    (op) => {
      const outsider = urnOf(VM, "avd-10-2026-01-01T00-00-00");
      const verdict = previewVerdict(
        [preEvent("create", urnOf(VM, "avd-1-x")), preEvent(op, outsider)],
        ["avd-1"],
        HOSTS,
      );
      expect(verdict.outsideBatchChanges).toEqual([outsider]);
      const refusal = refusalOf(verdict, ["avd-1"]);
      expect(refusal).toContain("outside the batch");
      expect(refusal).toContain(outsider);
      expect(refusal).toContain("Nothing was changed");
    },
  );

  it("refuses when a pool-level resource that belongs to no host would be deleted", () => {
    const shared = urnOf("azure-native:resources:ResourceGroup", "rg-avd-hosts");
    const verdict = previewVerdict(
      [preEvent("delete", shared, "azure-native:resources:ResourceGroup")],
      ["avd-1"],
      HOSTS,
    );
    expect(verdict.outsideBatchChanges).toEqual([shared]);
  });

  it("does not refuse updates in place or creations of new hosts outside the batch", () => {
    const verdict = previewVerdict(
      [
        preEvent("update", urnOf(VM, "avd-2-2026-01-01T00-00-00")),
        preEvent("create", urnOf(VM, "avd-12-2026-04-15T17-16-07")),
      ],
      ["avd-1"],
      HOSTS,
    );
    expect(verdict.outsideBatchChanges).toEqual([]);
    expect(verdict.batchChanges).toEqual([]);
  });

  it("allows dropping a leftover of an earlier replacement from state outside the batch, nothing else", () => {
    const leftover = urnOf(NIC, "avd-5-nic");
    const cleanup = preEvent("delete-replaced", leftover, NIC);
    const { old } = cleanup.resourcePreEvent!.metadata;
    Object.assign(old!, { delete: true, retainOnDelete: true });
    expect(previewVerdict([cleanup], ["avd-1"], HOSTS).outsideBatchChanges).toEqual([]);
    // The same op on a live resource, or one Azure would really delete, is refused.
    const live = preEvent("delete-replaced", leftover, NIC);
    Object.assign(live.resourcePreEvent!.metadata.old!, { retainOnDelete: true });
    const deleting = preEvent("delete-replaced", leftover, NIC);
    Object.assign(deleting.resourcePreEvent!.metadata.old!, { delete: true });
    expect(previewVerdict([live], ["avd-1"], HOSTS).outsideBatchChanges).toEqual([leftover]);
    expect(previewVerdict([deleting], ["avd-1"], HOSTS).outsideBatchChanges).toEqual([leftover]);
  });

  it("lets hosts the state records no VM for change in any update (nobody is signed in to them)", () => {
    const events = [
      preEvent("replace", urnOf(NIC, "avd-7-nic"), NIC),
      preEvent("create", urnOf(VM, "avd-7-vm")),
    ];
    expect(previewVerdict(events, ["avd-1"], HOSTS, ["avd-7"]).outsideBatchChanges).toEqual([]);
    expect(previewVerdict(events, ["avd-1"], HOSTS).outsideBatchChanges).toEqual([urnOf(NIC, "avd-7-nic")]);
  });

  it("reports each URN once even when the engine repeats an event", () => {
    const urn = urnOf(VM, "avd-3-x");
    const steps = plannedSteps([preEvent("delete", urn), preEvent("delete", urn)], HOSTS);
    expect(steps).toHaveLength(1);
    expect(
      driftSteps([...steps, { urn: "u", op: "same", host: null, stateOnlyCleanup: false }]),
    ).toHaveLength(1);
  });
});
