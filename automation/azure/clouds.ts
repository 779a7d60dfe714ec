/**
 * The Azure clouds avd-rollout runs in, named as the azure-native provider spells its
 * `azure-native:environment` config (`public`, `usgovernment`, `china`).
 *
 * The AVD *session host update* service only exists in the public cloud; avd-rollout does the
 * same job in all three because it only needs the ARM endpoints below.
 */
import { InputError } from "../core/errors";

export type CloudName = "public" | "usgovernment" | "china";

export interface AzureCloud {
  name: CloudName;
  /** Azure SDK naming of the cloud (AzurePublicCloud ...), for messages and docs. */
  displayName: string;
  /** Resource Manager endpoint, no trailing slash. */
  resourceManagerEndpoint: string;
  /** Token scope for ARM (`<audience>/.default`). */
  resourceManagerScope: string;
  /** Microsoft Entra authority host for @azure/identity credentials. */
  authorityHost: string;
}

export const CLOUDS: Readonly<Record<CloudName, AzureCloud>> = {
  public: {
    name: "public",
    displayName: "AzurePublic",
    resourceManagerEndpoint: "https://management.azure.com",
    resourceManagerScope: "https://management.azure.com/.default",
    authorityHost: "https://login.microsoftonline.com",
  },
  usgovernment: {
    name: "usgovernment",
    displayName: "AzureUSGovernment",
    resourceManagerEndpoint: "https://management.usgovcloudapi.net",
    resourceManagerScope: "https://management.usgovcloudapi.net/.default",
    authorityHost: "https://login.microsoftonline.us",
  },
  china: {
    name: "china",
    displayName: "AzureChina",
    resourceManagerEndpoint: "https://management.chinacloudapi.cn",
    resourceManagerScope: "https://management.chinacloudapi.cn/.default",
    authorityHost: "https://login.chinacloudapi.cn",
  },
};

/** Spellings accepted besides the provider's own (`AzureUSGovernment`, `usgov` ...). */
const ALIASES: Record<string, CloudName> = {
  public: "public",
  azurepublic: "public",
  azurepubliccloud: "public",
  azurecloud: "public",
  usgovernment: "usgovernment",
  usgov: "usgovernment",
  azureusgovernment: "usgovernment",
  azureusgovernmentcloud: "usgovernment",
  china: "china",
  azurechina: "china",
  azurechinacloud: "china",
};

/**
 * The cloud named by `azure-native:environment` (absent = public). Throws InputError naming
 * the key, the bad value and the accepted values.
 */
export function cloudFromConfig(value: string | undefined, key = "azure-native:environment"): AzureCloud {
  if (value === undefined || value.trim() === "") return CLOUDS.public;
  const name =
    ALIASES[
      value
        .trim()
        .toLowerCase()
        .replace(/[\s_-]/g, "")
    ];
  if (!name) {
    throw new InputError(
      `${key} is "${value}", which is not an Azure cloud: use public, usgovernment or china`,
    );
  }
  return CLOUDS[name];
}
