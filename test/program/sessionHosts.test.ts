/**
 * The program under Pulumi's mock runtime: many configurations in one process, checking what
 * each registration sends to the engine (type, inputs, options, secrecy).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import type * as DeclareSessionHostsModule from "../../program/declareSessionHosts";
import {
  configurationRevision,
  desiredHostNames,
  parseStackConfig,
  type RawStackConfig,
  type StackConfig,
} from "../../program/config";
import { EMPTY_LEDGER, type StateLedger } from "../../program/ledger/stateLedger";
import { configuredKinds } from "../../program/sessionHosts/declareHosts";
import { settingsFromStackConfig } from "../../program/sessionHosts/settingsFromStackConfig";
import {
  ADMIN_PASSWORD,
  DOMAIN_PASSWORD,
  INTUNE,
  adConfig,
  entraConfig,
  ids,
  type Raw,
} from "./config/fixtures";
import {
  MOCK_REGISTRATION_TOKEN,
  installMockRuntime,
  isSerializedSecret,
  resolveOutput,
  revealSerialized,
  withoutSecrets,
  type CapturedRegistration,
  type MockRuntime,
} from "./mockRuntime";

const GENERATION = new Date("2026-04-15T17:16:07Z");

/** Every configured host running, with the resources the configuration declares. */
function runningLedger(config: StackConfig): StateLedger {
  const kinds = configuredKinds(settingsFromStackConfig(config, configurationRevision(config)));
  return {
    hosts: new Map(
      desiredHostNames(config).map((host) => [
        host,
        {
          kinds: new Set(kinds),
          vmPendingReplacement: false,
          vmInitErrors: false,
          dataCollectionRuleId: undefined,
        },
      ]),
    ),
  };
}
const STAMP = "2026-04-15T17-16-07";
const VM = "azure-native:compute:VirtualMachine";
const NIC = "azure-native:network:NetworkInterface";
const EXTENSION = "azure-native:compute:VirtualMachineExtension";
const DCRA = "azure-native:monitor:DataCollectionRuleAssociation";

type ProgramModule = typeof DeclareSessionHostsModule;

interface Run {
  all: CapturedRegistration[];
  byName: Map<string, CapturedRegistration>;
  /** Serialized inputs (as sent to the engine) of the resource with this logical name. */
  object(name: string): Record<string, unknown>;
  plain(name: string): Record<string, unknown>;
  outputs: unknown;
  revision: string;
}

function shc(raw: Raw): Record<string, unknown> {
  return raw["avd-rollout:sessionHostConfiguration"] as Record<string, unknown>;
}

function withCount(raw: Raw, count: number): Raw {
  (raw["avd-rollout:sessionHosts"] as Record<string, unknown>).count = count;
  return raw;
}

