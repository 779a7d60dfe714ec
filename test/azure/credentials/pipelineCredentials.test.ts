/**
 * Credentials that outlive a job's first hour (issue 10), over real HTTPS against local token
 * endpoints that issue short-lived tokens and refuse expired ones. The JavaScript clock is moved
 * on by hours between calls (fake `Date` only; sockets and TLS stay real), so "a run longer than
 * a token's life" takes no real time.
 */
import type { TokenCredential } from "@azure/core-auth";
import {
  bearerTokenAuthenticationPolicy,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
} from "@azure/core-rest-pipeline";
import { ClientAssertionCredential } from "@azure/identity";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { CLOUDS } from "../../../automation/azure/clouds";
import { chooseCredential, githubIdentityToken } from "../../../automation/azure/pipelineCredentials";
import { providerEnvironment } from "../../../automation/azure/providerCredentials";
import { PROVIDER_OPERATIONS, withProviderCredentials } from "../../../automation/cli/credentialedStack";
import {
  ARM_SCOPE,
  CLIENT_ID,
  GITHUB_REQUEST_TOKEN,
  SERVICE_CONNECTION_ID,
  SYSTEM_ACCESS_TOKEN,
  TENANT_ID,
  startTokenEndpoints,
  type TokenEndpoints,
} from "./tokenEndpoints";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
let endpoints: TokenEndpoints;

beforeAll(async () => {
  // Identity tokens live 5 minutes (GitHub's are that short), access tokens an hour.
  endpoints = await startTokenEndpoints({ identityTokenMs: 5 * MINUTE, accessTokenMs: HOUR });
});
afterAll(async () => {
  await endpoints.close();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
  endpoints.failWith(null);
});

const testOptions = () => ({
  authorityHost: endpoints.url,
  disableInstanceDiscovery: true,
  tlsOptions: { ca: endpoints.ca },
});

const githubEnv = () => ({
  GITHUB_ACTIONS: "true",
  ACTIONS_ID_TOKEN_REQUEST_URL: `${endpoints.url}/github/idtoken?api-version=2.0`,
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: GITHUB_REQUEST_TOKEN,
  AZURE_CLIENT_ID: CLIENT_ID,
  AZURE_TENANT_ID: TENANT_ID,
});

const pipelinesEnv = () => ({
  TF_BUILD: "True",
  SYSTEM_OIDCREQUESTURI: `${endpoints.url}/ado/oidctoken`,
  SYSTEM_ACCESSTOKEN: SYSTEM_ACCESS_TOKEN,
  AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: SERVICE_CONNECTION_ID,
  AZURESUBSCRIPTION_CLIENT_ID: CLIENT_ID,
  AZURESUBSCRIPTION_TENANT_ID: TENANT_ID,
});

/** An ARM call the way the SDK clients make it: bearer token policy over the credential. */
async function armCall(credential: TokenCredential): Promise<number> {
  const pipeline = createPipelineFromOptions({ tlsOptions: { ca: endpoints.ca } });
  pipeline.addPolicy(bearerTokenAuthenticationPolicy({ credential, scopes: ARM_SCOPE }));
  const response = await pipeline.sendRequest(
    createDefaultHttpClient(),
    createPipelineRequest({ url: `${endpoints.url}/arm/subscriptions/x/resourceGroups` }),
  );
  return response.status;
}

/** Calls ARM at the start and then hours into the run, moving the clock on in between. */
async function callsOverHours(credential: TokenCredential): Promise<number[]> {
  vi.useFakeTimers({ toFake: ["Date"] });
  const start = Date.now();
  const statuses: number[] = [];
  for (const at of [0, 50 * MINUTE, 2 * HOUR, 2 * HOUR + 30 * MINUTE, 5 * HOUR]) {
    vi.setSystemTime(start + at);
    statuses.push(await armCall(credential));
  }
  return statuses;
}

