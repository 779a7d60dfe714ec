/**
 * Credentials that outlive a pipeline job's first hour, chosen from the environment.
 *
 * A federated (OIDC) login taken at the start of a job — `azure/login`, an `AzureCLI@2` task's
 * Azure CLI — holds an access token for about an hour and cannot renew it: the identity token it
 * was exchanged for has expired by then. These credentials instead ask the pipeline for a fresh
 * identity token whenever Entra needs one, so a rollout of many hours keeps working:
 *
 * - GitHub Actions (`permissions: id-token: write`): ClientAssertionCredential whose assertion
 *   comes from ACTIONS_ID_TOKEN_REQUEST_URL with ACTIONS_ID_TOKEN_REQUEST_TOKEN, for the app in
 *   AZURE_CLIENT_ID / AZURE_TENANT_ID (or ARM_CLIENT_ID / ARM_TENANT_ID).
 * - Azure Pipelines (a workload-identity service connection, inside AzureCLI@2 / AzurePowerShell@5
 *   which set AZURESUBSCRIPTION_SERVICE_CONNECTION_ID, _CLIENT_ID and _TENANT_ID, with
 *   SYSTEM_ACCESSTOKEN mapped into the step): AzurePipelinesCredential.
 * - Anywhere else: DefaultAzureCredential, as before.
 *
 * docs/pipelines.md ("Credentials that outlive an hour") is the user-facing description.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  createDefaultHttpClient,
  createHttpHeaders,
  createPipelineFromOptions,
  createPipelineRequest,
  type TlsSettings,
} from "@azure/core-rest-pipeline";
import { AzurePipelinesCredential, ClientAssertionCredential, DefaultAzureCredential } from "@azure/identity";
import type { AzureCloud } from "./clouds";

/** The audience Entra expects in a federated identity token (the federated credential's default). */
export const FEDERATED_TOKEN_AUDIENCE = "api://AzureADTokenExchange";
/** The Azure DevOps API version of the OIDC token endpoint (as AzurePipelinesCredential uses). */
const ADO_OIDC_API_VERSION = "7.1";
/** Retries of a token request that failed transiently (5xx, throttling, a dropped connection). */
const TOKEN_REQUEST_RETRIES = 3;

export type CredentialSource = "github-actions-oidc" | "azure-pipelines" | "default";

/** What a federated login needs besides the pipeline's token endpoint. */
export interface FederatedApp {
  clientId: string;
  tenantId: string;
}

export interface CredentialChoice {
  source: CredentialSource;
  credential: TokenCredential;
  /** The app the federated login signs in as (absent for the default chain). */
  app?: FederatedApp;
  /** Why this credential, or what to fix for a better one (for the log; no secret in them). */
  notes: string[];
}