describe("session hosts under the mock runtime", () => {
  let runtime: MockRuntime;
  let program: ProgramModule;

  beforeAll(async () => {
    runtime = installMockRuntime();
    program = await import("../../program/declareSessionHosts");
  });

  /**
   * Declares the pool. `ledger` is what state records: default none (every host is created, with
   * the full configuration), `"running"` every configured host with the configured resources.
   */
  async function run(
    raw: Raw,
    batchHosts: string[] = [],
    ledger: StateLedger | "running" = EMPTY_LEDGER,
  ): Promise<Run> {
    runtime.reset();
    const config = parseStackConfig(raw as RawStackConfig);
    const declared = program.declareSessionHosts(config, {
      hosts: batchHosts,
      generationTime: GENERATION,
      ledger: ledger === "running" ? runningLedger(config) : ledger,
    });
    await declared.settled;
    await runtime.settle();
    const byName = new Map(runtime.registrations.map((r) => [r.name, r]));
    const get = (name: string) => {
      const found = byName.get(name);
      if (!found) throw new Error(`no resource named ${name}; have ${[...byName.keys()].join(", ")}`);
      return found;
    };
    const outputs: Record<string, unknown> = {};
    for (const [host, out] of Object.entries(declared.sessionHosts)) {
      outputs[host] = {
        vmName: (await resolveOutput(out.vmName)).value,
        vmId: (await resolveOutput(out.vmId)).value,
        revision: (await resolveOutput(out.revision)).value,
        zone: out.zone,
        resources: out.resources,
        dataCollectionRuleId: out.dataCollectionRuleId,
      };
    }
    return {
      all: [...runtime.registrations],
      byName,
      object: (name) => get(name).object,
      plain: (name) => revealSerialized(get(name).object) as Record<string, unknown>,
      outputs,
      revision: declared.configurationRevision,
    };
  }

  describe("naming", () => {
    it("names each VM <host>-<UTC stamp>, computer name = host, NIC and OS disk after the VM", async () => {
      const r = await run(withCount(entraConfig(), 3));
      for (const host of ["avdprod-0", "avdprod-1", "avdprod-2"]) {
        const vm = r.plain(`${host}-vm`);
        const vmName = `${host}-${STAMP}`;
        expect(vm.vmName).toBe(vmName);
        expect((vm.osProfile as Record<string, unknown>).computerName).toBe(host);
        expect((vm.storageProfile as { osDisk: { name: string } }).osDisk.name).toBe(`${vmName}-osdisk`);
        expect(r.plain(`${host}-nic`).networkInterfaceName).toBe(`${vmName}-nic`);
        expect(r.byName.get(`${host}-vm`)!.type).toBe(VM);
        expect(r.byName.get(`${host}-nic`)!.type).toBe(NIC);
      }
    });

    it("declares exactly NIC, VM, agent and join per host for the minimal Entra config", async () => {
      const r = await run(withCount(entraConfig(), 2));
      expect(r.all.map((x) => `${x.type}::${x.name}`).sort()).toEqual(
        [
          `${NIC}::avdprod-0-nic`,
          `${VM}::avdprod-0-vm`,
          `${EXTENSION}::avdprod-0-avd-agent`,
          `${EXTENSION}::avdprod-0-entra-join`,
          `${NIC}::avdprod-1-nic`,
          `${VM}::avdprod-1-vm`,
          `${EXTENSION}::avdprod-1-avd-agent`,
          `${EXTENSION}::avdprod-1-entra-join`,
        ].sort(),
      );
    });

    it("puts VMs, NICs and extensions in sessionHosts.vmResourceGroup (default: the host pool's)", async () => {
      const entra = await run(withCount(entraConfig(), 1));
      expect(entra.plain("avdprod-0-vm").resourceGroupName).toBe("rg-avd");
      const ad = await run(withCount(adConfig(), 1));
      for (const name of ["avdcorp-0-vm", "avdcorp-0-nic", "avdcorp-0-avd-agent", "avdcorp-0-domain-join"]) {
        expect(ad.plain(name).resourceGroupName).toBe("rg-avd-hosts");
      }
      expect(ad.plain("avdcorp-0-vm").location).toBe("westeurope");
    });
  });

  describe("image sources", () => {
    it.each([
      ["latest", "latest"],
      ["1.2.3", "1.2.3"],
    ])("marketplace with exactVersion %s", async (exactVersion, version) => {
      const raw = withCount(entraConfig(), 1);
      (shc(raw).imageInfo as { marketplaceInfo: Record<string, unknown> }).marketplaceInfo.exactVersion =
        exactVersion;
      const r = await run(raw);
      expect((r.plain("avdprod-0-vm").storageProfile as Record<string, unknown>).imageReference).toEqual({
        publisher: "MicrosoftWindowsDesktop",
        offer: "office-365",
        sku: "win11-24h2-avd-m365",
        version,
      });
    });

    it.each([
      ["gallery image", ids.galleryImage],
      ["gallery image version", ids.galleryImageVersion],
      ["managed image", ids.managedImage],
    ])("%s by resource id", async (_kind, resourceId) => {
      const raw = withCount(entraConfig(), 1);
      shc(raw).imageInfo = { customInfo: { resourceId } };
      // Azure supports managed images only on Standard security VMs (the config refuses otherwise).
      shc(raw).securityInfo = { type: "Standard" };
      const r = await run(raw);
      expect((r.plain("avdprod-0-vm").storageProfile as Record<string, unknown>).imageReference).toEqual({
        id: resourceId,
      });
    });

    it("sets the purchase plan only when configured", async () => {
      expect(r0(await run(withCount(entraConfig(), 1))).plan).toBeUndefined();
      expect((await run(withCount(adConfig(), 1))).plain("avdcorp-0-vm").plan).toEqual({
        name: "plan",
        publisher: "vendor",
        product: "product",
      });
    });
  });

  function r0(r: Run): Record<string, unknown> {
    return r.plain("avdprod-0-vm");
  }

  describe("size, disk and security", () => {
    it("applies vmSizeId, disk type and size", async () => {
      const vm = r0(await run(withCount(entraConfig(), 1)));
      expect(vm.hardwareProfile).toEqual({ vmSize: "Standard_D4ads_v5" });
      const osDisk = (vm.storageProfile as { osDisk: Record<string, unknown> }).osDisk;
      expect(osDisk.managedDisk).toEqual({ storageAccountType: "Premium_LRS" });
      expect(osDisk.diskSizeGB).toBe(128);
      expect(osDisk.createOption).toBe("FromImage");
    });

    it("leaves the disk size to the image when sizeGb is not set", async () => {
      const raw = withCount(entraConfig(), 1);
      shc(raw).diskInfo = { type: "Standard_LRS" };
      const osDisk = (r0(await run(raw)).storageProfile as { osDisk: Record<string, unknown> }).osDisk;
      expect(osDisk.diskSizeGB).toBeUndefined();
      expect(osDisk.managedDisk).toEqual({ storageAccountType: "Standard_LRS" });
    });

    it("Standard: no security profile, no UEFI settings", async () => {
      const raw = withCount(entraConfig(), 1);
      shc(raw).securityInfo = { type: "Standard" };
      expect(r0(await run(raw)).securityProfile).toBeUndefined();
    });

    it.each([
      [true, true],
      [false, true],
      [true, false],
    ])("TrustedLaunch with secure boot %s and vTPM %s", async (secureBootEnabled, vTpmEnabled) => {
      const raw = withCount(entraConfig(), 1);
      shc(raw).securityInfo = { type: "TrustedLaunch", secureBootEnabled, vTpmEnabled };
      const vm = r0(await run(raw));
      expect(vm.securityProfile).toEqual({
        securityType: "TrustedLaunch",
        uefiSettings: { secureBootEnabled, vTpmEnabled },
      });
      const osDisk = (vm.storageProfile as { osDisk: { managedDisk: Record<string, unknown> } }).osDisk;
      expect(osDisk.managedDisk.securityProfile).toBeUndefined();
    });

    it("ConfidentialVM: security type, vTPM and the OS disk's security encryption type", async () => {
      const vm = (await run(withCount(adConfig(), 1))).plain("avdcorp-0-vm");
      expect(vm.securityProfile).toEqual({
        securityType: "ConfidentialVM",
        uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      });
      const osDisk = (vm.storageProfile as { osDisk: { managedDisk: Record<string, unknown> } }).osDisk;
      expect(osDisk.managedDisk).toEqual({
        storageAccountType: "StandardSSD_LRS",
        securityProfile: { securityEncryptionType: "VMGuestStateOnly" },
      });
    });
  });

  describe("network, zones, diagnostics and tags", () => {
    it("puts the NIC in the subnet with the NSG and accelerated networking when set", async () => {
      const entraNic = (await run(withCount(entraConfig(), 1))).plain("avdprod-0-nic");
      expect(entraNic.networkSecurityGroup).toBeUndefined();
      expect(entraNic.enableAcceleratedNetworking).toBe(false);
      expect((entraNic.ipConfigurations as { subnet: unknown }[])[0]!.subnet).toEqual({ id: ids.subnet });
      const adNic = (await run(withCount(adConfig(), 1))).plain("avdcorp-0-nic");
      expect(adNic.networkSecurityGroup).toEqual({ id: ids.nsg });
      expect(adNic.enableAcceleratedNetworking).toBe(true);
    });

    it("spreads hosts over the zones round robin by index, and exports each host's zone", async () => {
      const r = await run(withCount(adConfig(), 5));
      const zones = [0, 1, 2, 3, 4].map((i) => r.plain(`avdcorp-${i}-vm`).zones);
      expect(zones).toEqual([["1"], ["2"], ["3"], ["1"], ["2"]]);
      expect((r.outputs as Record<string, { zone: unknown }>)["avdcorp-4"]!.zone).toBe("2");
    });

    it("declares regional VMs without zones", async () => {
      const r = await run(withCount(entraConfig(), 2));
      expect(r0(r).zones).toBeUndefined();
      expect((r.outputs as Record<string, { zone: unknown }>)["avdprod-1"]!.zone).toBeNull();
    });

    it("enables boot diagnostics as configured", async () => {
      expect((await run(withCount(adConfig(), 1))).plain("avdcorp-0-vm").diagnosticsProfile).toEqual({
        bootDiagnostics: { enabled: true },
      });
      const raw = withCount(entraConfig(), 1);
      shc(raw).bootDiagnosticsInfo = { enabled: false };
      expect(r0(await run(raw)).diagnosticsProfile).toEqual({ bootDiagnostics: { enabled: false } });
    });

    it("tags VM and NIC with vmTags, the configuration revision and the directory", async () => {
      const r = await run(withCount(adConfig(), 2));
      for (const name of ["avdcorp-1-vm", "avdcorp-1-nic"]) {
        expect(r.plain(name).tags).toEqual({
          costCenter: "42",
          owner: "euc-team",
          "avd-rollout-revision": r.revision,
          "avd-rollout-directory": "ActiveDirectory:corp.contoso.com",
        });
      }
      expect(r.revision).toMatch(/^[0-9a-f]{16}$/);
    });
  });

  describe("directory join", () => {
    function extension(r: Run, name: string): Record<string, unknown> {
      return r.plain(name);
    }

    it("Entra join with Intune: AADLoginForWindows with mdmId, system identity, agent told aadJoin", async () => {
      const r = await run(withCount(entraConfig(), 1));
      const join = extension(r, "avdprod-0-entra-join");
      expect(join).toMatchObject({
        vmExtensionName: "AADLoginForWindows",
        publisher: "Microsoft.Azure.ActiveDirectory",
        type: "AADLoginForWindows",
        vmName: `avdprod-0-${STAMP}`,
        settings: { mdmId: INTUNE },
      });
      expect(join.protectedSettings).toBeUndefined();
      expect(r0(r).identity).toEqual({ type: "SystemAssigned" });
      const agent = extension(r, "avdprod-0-avd-agent").settings as { properties: Record<string, unknown> };
      expect(agent.properties).toMatchObject({ aadJoin: true, mdmId: INTUNE });
    });

    it("Entra join without Intune: no settings.mdmId", async () => {
      const raw = withCount(entraConfig(), 1);
      shc(raw).domainInfo = { joinType: "AzureActiveDirectory" };
      const r = await run(raw);
      expect(extension(r, "avdprod-0-entra-join").settings).toBeUndefined();
      const agent = extension(r, "avdprod-0-avd-agent").settings as { properties: Record<string, unknown> };
      expect(agent.properties.mdmId).toBeUndefined();
      expect(r0(r).identity).toEqual({ type: "SystemAssigned" });
    });

    it("AD join: JsonADDomainExtension, domain, OU and user in settings, password only protected", async () => {
      const r = await run(withCount(adConfig(), 1));
      const join = r.object("avdcorp-0-domain-join");
      expect(revealSerialized(join)).toMatchObject({
        vmExtensionName: "JsonADDomainExtension",
        publisher: "Microsoft.Compute",
        type: "JsonADDomainExtension",
        settings: {
          Name: "corp.contoso.com",
          OUPath: "OU=AVD,OU=Hosts,DC=corp,DC=contoso,DC=com",
          User: "join@corp.contoso.com",
          Restart: "true",
          Options: "3",
        },
      });
      expect(isSerializedSecret(join.protectedSettings)).toBe(true);
      expect(revealSerialized(join.protectedSettings)).toEqual({ Password: DOMAIN_PASSWORD });
      expect(r.byName.has("avdcorp-0-entra-join")).toBe(false);
    });

    it("AD join without monitoring needs no managed identity", async () => {
      const raw = withCount(adConfig(), 1);
      delete shc(raw).monitoring;
      const r = await run(raw);
      expect(r.plain("avdcorp-0-vm").identity).toBeUndefined();
      expect(r.byName.has("avdcorp-0-monitor-agent")).toBe(false);
      expect(r.byName.has("avdcorp-0-dcra")).toBe(false);
    });
  });

  describe("AVD agent, custom script and monitoring", () => {
    it("registers with the DSC AddSessionHost configuration, the token only in protected settings", async () => {
      const r = await run(withCount(entraConfig(), 1));
      const agent = r.object("avdprod-0-avd-agent");
      expect(revealSerialized(agent)).toMatchObject({
        vmExtensionName: "Microsoft.PowerShell.DSC",
        publisher: "Microsoft.Powershell",
        type: "DSC",
        settings: {
          modulesUrl: expect.stringMatching(
            /^https:\/\/wvdportalstorageblob\.blob\.core\.windows\.net\/galleryartifacts\/Configuration_.*\.zip$/,
          ),
          configurationFunction: "Configuration.ps1\\AddSessionHost",
          properties: { hostPoolName: "hp-prod" },
        },
      });
      expect(isSerializedSecret(agent.protectedSettings)).toBe(true);
      expect(revealSerialized(agent.protectedSettings)).toEqual({
        Items: { RegistrationInfoToken: MOCK_REGISTRATION_TOKEN },
      });
      expect(runtime.invokes).toContainEqual({
        token: "azure-native:desktopvirtualization:getHostPoolRegistrationToken",
        args: { hostPoolName: "hp-prod", resourceGroupName: "rg-avd" },
      });
    });

    it("uses agentPackageUrl when set", async () => {
      const r = await run(withCount(adConfig(), 1));
      expect((r.plain("avdcorp-0-avd-agent").settings as Record<string, unknown>).modulesUrl).toBe(
        "https://stavd.blob.core.windows.net/avd/Configuration.zip",
      );
    });

    it("runs the custom configuration script when set (URL and command protected)", async () => {
      const r = await run(withCount(adConfig(), 1));
      const script = r.object("avdcorp-0-custom-script");
      expect(revealSerialized(script)).toMatchObject({
        vmExtensionName: "CustomScriptExtension",
        publisher: "Microsoft.Compute",
        type: "CustomScriptExtension",
      });
      expect(isSerializedSecret(script.protectedSettings)).toBe(true);
      expect(revealSerialized(script.protectedSettings)).toEqual({
        fileUris: ["https://stavd.blob.core.windows.net/scripts/configure.ps1"],
        commandToExecute: 'powershell -ExecutionPolicy Unrestricted -File "configure.ps1"',
      });
      expect((await run(withCount(entraConfig(), 1))).byName.has("avdprod-0-custom-script")).toBe(false);
    });

    it("installs the Azure Monitor Agent and associates the data collection rule with the VM", async () => {
      const r = await run(withCount(adConfig(), 1));
      expect(r.plain("avdcorp-0-monitor-agent")).toMatchObject({
        publisher: "Microsoft.Azure.Monitor",
        type: "AzureMonitorWindowsAgent",
        enableAutomaticUpgrade: true,
      });
      const association = r.byName.get("avdcorp-0-dcra")!;
      expect(association.type).toBe(DCRA);
      expect(association.object).toMatchObject({
        dataCollectionRuleId: ids.dcr,
        resourceUri: `/mock/${VM}/avdcorp-0-vm`,
      });
      expect(r.plain("avdcorp-0-vm").identity).toEqual({ type: "SystemAssigned" });
    });

    it("runs the extensions one after another: agent, join, script, monitor agent, association", async () => {
      const r = await run(withCount(adConfig(), 1));
      const urn = (name: string) => `urn:pulumi:test::avd-rollout::${r.byName.get(name)!.type}::${name}`;
      const chain = [
        "avdcorp-0-vm",
        "avdcorp-0-avd-agent",
        "avdcorp-0-domain-join",
        "avdcorp-0-custom-script",
        "avdcorp-0-monitor-agent",
        "avdcorp-0-dcra",
      ];
      for (let i = 1; i < chain.length; i++) {
        expect(r.byName.get(chain[i]!)!.request.dependenciesList, chain[i]).toContain(urn(chain[i - 1]!));
      }
    });
  });

  describe("state is the ledger: options per host", () => {
    function options(reg: CapturedRegistration) {
      return {
        protect: reg.request.protect,
        ignoreChanges: reg.request.ignorechangesList,
        retainOnDelete: reg.request.retainondelete,
        deleteBeforeReplace: reg.request.deletebeforereplacedefined
          ? reg.request.deletebeforereplace
          : "unset",
      };
    }
    const optional = /-(custom-script|monitor-agent|dcra)$/;

    it("a plain up keeps every running host: every change ignored, lifelong resources protected", async () => {
      const r = await run(withCount(adConfig(), 3), [], "running");
      expect(r.all.length).toBe(3 * 7);
      for (const reg of r.all) {
        expect(options(reg), reg.name).toEqual({
          protect: !optional.test(reg.name),
          ignoreChanges: ["*"],
          retainOnDelete: true,
          deleteBeforeReplace: false,
        });
      }
    });

    it("only the batch's hosts may change; every resource of theirs, none of the others", async () => {
      const r = await run(withCount(adConfig(), 12), ["avdcorp-1", "avdcorp-10"], "running");
      for (const reg of r.all) {
        const host = /^(avdcorp-\d+)-/.exec(reg.name)![1];
        const inBatch = host === "avdcorp-1" || host === "avdcorp-10";
        expect(options(reg), reg.name).toEqual(
          inBatch
            ? { protect: false, ignoreChanges: [], retainOnDelete: true, deleteBeforeReplace: false }
            : {
                protect: !optional.test(reg.name),
                ignoreChanges: ["*"],
                retainOnDelete: true,
                deleteBeforeReplace: false,
              },
        );
      }
    });

    it("creates hosts state does not record with the configuration, unprotected until they run", async () => {
      const r = await run(withCount(adConfig(), 2));
      for (const reg of r.all) {
        expect(options(reg), reg.name).toEqual({
          protect: false,
          ignoreChanges: [],
          retainOnDelete: true,
          deleteBeforeReplace: false,
        });
      }
    });

    it("refuses a batch host that is not configured, naming it", async () => {
      const config = parseStackConfig(withCount(entraConfig(), 2) as RawStackConfig);
      const declare = () =>
        program.declareSessionHosts(config, {
          hosts: ["avdprod-2"],
          generationTime: GENERATION,
          ledger: EMPTY_LEDGER,
        });
      expect(declare).toThrow(InputError);
      expect(declare).toThrow(/"avdprod-2".*avdprod-0 \.\. avdprod-1/);
    });

    it("exports vmName, vmId, revision, zone and the resource set per host", async () => {
      const r = await run(withCount(adConfig(), 2));
      const resources = ["nic", "vm", "avd-agent", "domain-join", "custom-script", "monitor-agent", "dcra"];
      expect(r.outputs).toEqual({
        "avdcorp-0": {
          vmName: `avdcorp-0-${STAMP}`,
          vmId: `/mock/${VM}/avdcorp-0-vm`,
          revision: r.revision,
          zone: "1",
          resources,
          dataCollectionRuleId: ids.dcr,
        },
        "avdcorp-1": {
          vmName: `avdcorp-1-${STAMP}`,
          vmId: `/mock/${VM}/avdcorp-1-vm`,
          revision: r.revision,
          zone: "2",
          resources,
          dataCollectionRuleId: ids.dcr,
        },
      });
    });
  });

  describe("secrets", () => {
    const secrets = [ADMIN_PASSWORD, DOMAIN_PASSWORD, MOCK_REGISTRATION_TOKEN];

    it.each([
      ["Entra + Intune", entraConfig, "avdprod-0"],
      ["AD + script + monitoring", adConfig, "avdcorp-0"],
    ])("%s: no secret outside protected values, tags or outputs", async (_name, config, batchHost) => {
      const r = await run(withCount(config(), 2), [batchHost]);
      expect(r.all.length).toBeGreaterThan(0);
      for (const reg of r.all) {
        const visible = JSON.stringify(withoutSecrets(reg.object));
        for (const secret of secrets) expect(visible, reg.name).not.toContain(secret);
        const tags = JSON.stringify(revealSerialized(reg.object.tags ?? {}));
        for (const secret of secrets) expect(tags, reg.name).not.toContain(secret);
      }
      const outputs = JSON.stringify(r.outputs);
      for (const secret of secrets) expect(outputs).not.toContain(secret);
    });

    it("sends the admin password as a secret", async () => {
      const r = await run(withCount(entraConfig(), 1));
      const osProfile = r.object("avdprod-0-vm").osProfile as Record<string, unknown>;
      expect(isSerializedSecret(osProfile.adminPassword) || isSerializedSecret(osProfile)).toBe(true);
      expect((revealSerialized(osProfile) as Record<string, unknown>).adminPassword).toBe(ADMIN_PASSWORD);
    });
  });
});
