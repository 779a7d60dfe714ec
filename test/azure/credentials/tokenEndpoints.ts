/**
 * A local HTTPS stand-in for the token endpoints a federated login touches, issuing short-lived
 * tokens and refusing expired ones — on the JavaScript clock (`Date.now`), so a test can move
 * time on by hours with fake timers while the sockets stay real:
 *
 * - GitHub Actions' identity token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): GET with the job's
 *   request token as bearer and `audience`; answers `{ "value": <identity token> }`;
 * - Azure DevOps' OIDC endpoint (SYSTEM_OIDCREQUESTURI): POST `?api-version=7.1&serviceConnectionId=`
 *   with System.AccessToken as bearer; answers `{ "oidcToken": <identity token> }`;
 * - Microsoft Entra's authority metadata and v2.0 token endpoint: client credentials with a
 *   `client_assertion`, which must be an identity token issued here and not expired;
 * - a protected resource (`/arm/...`) that accepts only an unexpired access token issued here.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { createTestCertificate } from "../emulator/certificate";

export const TENANT_ID = "11111111-2222-3333-4444-555555555555";
export const CLIENT_ID = "66666666-7777-8888-9999-000000000000";
export const SERVICE_CONNECTION_ID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
export const GITHUB_REQUEST_TOKEN = "github-request-token-not-a-real-secret";
export const SYSTEM_ACCESS_TOKEN = "system-access-token-not-a-real-secret";
export const AUDIENCE = "api://AzureADTokenExchange";
export const ARM_SCOPE = "https://management.azure.com/.default";

export interface TokenEndpointOptions {
  /** How long an identity token (the assertion) is valid. */
  identityTokenMs: number;
  /** How long an access token is valid. */
  accessTokenMs: number;
}

export interface TokenEndpoints {
  readonly url: string;
  readonly ca: string;
  /** Identity tokens issued, by endpoint. */
  readonly issued: { github: number; azurePipelines: number; access: number };
  /** Why a request was refused (expired assertion, unknown token, ...), in order. */
  readonly refusals: string[];
  /** Whether `token` is an identity token issued here and valid now. */
  identityTokenValid(token: string): boolean;
  /** Makes the identity token endpoints answer HTTP 401 with a body that must never reach a message. */
  failWith(body: string | null): void;
  close(): Promise<void>;
}

export async function startTokenEndpoints(options: TokenEndpointOptions): Promise<TokenEndpoints> {
  const certificate = await createTestCertificate();
  const identityTokens = new Map<string, number>();
  const accessTokens = new Map<string, number>();
  const issued = { github: 0, azurePipelines: 0, access: 0 };
  const refusals: string[] = [];
  let failure: string | null = null;
  let base = "";

  const identityToken = (subject: string): string => {
    const exp = Date.now() + options.identityTokenMs;
    const part = (data: object) => Buffer.from(JSON.stringify(data)).toString("base64url");
    const token = `${part({ alg: "RS256", typ: "JWT" })}.${part({ aud: AUDIENCE, sub: subject, exp: Math.floor(exp / 1000), jti: randomUUID() })}.signature`;
    identityTokens.set(token, exp);
    return token;
  };
  const valid = (store: Map<string, number>, token: string | undefined): boolean => {
    const exp = token === undefined ? undefined : store.get(token);
    return exp !== undefined && Date.now() < exp;
  };
  const json = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const refuse = (res: ServerResponse, status: number, why: string) => {
    refusals.push(why);
    json(res, status, { error: "invalid_request", error_description: why });
  };
  const bearer = (req: IncomingMessage) => /^Bearer (.+)$/i.exec(req.headers.authorization ?? "")?.[1];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", base);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = url.pathname;

    if (path === "/github/idtoken" && req.method === "GET") {
      if (failure !== null) return void res.writeHead(401).end(failure);
      if (bearer(req) !== GITHUB_REQUEST_TOKEN) return refuse(res, 401, "github: wrong request token");
      if (url.searchParams.get("audience") !== AUDIENCE) return refuse(res, 400, "github: wrong audience");
      issued.github++;
      return json(res, 200, { count: 1, value: identityToken("repo:contoso/avd:environment:avd-prod") });
    }
    if (path === "/ado/oidctoken" && req.method === "POST") {
      if (failure !== null) return void res.writeHead(401).end(failure);
      if (bearer(req) !== SYSTEM_ACCESS_TOKEN) return refuse(res, 401, "ado: wrong system access token");
      if (url.searchParams.get("api-version") !== "7.1") return refuse(res, 400, "ado: wrong api-version");
      if (url.searchParams.get("serviceConnectionId") !== SERVICE_CONNECTION_ID)
        return refuse(res, 400, "ado: wrong service connection");
      issued.azurePipelines++;
      return json(res, 200, { oidcToken: identityToken(`sc://contoso/avd/${SERVICE_CONNECTION_ID}`) });
    }
    if (path === `/${TENANT_ID}/v2.0/.well-known/openid-configuration`) {
      const authority = `${base}/${TENANT_ID}`;
      return json(res, 200, {
        issuer: `${authority}/v2.0`,
        authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
        token_endpoint: `${authority}/oauth2/v2.0/token`,
        end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
        jwks_uri: `${authority}/discovery/v2.0/keys`,
        response_types_supported: ["code", "id_token", "token"],
      });
    }
    if (path === `/${TENANT_ID}/oauth2/v2.0/token` && req.method === "POST") {
      const form = new URLSearchParams(body);
      if (form.get("grant_type") !== "client_credentials") return refuse(res, 400, "entra: grant_type");
      if (form.get("client_id") !== CLIENT_ID) return refuse(res, 400, "entra: unknown client");
      if (form.get("client_assertion_type") !== "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        return refuse(res, 400, "entra: client_assertion_type");
      if (!(form.get("scope") ?? "").split(" ").includes(ARM_SCOPE)) return refuse(res, 400, "entra: scope");
      const assertion = form.get("client_assertion") ?? undefined;
      if (!valid(identityTokens, assertion))
        return refuse(res, 400, "entra: AADSTS700024: client assertion is not within its valid time range");
      const token = `access-${randomUUID()}`;
      accessTokens.set(token, Date.now() + options.accessTokenMs);
      issued.access++;
      const seconds = Math.floor(options.accessTokenMs / 1000);
      return json(res, 200, {
        token_type: "Bearer",
        expires_in: seconds,
        ext_expires_in: seconds,
        access_token: token,
      });
    }
    if (path.startsWith("/arm/")) {
      if (!valid(accessTokens, bearer(req))) return refuse(res, 401, "arm: expired or unknown access token");
      return json(res, 200, { path });
    }
    return refuse(res, 404, `no route ${req.method ?? "?"} ${path}`);
  };

  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    ca: certificate.cert,
    issued,
    refusals,
    identityTokenValid: (token) => valid(identityTokens, token),
    failWith: (body) => {
      failure = body;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
