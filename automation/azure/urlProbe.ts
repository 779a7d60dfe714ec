/**
 * Does a download URL answer? A HEAD request (a GET of the first byte when the server refuses
 * HEAD), following a few redirects, with the URL's own credentials only (a SAS token in its
 * query). The URL never appears in what this returns: it may carry a SAS signature.
 */
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import type { UrlProbeResult } from "../preflight/ports";

export interface UrlProbeOptions {
  /** Extra trusted CA certificates (tests' local HTTPS servers). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Give up after this long (default 15 s). */
  timeoutMs?: number;
  /** Redirects followed at most (default 3). */
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function once(
  url: URL,
  method: "HEAD" | "GET",
  options: UrlProbeOptions,
): Promise<{ status: number; location?: string }> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === "http:" ? httpRequest : httpsRequest;
    const req = send(
      url,
      {
        method,
        headers: method === "GET" ? { Range: "bytes=0-0" } : {},
        timeout: options.timeoutMs ?? 15_000,
        ...(options.ca !== undefined && url.protocol === "https:" ? { ca: options.ca } : {}),
      },
      (res) => {
        res.resume();
        resolve({
          status: res.statusCode ?? 0,
          ...(res.headers.location ? { location: res.headers.location } : {}),
        });
      },
    );
    req.on("timeout", () => req.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    req.on("error", reject);
    req.end();
  });
}

export async function probeUrl(url: string, options: UrlProbeOptions = {}): Promise<UrlProbeResult> {
  let current: URL;
  try {
    current = new URL(url);
  } catch {
    return { error: "not a valid URL" };
  }
  const maxRedirects = options.maxRedirects ?? 3;
  try {
    for (let hop = 0; ; hop++) {
      let answer = await once(current, "HEAD", options);
      if (answer.status === 405 || answer.status === 501) answer = await once(current, "GET", options);
      if (!REDIRECTS.has(answer.status) || !answer.location) return { status: answer.status };
      if (hop >= maxRedirects) return { error: `more than ${maxRedirects} redirects` };
      current = new URL(answer.location, current);
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const message = error instanceof Error ? error.message : String(error);
    // Node's messages can quote the host, never the query; keep the code, which says enough.
    return { error: typeof code === "string" ? code : message.replace(/\?\S*/g, "?…") };
  }
}
