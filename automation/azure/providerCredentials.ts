/**
 * The Pulumi azure-native provider signs in the same way as the Azure SDK clients (see
 * pipelineCredentials.ts), through the provider's own settings in @pulumi/azure-native 3.28.0
 * (config `useOidc`, `clientId`, `tenantId`, `oidcToken`, `oidcRequestUrl`/`oidcRequestToken`,
 * `subscriptionId`; environment ARM_USE_OIDC, ARM_CLIENT_ID, ARM_TENANT_ID, ARM_OIDC_TOKEN,
 * ARM_SUBSCRIPTION_ID — docs: registry "Azure Native Installation & Configuration", OIDC):
 *
 * - GitHub Actions: ARM_USE_OIDC with the app's ids. The provider then requests its identity
 *   tokens from ACTIONS_ID_TOKEN_REQUEST_URL itself, afresh whenever it needs one.
 * - Azure Pipelines: the provider's token request speaks GitHub's protocol only, so each stack
 *   operation (an `up`, a preview) is given a freshly issued service-connection token in
 *   ARM_OIDC_TOKEN: an `up` lasts minutes, far less than the token and the access token it buys.
 * - Otherwise nothing is set: the provider authenticates as configured (Azure CLI by default).
 */
import type { TlsSettings } from "@azure/core-rest-pipeline";
import {
  azurePipelinesIdentityToken,
  azurePipelinesSettings,
  type CredentialChoice,
} from "./pipelineCredentials";

type Env = Readonly<Record<string, string | undefined>>;

/** Environment variables for the `pulumi` process of one stack operation (empty: nothing to add). */
export async function providerEnvironment(
  choice: Pick<CredentialChoice, "source" | "app">,
  subscriptionId: string,
  env: Env,
  tlsSettings?: TlsSettings,
): Promise<Record<string, string>> {
  if (choice.source === "default" || !choice.app) return {};
  const base: Record<string, string> = {
    ARM_USE_OIDC: "true",
    ARM_CLIENT_ID: choice.app.clientId,
    ARM_TENANT_ID: choice.app.tenantId,
  };
  // The provider needs the subscription for OIDC; the stack config may name it instead.
  if (!env.ARM_SUBSCRIPTION_ID) base.ARM_SUBSCRIPTION_ID = subscriptionId;
  if (choice.source === "github-actions-oidc") return base;
  const ado = azurePipelinesSettings(env);
  if (!ado) return base;
  return { ...base, ARM_OIDC_TOKEN: await azurePipelinesIdentityToken(ado, tlsSettings) };
}
