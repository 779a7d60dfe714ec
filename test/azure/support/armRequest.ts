/** A raw HTTPS request to the emulator, for tests that must send what no SDK would. */
import { request } from "node:https";
import { EMULATOR_TOKEN, type ArmEmulator } from "../emulator/server";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export interface RawRequest {
  /** Full query string values; api-version is not added for you. */
  query?: Record<string, string>;
  body?: unknown;
  /** Raw body text (wins over `body`). */
  text?: string;
  /** Bearer token; null sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
}

export function armRequest(
  emulator: ArmEmulator,
  method: string,
  pathOrUrl: string,
  options: RawRequest = {},
): Promise<RawResponse> {
  const url = new URL(pathOrUrl, emulator.url);
  for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
  const text = options.text ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const token = options.token === undefined ? EMULATOR_TOKEN : options.token;
  const headers: Record<string, string> = { ...options.headers };
  if (token !== null) headers["Authorization"] = `Bearer ${token}`;
  if (text !== undefined) headers["Content-Type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: emulator.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        const flat: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers))
          if (typeof value === "string") flat[name] = value;
        resolve({
          status: res.statusCode ?? 0,
          headers: flat,
          body: raw === "" ? undefined : (JSON.parse(raw) as unknown),
        });
      });
    });
    req.on("error", reject);
    if (text !== undefined) req.write(text);
    req.end();
  });
}
