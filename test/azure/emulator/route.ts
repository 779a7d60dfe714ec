/**
 * A route of the emulator: one operation of the REST specification (method, path template,
 * api-version, allowed query parameters, body schema) and its handler.
 */
import type { IncomingHttpHeaders } from "node:http";
import type { EmulatorBackend } from "./backend";
import type { LroFailure, LroRegistry } from "./lro";

export type QueryRule = "boolean" | "integer" | "string" | readonly string[];

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** `https://127.0.0.1:<port>`: absolute links (nextLink, operation URLs) start with it. */
  origin: string;
  headers: IncomingHttpHeaders;
  /** The server's page size for list operations (small, to force paging). */
  pageSize: number;
  backend: EmulatorBackend;
  lro: LroRegistry;
  /** Set when a `lroFailed` fault applies to this request. */
  lroFailure?: LroFailure;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Constraints of a path parameter in the specification. */
export interface ParamRule {
  minLength: number;
  maxLength: number;
  pattern?: RegExp;
}

export interface Route {
  /** Operation id of the specification, e.g. `SessionHosts_Update`. */
  name: string;
  method: "GET" | "PUT" | "PATCH" | "POST" | "DELETE";
  /** Path template of the specification (`{param}` segments). */
  path: string;
  apiVersion: string;
  /** Constraints on path parameters (names as in `path`). */
  params?: Record<string, ParamRule>;
  /** Query parameters besides api-version. */
  query?: Record<string, QueryRule>;
  /** Validates the body; returns a message when it does not match the schema. Absent = no body allowed. */
  body?: (body: unknown) => string | undefined;
  /** Whether the body is required (when `body` is set). */
  bodyRequired?: boolean;
  handle(ctx: RouteContext): RouteResult;
  /** What a GET would answer now, without applying the write (used by the `staleSuccess` fault). */
  current?(ctx: RouteContext): RouteResult;
  /**
   * Request headers the operation does not define and a client must not rely on: the service
   * ignores them (the request is served), the emulator records a violation.
   */
  undefinedHeaders?: readonly string[];
}

/** Matches a path against a template, literal segments case-insensitively (ARM paths are). */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split("/").filter(Boolean);
  const p = path.split("/").filter(Boolean);
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const ts = t[i]!;
    let ps: string;
    try {
      ps = decodeURIComponent(p[i]!);
    } catch {
      return undefined;
    }
    if (ts.startsWith("{") && ts.endsWith("}")) {
      if (ps.length === 0) return undefined;
      params[ts.slice(1, -1)] = ps;
    } else if (ts.toLowerCase() !== ps.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}
