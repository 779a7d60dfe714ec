/**
 * The VM extensions of one generation, in the order they run (each waits for the previous one:
 * Azure runs one extension operation per VM at a time, and the AVD agent registers before the
 * directory join restarts the VM, as Azure's own host pool templates do).
 *
 * Secrets (domain join password, registration token) only ever go into `protectedSettings`,
 * wrapped as Pulumi secrets; `settings` hold nothing secret.
 */
import * as pulumi from "@pulumi/pulumi";
import type { VirtualMachineExtensionArgs } from "@pulumi/azure-native/compute/virtualMachineExtension";
import type { ExtensionKind } from "./resourceKinds";
import type { SessionHostSettings } from "./settings";

export interface ExtensionDefinition {
  /** Suffix of the logical name (`<host>-<kind>`). */
  kind: ExtensionKind;
  args: VirtualMachineExtensionArgs;
}

type ExtensionBody = Omit<VirtualMachineExtensionArgs, "resourceGroupName" | "vmName" | "location">;

type ExtensionIdentity = Required<
  Pick<ExtensionBody, "vmExtensionName" | "publisher" | "type" | "typeHandlerVersion">
>;

/** What Azure knows each extension kind by. */
const EXTENSION_IDENTITY: Record<ExtensionKind, ExtensionIdentity> = {
  "avd-agent": {
    vmExtensionName: "Microsoft.PowerShell.DSC",
    publisher: "Microsoft.Powershell",
    type: "DSC",
    typeHandlerVersion: "2.83",
  },
  "entra-join": {
    vmExtensionName: "AADLoginForWindows",
    publisher: "Microsoft.Azure.ActiveDirectory",
    type: "AADLoginForWindows",
    typeHandlerVersion: "2.0",
  },
  "domain-join": {
    vmExtensionName: "JsonADDomainExtension",
    publisher: "Microsoft.Compute",
    type: "JsonADDomainExtension",
    typeHandlerVersion: "1.3",
  },
  "custom-script": {
    vmExtensionName: "CustomScriptExtension",
    publisher: "Microsoft.Compute",
    type: "CustomScriptExtension",
    typeHandlerVersion: "1.10",
  },
  "monitor-agent": {
    vmExtensionName: "AzureMonitorWindowsAgent",
    publisher: "Microsoft.Azure.Monitor",
    type: "AzureMonitorWindowsAgent",
    typeHandlerVersion: "1.0",
  },
};

/** Every extension kind in run order: the order a host's extensions are chained in. */
export const EXTENSION_RUN_ORDER: readonly ExtensionKind[] = [
  "avd-agent",
  "entra-join",
  "domain-join",
  "custom-script",
  "monitor-agent",
];

/** Microsoft's Intune MDM id: the Entra join enrols the VM in Intune when set. */
function entraJoin(mdmProviderGuid: string | undefined): ExtensionBody {
  const body: ExtensionBody = { ...EXTENSION_IDENTITY["entra-join"], autoUpgradeMinorVersion: true };
  if (mdmProviderGuid !== undefined) body.settings = { mdmId: mdmProviderGuid };
  return body;
}

/**
 * Protected settings are the same for every host of a configuration: built once per program run
 * (one secret Output each) and shared, rather than one apply chain per host.
 */
export interface SharedProtectedSettings {
  avdAgent: pulumi.Output<unknown>;
  domainJoin: pulumi.Output<unknown> | undefined;
  customScript: pulumi.Output<unknown> | undefined;
}

export function sharedProtectedSettings(
  settings: SessionHostSettings,
  registrationToken: pulumi.Output<string>,
): SharedProtectedSettings {
  const join = settings.join;
  const scriptUrl = settings.customConfigurationScriptUrl;
  return {
    avdAgent: pulumi.secret(
      registrationToken.apply((RegistrationInfoToken) => ({ Items: { RegistrationInfoToken } })),
    ),
    domainJoin:
      join.type === "ActiveDirectory"
        ? pulumi.secret(join.password.apply((Password) => ({ Password })))
        : undefined,
    customScript:
      scriptUrl === undefined
        ? undefined
        : pulumi.secret({
            fileUris: [scriptUrl],
            commandToExecute: `powershell -ExecutionPolicy Unrestricted -File "${scriptFileName(scriptUrl)}"`,
          }),
  };
}

function domainJoin(
  join: Extract<SessionHostSettings["join"], { type: "ActiveDirectory" }>,
  protectedSettings: pulumi.Output<unknown> | undefined,
): ExtensionBody {
  const settings: Record<string, pulumi.Input<string>> = {
    Name: join.domainName,
    User: join.username,
    Restart: "true",
    // 3 = join the domain (1) + create the computer account (2); an existing account is reused.
    Options: "3",
  };
  if (join.ouPath !== undefined) settings.OUPath = join.ouPath;
  return {
    ...EXTENSION_IDENTITY["domain-join"],
    autoUpgradeMinorVersion: true,
    settings,
    protectedSettings,
  };
}

