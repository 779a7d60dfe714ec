/**
 * A local HTTPS file host for the download URLs VM extensions fetch (the custom configuration
 * script, the AVD agent package), the way Azure Blob Storage answers them: 200 for a blob that
 * is there, 404 `BlobNotFound` for one that is not, 403 `AuthenticationFailed` for a SAS the
 * service refuses. The answer for each URL comes from a lookup (the EnvironmentCatalog's
 * `urls`), so the emulated and the simulated subscription agree.
 */
import { createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { TestCertificate } from "./certificate";

export interface DownloadServer {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** Every request: method and path with query. */
  readonly requests: { method: string; url: string; authorization: boolean }[];
  close(): Promise<void>;
}

const ERROR_CODES: Record<number, string> = { 403: "AuthenticationFailed", 404: "BlobNotFound" };

export async function startDownloadServer(
  certificate: TestCertificate,
  statusOf: (absoluteUrl: string) => number,
): Promise<DownloadServer> {
  const requests: DownloadServer["requests"] = [];
  const sockets = new Set<Socket>();
  let origin = "";
  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    const method = req.method ?? "GET";
    requests.push({ method, url: req.url ?? "/", authorization: req.headers.authorization !== undefined });
    const status = method === "HEAD" || method === "GET" ? statusOf(`${origin}${req.url ?? "/"}`) : 405;
    const headers: Record<string, string> = {
      "x-ms-request-id": "download-server",
      "x-ms-version": "2025-01-05",
    };
    if (status >= 400 && ERROR_CODES[status]) headers["x-ms-error-code"] = ERROR_CODES[status];
    if (status === 200) {
      headers["Content-Type"] = "application/octet-stream";
    }
    res.writeHead(status, headers);
    res.end();
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
