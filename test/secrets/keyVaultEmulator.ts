/**
 * A local Azure Key Vault (secrets data plane) over HTTPS, for the Key Vault credential tests:
 * `GET /secrets/{name}/{version}?api-version=...` as the Key Vault REST API defines it, with Key
 * Vault's challenge-based authentication — a request without a bearer token gets
 * `401 WWW-Authenticate: Bearer authorization=..., resource="https://vault.azure.net"`, and the
 * SDK must verify that resource against the vault's host name before it asks for a token.
 *
 * Vault host names are real ones (`<vault>.vault.azure.net`): the certificate covers
 * `*.vault.azure.net`, and clients reach this server through an https.Agent whose DNS lookup
 * answers 127.0.0.1 (see {@link KeyVaultEmulator.agent}). The certificate is generated per run like
 * the ARM emulator's (test/azure/emulator/certificate.ts) and is its own trust anchor.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { Agent, createServer } from "node:https";
import type { LookupFunction, Socket } from "node:net";
import { createTestCertificate } from "../azure/emulator/certificate";

export const KEY_VAULT_TOKEN = "key-vault-emulator-token";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const API_VERSIONS = new Set(["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01", "2026-04-01"]);

export interface EmulatedSecretVersion {
  readonly version: string;
  readonly value: string;
  readonly enabled: boolean;
}

export interface KeyVaultRequest {
  readonly vault: string;
  readonly method: string;
  readonly path: string;
  readonly apiVersion: string | null;
  readonly authorization: string | undefined;
  readonly status: number;
}

export interface KeyVaultEmulator {
  readonly port: number;
  /** An https.Agent that trusts the emulator and resolves every host name to it. */
  readonly agent: Agent;
  /** `https://<vault>.vault.azure.net:<port>/secrets/<name>[/<version>]` */
  uri(vault: string, name: string, version?: string): string;
  /** Adds a secret version (the newest is the current one) and returns its version id. */
  setSecret(vault: string, name: string, value: string, options?: { enabled?: boolean }): string;
  /** Vaults whose secrets the caller may not get (403, as for a missing role or access policy). */
  readonly forbidden: Set<string>;
  /** Vaults whose firewall refuses the caller (403 ForbiddenByFirewall). */
  readonly firewalled: Set<string>;
  /** The resource the challenge names (a client must refuse one that is not the vault's domain). */
  challengeResource: string;
  readonly requests: KeyVaultRequest[];
  close(): Promise<void>;
}

function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    "x-ms-request-id": randomBytes(8).toString("hex"),
    ...headers,
  });
  res.end(text);
}

const error = (code: string, message: string, inner?: string) => ({
  error: { code, message, ...(inner === undefined ? {} : { innererror: { code: inner } }) },
});