/** The AVD agent: the DSC configuration `AddSessionHost` that installs the agent and registers the host. */
function avdAgent(
  settings: SessionHostSettings,
  protectedSettings: pulumi.Output<unknown> | undefined,
): ExtensionBody {
  const properties: Record<string, unknown> = {
    hostPoolName: settings.hostPoolName,
    // The DSC configuration reads the token from the protected settings through this reference.
    registrationInfoTokenCredential: {
      UserName: "PLACEHOLDER_DO_NOT_USE",
      Password: "PrivateSettingsRef:RegistrationInfoToken",
    },
    aadJoin: settings.join.type === "AzureActiveDirectory",
    UseAgentDownloadEndpoint: true,
  };
  if (settings.join.type === "AzureActiveDirectory" && settings.join.mdmProviderGuid !== undefined) {
    properties.mdmId = settings.join.mdmProviderGuid;
  }
  return {
    ...EXTENSION_IDENTITY["avd-agent"],
    autoUpgradeMinorVersion: true,
    settings: {
      modulesUrl: settings.agentPackageUrl,
      configurationFunction: "Configuration.ps1\\AddSessionHost",
      properties,
    },
    protectedSettings,
  };
}

function scriptFileName(url: string): string {
  const path = new URL(url).pathname;
  return decodeURIComponent(path.slice(path.lastIndexOf("/") + 1));
}

/**
 * The custom configuration script. The URL (which may carry a SAS token) and the command go in
 * the protected settings: CustomScriptExtension reads `fileUris` from either.
 */
function customScript(protectedSettings: pulumi.Output<unknown> | undefined): ExtensionBody {
  return { ...EXTENSION_IDENTITY["custom-script"], autoUpgradeMinorVersion: true, protectedSettings };
}

function azureMonitorAgent(): ExtensionBody {
  return {
    ...EXTENSION_IDENTITY["monitor-agent"],
    autoUpgradeMinorVersion: true,
    enableAutomaticUpgrade: true,
  };
}

/** The extension kinds the configuration declares, in run order. */
export function configuredExtensionKinds(settings: SessionHostSettings): ExtensionKind[] {
  const kinds: ExtensionKind[] = [
    "avd-agent",
    settings.join.type === "AzureActiveDirectory" ? "entra-join" : "domain-join",
  ];
  if (settings.customConfigurationScriptUrl !== undefined) kinds.push("custom-script");
  if (settings.dataCollectionRuleId !== undefined) kinds.push("monitor-agent");
  return kinds;
}

function bodyOf(
  kind: ExtensionKind,
  settings: SessionHostSettings,
  secrets: SharedProtectedSettings | undefined,
): ExtensionBody {
  const join = settings.join;
  switch (kind) {
    case "avd-agent":
      return avdAgent(settings, secrets?.avdAgent);
    case "entra-join":
      if (join.type === "AzureActiveDirectory") return entraJoin(join.mdmProviderGuid);
      break;
    case "domain-join":
      if (join.type === "ActiveDirectory") return domainJoin(join, secrets?.domainJoin);
      break;
    case "custom-script":
      if (settings.customConfigurationScriptUrl !== undefined) return customScript(secrets?.customScript);
      break;
    case "monitor-agent":
      if (settings.dataCollectionRuleId !== undefined) return azureMonitorAgent();
      break;
  }
  // A kind the configuration no longer has: only a host kept as state records it declares one,
  // and the engine keeps its recorded inputs (ignoreChanges "*"), so its identity is all it needs.
  return { ...EXTENSION_IDENTITY[kind], autoUpgradeMinorVersion: true };
}

/**
 * The extension of `kind` on the VM `vmName`. `secrets` are the protected settings of a generation
 * being created; a host kept as state records it gets none (the engine keeps the recorded ones).
 */
export function extensionDefinition(
  kind: ExtensionKind,
  settings: SessionHostSettings,
  vmName: pulumi.Input<string>,
  secrets: SharedProtectedSettings | undefined,
): ExtensionDefinition {
  const body = bodyOf(kind, settings, secrets);
  if (body.protectedSettings === undefined) delete body.protectedSettings;
  const args: VirtualMachineExtensionArgs = {
    resourceGroupName: settings.vmResourceGroupName,
    vmName,
    ...body,
  };
  if (settings.location !== undefined) args.location = settings.location;
  return { kind, args };
}

/** Extensions of the VM `vmName` the configuration declares, in run order. */
export function extensionDefinitions(
  settings: SessionHostSettings,
  vmName: pulumi.Input<string>,
  secrets: SharedProtectedSettings | undefined,
): ExtensionDefinition[] {
  return configuredExtensionKinds(settings).map((kind) =>
    extensionDefinition(kind, settings, vmName, secrets),
  );
}