describe("a pipeline credential chosen from the environment", () => {
  it("GitHub Actions: asks the runner for a fresh identity token whenever Entra needs one", async () => {
    const choice = chooseCredential(CLOUDS.public, githubEnv(), testOptions());
    expect(choice.source).toBe("github-actions-oidc");
    expect(choice.app).toEqual({ clientId: CLIENT_ID, tenantId: TENANT_ID });
    const before = { ...endpoints.issued };
    expect(await callsOverHours(choice.credential)).toEqual([200, 200, 200, 200, 200]);
    // Past each access token's hour, a new identity token was requested and accepted.
    expect(endpoints.issued.github - before.github).toBeGreaterThanOrEqual(3);
    expect(endpoints.issued.access - before.access).toBeGreaterThanOrEqual(3);
    expect(choice.notes.join("\n")).not.toContain(GITHUB_REQUEST_TOKEN);
  });

  it("a login that kept its first identity token (what azure/login leaves) fails after the hour", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const first = await githubIdentityToken(
      { requestUrl: githubEnv().ACTIONS_ID_TOKEN_REQUEST_URL, requestToken: GITHUB_REQUEST_TOKEN },
      { ca: endpoints.ca },
    );
    const stale = new ClientAssertionCredential(TENANT_ID, CLIENT_ID, async () => first, testOptions());
    const start = Date.now();
    expect(await armCall(stale)).toBe(200);
    vi.setSystemTime(start + 2 * HOUR);
    await expect(armCall(stale)).rejects.toThrow();
    expect(endpoints.refusals.at(-1)).toContain("not within its valid time range");
  });

  it("Azure Pipelines: AzurePipelinesCredential asks the service connection for fresh tokens", async () => {
    const env = pipelinesEnv();
    // AzurePipelinesCredential reads SYSTEM_OIDCREQUESTURI from the process environment.
    vi.stubEnv("SYSTEM_OIDCREQUESTURI", env.SYSTEM_OIDCREQUESTURI);
    const choice = chooseCredential(CLOUDS.public, env, testOptions());
    expect(choice.source).toBe("azure-pipelines");
    const before = endpoints.issued.azurePipelines;
    expect(await callsOverHours(choice.credential)).toEqual([200, 200, 200, 200, 200]);
    expect(endpoints.issued.azurePipelines - before).toBeGreaterThanOrEqual(3);
    expect(choice.notes.join("\n")).not.toContain(SYSTEM_ACCESS_TOKEN);
  });

  it("elsewhere: DefaultAzureCredential, and a note when a pipeline is one setting short", () => {
    expect(chooseCredential(CLOUDS.public, {}).source).toBe("default");
    expect(chooseCredential(CLOUDS.public, {}).notes).toEqual([]);
    const noPermission = chooseCredential(CLOUDS.public, {
      GITHUB_ACTIONS: "true",
      AZURE_CLIENT_ID: CLIENT_ID,
    });
    expect(noPermission.source).toBe("default");
    expect(noPermission.notes[0]).toContain("permissions: id-token: write");
    const noApp = chooseCredential(CLOUDS.public, {
      ...githubEnv(),
      AZURE_CLIENT_ID: "",
      AZURE_TENANT_ID: "",
    });
    expect(noApp.notes[0]).toContain("AZURE_CLIENT_ID");
    const noAccessToken = chooseCredential(CLOUDS.public, { ...pipelinesEnv(), SYSTEM_ACCESSTOKEN: "" });
    expect(noAccessToken.source).toBe("default");
    expect(noAccessToken.notes[0]).toContain("SYSTEM_ACCESSTOKEN: $(System.AccessToken)");
    // The ARM_* names the azure-native provider reads name the app as well.
    const armNames = chooseCredential(CLOUDS.public, {
      ...githubEnv(),
      AZURE_CLIENT_ID: undefined,
      AZURE_TENANT_ID: undefined,
      ARM_CLIENT_ID: CLIENT_ID,
      ARM_TENANT_ID: TENANT_ID,
    });
    expect(armNames.source).toBe("github-actions-oidc");
  });

  it("a token endpoint's failure says which endpoint and status, never its body", async () => {
    endpoints.failWith("secret-body-7f3a");
    const choice = chooseCredential(CLOUDS.public, githubEnv(), testOptions());
    const error = await armCall(choice.credential).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error).not.toBeNull();
    expect(String(error?.message)).toContain("GitHub Actions OIDC: the token endpoint answered HTTP 401");
    expect(String(error?.message)).not.toContain("secret-body-7f3a");
  });
});

describe("the azure-native provider, configured the same way for every stack operation", () => {
  it("GitHub Actions: OIDC with the app's ids; the provider requests its own fresh tokens", async () => {
    const choice = chooseCredential(CLOUDS.public, githubEnv(), testOptions());
    const env = await providerEnvironment(choice, "sub-1", githubEnv());
    expect(env).toEqual({
      ARM_USE_OIDC: "true",
      ARM_CLIENT_ID: CLIENT_ID,
      ARM_TENANT_ID: TENANT_ID,
      ARM_SUBSCRIPTION_ID: "sub-1",
    });
    // A subscription the pipeline already gives the provider is left alone.
    expect(
      await providerEnvironment(choice, "sub-1", { ...githubEnv(), ARM_SUBSCRIPTION_ID: "s" }),
    ).not.toHaveProperty("ARM_SUBSCRIPTION_ID");
  });

  it("Azure Pipelines: each operation gets a freshly issued service-connection token, valid when it starts", async () => {
    vi.stubEnv("SYSTEM_OIDCREQUESTURI", pipelinesEnv().SYSTEM_OIDCREQUESTURI);
    const choice = chooseCredential(CLOUDS.public, pipelinesEnv(), testOptions());
    vi.useFakeTimers({ toFake: ["Date"] });
    const start = Date.now();
    const target: NodeJS.ProcessEnv = {};
    const seen: string[] = [];
    const stack = {
      up: async () => {
        const token = target.ARM_OIDC_TOKEN ?? "";
        expect(endpoints.identityTokenValid(token)).toBe(true);
        seen.push(token);
        return { result: "succeeded" as const };
      },
      readDesired: async () => {
        seen.push(`read ${target.ARM_OIDC_TOKEN ?? "none"}`);
        return "desired";
      },
    };
    const credentialed = withProviderCredentials(
      stack,
      () => providerEnvironment(choice, "sub-1", pipelinesEnv(), { ca: endpoints.ca }),
      target,
    );
    expect(await credentialed.readDesired()).toBe("desired");
    expect(seen).toEqual(["read none"]);
    for (const at of [0, 3 * HOUR, 6 * HOUR]) {
      vi.setSystemTime(start + at);
      await credentialed.up();
    }
    expect(new Set(seen.slice(1)).size).toBe(3);
    expect(target).toMatchObject({
      ARM_USE_OIDC: "true",
      ARM_CLIENT_ID: CLIENT_ID,
      ARM_TENANT_ID: TENANT_ID,
    });
  });

  it("changes nothing for the default credential, and refreshes only operations that run the provider", async () => {
    const choice = chooseCredential(CLOUDS.public, {});
    expect(await providerEnvironment(choice, "sub-1", {})).toEqual({});
    expect([...PROVIDER_OPERATIONS].sort()).toEqual(["cloudDrift", "pendingChanges", "preview", "up"]);
  });
});