export async function startKeyVaultEmulator(): Promise<KeyVaultEmulator> {
  const now = new Date();
  const certificate = await createTestCertificate(["*.vault.azure.net"]);
  const vaults = new Map<string, Map<string, EmulatedSecretVersion[]>>();
  const requests: KeyVaultRequest[] = [];
  const forbidden = new Set<string>();
  const firewalled = new Set<string>();
  const sockets = new Set<Socket>();

  function serve(req: IncomingMessage, res: ServerResponse): void {
    const host = (req.headers.host ?? "").split(":")[0]!.toLowerCase();
    const vault = host.endsWith(".vault.azure.net") ? host.slice(0, -".vault.azure.net".length) : host;
    const url = new URL(req.url ?? "/", `https://${host}`);
    const apiVersion = url.searchParams.get("api-version");
    const record = (status: number): void => {
      requests.push({
        vault,
        method: req.method ?? "GET",
        path: url.pathname,
        apiVersion,
        authorization: req.headers.authorization,
        status,
      });
    };
    const send = (status: number, body: unknown, headers?: Record<string, string>): void => {
      record(status);
      json(res, status, body, headers);
    };
    if (apiVersion === null || !API_VERSIONS.has(apiVersion)) {
      return send(400, error("BadParameter", `The specified version (${apiVersion}) is not recognized.`));
    }
    const authorization = req.headers.authorization;
    if (authorization === undefined) {
      // The challenge: where to get a token, and for which resource.
      return send(401, error("Unauthorized", "AKV10000: Request is missing a Bearer or PoP token."), {
        "www-authenticate": `Bearer authorization="https://login.microsoftonline.com/${TENANT}", resource="${emulator.challengeResource}"`,
      });
    }
    if (authorization !== `Bearer ${KEY_VAULT_TOKEN}`) {
      return send(401, error("Unauthorized", "AKV10022: Invalid audience."));
    }
    if (firewalled.has(vault)) {
      return send(
        403,
        error(
          "Forbidden",
          `Client address is not authorized and caller is not a trusted service.\r\nClient address: 203.0.113.7\r\nCaller: appid=00000000-0000-0000-0000-000000000001\r\nVault: ${vault};location=westeurope`,
          "ForbiddenByFirewall",
        ),
      );
    }
    if (forbidden.has(vault)) {
      return send(
        403,
        error(
          "Forbidden",
          `The user, group or application 'appid=00000000-0000-0000-0000-000000000001;oid=00000000-0000-0000-0000-000000000002;iss=https://sts.windows.net/${TENANT}/' does not have secrets get permission on key vault '${vault};location=westeurope'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
          "AccessDenied",
        ),
      );
    }
    const match = /^\/secrets\/([0-9A-Za-z-]{1,127})(?:\/([0-9a-f]{32})?)?\/?$/.exec(url.pathname);
    if (req.method !== "GET" || match === null) {
      return send(400, error("BadParameter", `Unsupported ${req.method} ${url.pathname}`));
    }
    const [, name, version] = match as unknown as [string, string, string | undefined];
    const versions = vaults.get(vault)?.get(name.toLowerCase()) ?? [];
    const found =
      version === undefined ? versions[versions.length - 1] : versions.find((v) => v.version === version);
    if (found === undefined) {
      return send(
        404,
        error(
          "SecretNotFound",
          version === undefined
            ? `A secret with (name/id) ${name} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command.`
            : `A secret with (name/id) ${name}/${version} was not found in this key vault.`,
        ),
      );
    }
    if (!found.enabled) {
      return send(
        403,
        error("Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled"),
      );
    }
    const created = Math.floor(now.getTime() / 1000);
    return send(200, {
      value: found.value,
      id: `https://${vault}.vault.azure.net/secrets/${name}/${found.version}`,
      attributes: { enabled: true, created, updated: created, recoveryLevel: "Recoverable+Purgeable" },
      tags: {},
    });
  }

  const server = createServer({ key: certificate.key, cert: certificate.cert }, serve);
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const toEmulator: LookupFunction = (_host, options, callback) => {
    if ((options as { all?: boolean }).all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
  };
  const agent = new Agent({ ca: certificate.cert, lookup: toEmulator, keepAlive: false });

  const emulator: KeyVaultEmulator = {
    port,
    agent,
    challengeResource: "https://vault.azure.net",
    uri: (vault, name, version) =>
      `https://${vault}.vault.azure.net:${port}/secrets/${name}${version === undefined ? "" : `/${version}`}`,
    setSecret(vault, name, value, options = {}) {
      const secrets = vaults.get(vault) ?? new Map<string, EmulatedSecretVersion[]>();
      vaults.set(vault, secrets);
      const versions = secrets.get(name.toLowerCase()) ?? [];
      const version = randomBytes(16).toString("hex");
      versions.push({ version, value, enabled: options.enabled ?? true });
      secrets.set(name.toLowerCase(), versions);
      return version;
    },
    forbidden,
    firewalled,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        agent.destroy();
        server.close(() => resolve());
      }),
  };
  return emulator;
}
