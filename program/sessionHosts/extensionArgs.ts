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
import type { SessionHostSettings } from "./settings";

export interface ExtensionDefinition {
  /** Suffix of the logical name (`<host>-<kind>`). */
  kind: string;
  args: VirtualMachineExtensionArgs;
}

type ExtensionBody = Omit<VirtualMachineExtensionArgs, "resourceGroupName" | "vmName" | "location">;

/** Microsoft's Intune MDM id: the Entra join enrols the VM in Intune when set. */
function entraJoin(mdmProviderGuid: string | undefined): ExtensionBody {
  const body: ExtensionBody = {
    vmExtensionName: "AADLoginForWindows",
    publisher: "Microsoft.Azure.ActiveDirectory",
    type: "AADLoginForWindows",
    typeHandlerVersion: "2.0",
    autoUpgradeMinorVersion: true,
  };
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
    vmExtensionName: "JsonADDomainExtension",
    publisher: "Microsoft.Compute",
    type: "JsonADDomainExtension",
    typeHandlerVersion: "1.3",
    autoUpgradeMinorVersion: true,
    settings,
    protectedSettings,
  };
}

/** The AVD agent: the DSC configuration `AddSessionHost` that installs the agent and registers the host. */
function avdAgent(settings: SessionHostSettings, protectedSettings: pulumi.Output<unknown>): ExtensionBody {
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
    vmExtensionName: "Microsoft.PowerShell.DSC",
    publisher: "Microsoft.Powershell",
    type: "DSC",
    typeHandlerVersion: "2.83",
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
  return {
    vmExtensionName: "CustomScriptExtension",
    publisher: "Microsoft.Compute",
    type: "CustomScriptExtension",
    typeHandlerVersion: "1.10",
    autoUpgradeMinorVersion: true,
    protectedSettings,
  };
}

function azureMonitorAgent(): ExtensionBody {
  return {
    vmExtensionName: "AzureMonitorWindowsAgent",
    publisher: "Microsoft.Azure.Monitor",
    type: "AzureMonitorWindowsAgent",
    typeHandlerVersion: "1.0",
    autoUpgradeMinorVersion: true,
    enableAutomaticUpgrade: true,
  };
}

/** Extensions of the VM `vmName`, in run order. */
export function extensionDefinitions(
  settings: SessionHostSettings,
  vmName: pulumi.Input<string>,
  secrets: SharedProtectedSettings,
): ExtensionDefinition[] {
  const bodies: { kind: string; body: ExtensionBody }[] = [
    { kind: "avd-agent", body: avdAgent(settings, secrets.avdAgent) },
    settings.join.type === "AzureActiveDirectory"
      ? { kind: "entra-join", body: entraJoin(settings.join.mdmProviderGuid) }
      : { kind: "domain-join", body: domainJoin(settings.join, secrets.domainJoin) },
  ];
  if (settings.customConfigurationScriptUrl !== undefined) {
    bodies.push({ kind: "custom-script", body: customScript(secrets.customScript) });
  }
  if (settings.dataCollectionRuleId !== undefined) {
    bodies.push({ kind: "monitor-agent", body: azureMonitorAgent() });
  }
  return bodies.map(({ kind, body }) => {
    const args: VirtualMachineExtensionArgs = {
      resourceGroupName: settings.vmResourceGroupName,
      vmName,
      ...body,
    };
    if (settings.location !== undefined) args.location = settings.location;
    return { kind, args };
  });
}