/** Extra options, for tests against a local token endpoint. */
export interface CredentialTestOptions {
  authorityHost?: string;
  tlsOptions?: TlsSettings;
  disableInstanceDiscovery?: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

const value = (env: Env, ...names: string[]): string | undefined => {
  for (const name of names) {
    const text = env[name]?.trim();
    if (text) return text;
  }
  return undefined;
};

/** The GitHub Actions OIDC settings, when the job may request identity tokens and names an app. */
export function githubOidcSettings(
  env: Env,
): (FederatedApp & { requestUrl: string; requestToken: string }) | null {
  const requestUrl = value(env, "ACTIONS_ID_TOKEN_REQUEST_URL");
  const requestToken = value(env, "ACTIONS_ID_TOKEN_REQUEST_TOKEN");
  const clientId = value(env, "AZURE_CLIENT_ID", "ARM_CLIENT_ID");
  const tenantId = value(env, "AZURE_TENANT_ID", "ARM_TENANT_ID");
  if (!requestUrl || !requestToken || !clientId || !tenantId) return null;
  return { requestUrl, requestToken, clientId, tenantId };
}

/** The Azure Pipelines service connection settings, when the step exposes all of them. */
export function azurePipelinesSettings(
  env: Env,
): (FederatedApp & { requestUri: string; serviceConnectionId: string; systemAccessToken: string }) | null {
  const requestUri = value(env, "SYSTEM_OIDCREQUESTURI");
  const serviceConnectionId = value(env, "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID");
  const clientId = value(env, "AZURESUBSCRIPTION_CLIENT_ID", "AZURE_CLIENT_ID");
  const tenantId = value(env, "AZURESUBSCRIPTION_TENANT_ID", "AZURE_TENANT_ID");
  const systemAccessToken = value(env, "SYSTEM_ACCESSTOKEN");
  if (!requestUri || !serviceConnectionId || !clientId || !tenantId || !systemAccessToken) return null;
  return { requestUri, serviceConnectionId, clientId, tenantId, systemAccessToken };
}

/** Sends one request to a pipeline's token endpoint and returns the token field of its JSON answer. */
async function requestToken(
  what: string,
  request: { url: string; method: "GET" | "POST"; bearer: string; field: "value" | "oidcToken" },
  tlsSettings: TlsSettings | undefined,
): Promise<string> {
  const headers = createHttpHeaders({
    Accept: "application/json",
    Authorization: `Bearer ${request.bearer}`,
  });
  if (request.method === "POST") {
    headers.set("Content-Type", "application/json");
    // Azure DevOps answers a redirect to a sign-in page otherwise.
    headers.set("X-TFS-FedAuthRedirect", "Suppress");
  }
  // A pipeline, not a bare client: a throttled or failing endpoint is retried as Azure's are.
  const pipeline = createPipelineFromOptions({
    retryOptions: { maxRetries: TOKEN_REQUEST_RETRIES },
    ...(tlsSettings ? { tlsOptions: tlsSettings } : {}),
  });
  const response = await pipeline.sendRequest(
    createDefaultHttpClient(),
    createPipelineRequest({ url: request.url, method: request.method, headers }),
  );
  // Never echo the body: it may hold a token.
  if (response.status < 200 || response.status > 299)
    throw new Error(`${what}: the token endpoint answered HTTP ${response.status}`);
  let token: unknown;
  try {
    token = (JSON.parse(response.bodyAsText ?? "") as Record<string, unknown>)[request.field];
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || token === "")
    throw new Error(`${what}: the token endpoint's answer holds no "${request.field}"`);
  return token;
}

/** A fresh GitHub Actions identity token for Entra (a new one on every call). */
export function githubIdentityToken(
  settings: { requestUrl: string; requestToken: string },
  tlsSettings?: TlsSettings,
): Promise<string> {
  const url = new URL(settings.requestUrl);
  url.searchParams.set("audience", FEDERATED_TOKEN_AUDIENCE);
  return requestToken(
    "GitHub Actions OIDC",
    { url: url.toString(), method: "GET", bearer: settings.requestToken, field: "value" },
    tlsSettings,
  );
}

/** A fresh Azure Pipelines identity token for the service connection (a new one on every call). */
export function azurePipelinesIdentityToken(
  settings: { requestUri: string; serviceConnectionId: string; systemAccessToken: string },
  tlsSettings?: TlsSettings,
): Promise<string> {
  const url = new URL(settings.requestUri);
  url.searchParams.set("api-version", ADO_OIDC_API_VERSION);
  url.searchParams.set("serviceConnectionId", settings.serviceConnectionId);
  return requestToken(
    "Azure Pipelines OIDC",
    { url: url.toString(), method: "POST", bearer: settings.systemAccessToken, field: "oidcToken" },
    tlsSettings,
  );
}

/**
 * The credential for the Azure SDK clients, from the environment: a federated login that renews
 * itself in GitHub Actions or Azure Pipelines, else DefaultAzureCredential.
 */
export function chooseCredential(
  cloud: AzureCloud,
  env: Env = process.env,
  testOptions: CredentialTestOptions = {},
): CredentialChoice {
  const options = { authorityHost: cloud.authorityHost, ...testOptions };
  const github = githubOidcSettings(env);
  if (github) {
    const app = { clientId: github.clientId, tenantId: github.tenantId };
    return {
      source: "github-actions-oidc",
      app,
      credential: new ClientAssertionCredential(
        app.tenantId,
        app.clientId,
        () => githubIdentityToken(github, testOptions.tlsOptions),
        options,
      ),
      notes: [
        `Azure: GitHub Actions OIDC for app ${app.clientId} (a fresh identity token whenever Entra needs one)`,
      ],
    };
  }
  const ado = azurePipelinesSettings(env);
  if (ado) {
    const app = { clientId: ado.clientId, tenantId: ado.tenantId };
    // AzurePipelinesCredential reads SYSTEM_OIDCREQUESTURI from the process environment itself.
    return {
      source: "azure-pipelines",
      app,
      credential: new AzurePipelinesCredential(
        app.tenantId,
        app.clientId,
        ado.serviceConnectionId,
        ado.systemAccessToken,
        options,
      ),
      notes: [
        `Azure: Azure Pipelines service connection ${ado.serviceConnectionId} (a fresh identity token whenever Entra needs one)`,
      ],
    };
  }
  return { source: "default", credential: new DefaultAzureCredential(options), notes: defaultNotes(env) };
}

/** What keeps a pipeline from the renewing credentials, said once in the log. */
function defaultNotes(env: Env): string[] {
  if (value(env, "ACTIONS_ID_TOKEN_REQUEST_URL") && !value(env, "AZURE_CLIENT_ID", "ARM_CLIENT_ID"))
    return [
      "Azure: GitHub Actions OIDC is available but no app is named: set AZURE_CLIENT_ID and AZURE_TENANT_ID (or ARM_*) for a login that outlives an hour; using DefaultAzureCredential",
    ];
  if (value(env, "GITHUB_ACTIONS") === "true" && !value(env, "ACTIONS_ID_TOKEN_REQUEST_URL"))
    return [
      "Azure: this job cannot request OIDC tokens (add `permissions: id-token: write`); using DefaultAzureCredential, whose federated login may expire after an hour",
    ];
  if (value(env, "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID") && !value(env, "SYSTEM_ACCESSTOKEN"))
    return [
      "Azure: the service connection's token endpoint needs SYSTEM_ACCESSTOKEN: map it into the step (env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)) for a login that outlives an hour; using DefaultAzureCredential",
    ];
  return [];
}
