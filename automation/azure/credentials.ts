/**
 * Credentials and the subscription the adapters act in.
 *
 * DefaultAzureCredential by default (environment service principal, workload identity in a
 * pipeline, managed identity on an agent, Azure CLI on a workstation), pointed at the cloud's
 * authority host. The subscription comes from `azure-native:subscriptionId`, else from
 * AZURE_SUBSCRIPTION_ID, as the azure-native provider does.
 */
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";
import { InputError } from "../core/errors";
import type { AzureCloud } from "./clouds";

export function defaultCredential(cloud: AzureCloud): TokenCredential {
  return new DefaultAzureCredential({ authorityHost: cloud.authorityHost });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The subscription id from stack config or the environment; InputError when neither gives a
 * GUID, naming where it was looked for and how to set it.
 */
export function resolveSubscriptionId(
  configValue: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const fromConfig = configValue?.trim();
  if (fromConfig) {
    if (!GUID.test(fromConfig)) {
      throw new InputError(
        `azure-native:subscriptionId is "${fromConfig}", which is not a subscription id (a GUID): ` +
          `set it with \`pulumi config set azure-native:subscriptionId <guid>\``,
      );
    }
    return fromConfig;
  }
  const fromEnv = env["AZURE_SUBSCRIPTION_ID"]?.trim();
  if (fromEnv) {
    if (!GUID.test(fromEnv)) {
      throw new InputError(`AZURE_SUBSCRIPTION_ID is "${fromEnv}", which is not a subscription id (a GUID)`);
    }
    return fromEnv;
  }
  throw new InputError(
    "no Azure subscription: set azure-native:subscriptionId in the stack config " +
      "(`pulumi config set azure-native:subscriptionId <guid>`) or the AZURE_SUBSCRIPTION_ID environment variable",
  );
}
