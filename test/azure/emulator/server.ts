/**
 * The ARM emulator: an HTTPS server on 127.0.0.1 (random port, certificate generated at start)
 * that serves the routes of routes/*.ts strictly by the REST specification, answers from an
 * {@link EmulatorBackend}, injects faults, and logs every request.
 *
 * Anything off-specification — unknown route or method, missing or wrong api-version, unknown
 * query parameter, a body that does not match the schema, a missing or wrong bearer token — is
 * rejected with an ARM-shaped error and recorded as a violation, so a test can assert that an
 * adapter never sent one.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { ArmError } from "./arm-error";
import type { EmulatorBackend } from "./backend";
import { createTestCertificate, type TestCertificate } from "./certificate";
import { FaultInjector, retryAfterHeaders, type FaultAction } from "./faults";
import { LroRegistry } from "./lro";
import { RequestLog, type LoggedRequest } from "./request-log";
import { matchPath, type QueryRule, type Route, type RouteContext, type RouteResult } from "./route";
import { computeRoutes } from "./routes/compute";
import { desktopVirtualizationRoutes } from "./routes/desktop-virtualization";
import { networkRoutes } from "./routes/network";
import { preflightRoutes } from "./routes/preflight";

export const EMULATOR_TOKEN = "emulator-access-token";

export const ALL_ROUTES: Route[] = [...desktopVirtualizationRoutes, ...computeRoutes, ...networkRoutes];
ALL_ROUTES.push(...preflightRoutes);

export interface ArmEmulatorOptions {
  backend: EmulatorBackend;
  /** Largest page a list returns (small, to force paging). Default 2. */
  pageSize?: number;
  /** The bearer token the emulator accepts. Default {@link EMULATOR_TOKEN}. */
  token?: string;
  certificate?: TestCertificate;
  /** The emulator's clock (ms): request log times. Default Date.now; tests on virtual time pass theirs. */
  now?: () => number;
}

export interface ArmEmulator {
  /** `https://127.0.0.1:<port>`: the ARM endpoint to give the SDK clients. */
  readonly url: string;
  /** PEM certificate the clients must trust. */
  readonly ca: string;
  readonly backend: EmulatorBackend;
  readonly faults: FaultInjector;
  readonly log: RequestLog;
  readonly lro: LroRegistry;
  pageSize: number;
  close(): Promise<void>;
}

/** A request that does not follow the specification. */
class Violation extends ArmError {}

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const certificate = options.certificate ?? (await createTestCertificate());
  const faults = new FaultInjector();
  const log = new RequestLog();
  const lro = new LroRegistry();
  const token = options.token ?? EMULATOR_TOKEN;
  const now = options.now ?? Date.now;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  let origin = "";
  const emulator: ArmEmulator = {
    get url() {
      return origin;
    },
    ca: certificate.cert,
    backend: options.backend,
    faults,
    log,
    lro,
    pageSize: options.pageSize ?? 2,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  const server = createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    void readBody(req).then((raw) => serve(req, res, raw));
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  // TLS handshake failures (a client that does not trust the certificate) are the client's problem.
  server.on("tlsClientError", () => undefined);

  async function serve(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = new URL(req.url ?? "/", origin);
    const method = (req.method ?? "GET").toUpperCase();
    const entry: LoggedRequest = log.add({
      at: now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams.entries()),
      route: undefined,
      status: 0,
    });
    const send = (result: RouteResult): void => {
      entry.status = result.status;
      const headers: Record<string, string> = {
        "x-ms-request-id": randomUUID(),
        "x-ms-correlation-request-id": String(req.headers["x-ms-client-request-id"] ?? randomUUID()),
        ...result.headers,
      };
      if (result.body === undefined) {
        res.writeHead(result.status, { ...headers, "Content-Length": "0" });
        res.end();
      } else {
        const text = JSON.stringify(result.body);
        res.writeHead(result.status, { ...headers, "Content-Type": "application/json; charset=utf-8" });
        res.end(text);
      }
    };
    try {
      checkAuthorization(req.headers.authorization, token);
      const route = findRoute(method, url.pathname);
      entry.route = route.route.name;
      checkParams(route.params, route.route);
      checkApiVersion(url.searchParams, route.route);
      checkQuery(url.searchParams, route.route);
      const undefinedHeader = (route.route.undefinedHeaders ?? []).find((h) => req.headers[h] !== undefined);
      // The service ignores a header its operation does not define; a client relying on it is off-spec.
      if (undefinedHeader)
        entry.violation = `${route.route.name} defines no '${undefinedHeader}' header; the service ignores it`;
      const body = parseBody(raw, route.route);
      entry.body = body;
      const ctx: RouteContext = {
        params: route.params,
        query: url.searchParams,
        body,
        origin,
        headers: req.headers,
        pageSize: emulator.pageSize,
        backend: options.backend,
        lro,
      };
      const fault = faults.take(route.route.name, method);
      if (fault) {
        entry.fault = fault.kind;
        const handled = await applyFault(fault, route.route, ctx, req, res);
        if (handled === "noResponse") return;
        if (handled) return send(handled);
      }
      send(route.route.handle(ctx));
    } catch (error) {
      if (error instanceof Violation) {
        entry.violation = error.message;
        send({ status: error.status, body: error.body(), headers: error.headers });
      } else if (error instanceof ArmError) {
        send({ status: error.status, body: error.body(), headers: error.headers });
      } else {
        entry.violation = `emulator error: ${error instanceof Error ? error.message : String(error)}`;
        send({ status: 500, body: { error: { code: "InternalServerError", message: "emulator error" } } });
      }
    }
  }

  async function applyFault(
    fault: FaultAction,
    route: Route,
    ctx: RouteContext,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<RouteResult | "noResponse" | undefined> {
    switch (fault.kind) {
      case "throttle":
        return {
          status: 429,
          headers: retryAfterHeaders(fault.retryAfter),
          body: {
            error: {
              code: "TooManyRequests",
              message: "The request is being throttled; retry after the time in Retry-After.",
            },
          },
        };
      case "status":
        if (fault.afterApply) route.handle(ctx);
        return {
          status: fault.status,
          headers: fault.retryAfter ? retryAfterHeaders(fault.retryAfter) : {},
          body: {
            error: {
              code: fault.code ?? defaultCode(fault.status),
              message: fault.message ?? `Injected ${fault.status}.`,
            },
          },
        };
      case "delay":
        await new Promise<void>((resolve) => later(fault.ms, resolve));
        return undefined;
      case "reset":
        req.socket.destroy();
        return "noResponse";
      case "lostResponse":
        route.handle(ctx);
        req.socket.destroy();
        return "noResponse";
      case "lroFailed":
        ctx.lroFailure = {
          code: fault.code,
          message: fault.message,
          ...(fault.status ? { status: fault.status } : {}),
        };
        return undefined;
      case "lateApply": {
        const stale = fault.respond === "staleSuccess" && route.current ? route.current(ctx) : undefined;
        later(fault.applyAfterMs, () => {
          try {
            route.handle(ctx);
          } catch {
            // The late write found the resource gone: nothing to apply.
          }
        });
        if (fault.respond === "hang") {
          if (fault.hangMs !== undefined) later(fault.hangMs, () => res.socket?.destroy());
          return "noResponse";
        }
        if (stale) return stale;
        return {
          status: 504,
          body: {
            error: {
              code: "GatewayTimeout",
              message:
                "The gateway did not receive a response from the resource provider within the specified time period.",
            },
          },
        };
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return emulator;
}

function defaultCode(status: number): string {
  if (status === 503) return "ServiceUnavailable";
  if (status === 500) return "InternalServerError";
  if (status === 502) return "BadGateway";
  if (status === 504) return "GatewayTimeout";
  if (status === 409) return "Conflict";
  if (status === 404) return "ResourceNotFound";
  return "InjectedFault";
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(""));
  });
}

function checkAuthorization(header: string | undefined, token: string): void {
  if (!header) {
    throw new Violation(
      401,
      "AuthenticationFailed",
      "Authentication failed. The 'Authorization' header is missing.",
      {
        "WWW-Authenticate":
          'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
      },
    );
  }
  const m = /^Bearer (.+)$/.exec(header);
  if (!m || m[1] !== token) {
    throw new Violation(401, "InvalidAuthenticationToken", "The access token is invalid.", {
      "WWW-Authenticate":
        'Bearer authorization_uri="https://login.microsoftonline.com/common", error="invalid_token"',
    });
  }
}

function findRoute(method: string, path: string): { route: Route; params: Record<string, string> } {
  let pathMatched = false;
  for (const route of ALL_ROUTES) {
    const params = matchPath(route.path, path);
    if (!params) continue;
    pathMatched = true;
    if (route.method === method) return { route, params };
  }
  if (pathMatched) {
    throw new Violation(
      405,
      "MethodNotAllowed",
      `The HTTP method '${method}' is not supported for '${path}'.`,
    );
  }
  throw new Violation(
    404,
    "InvalidResourceType",
    `No route of the emulated REST specification matches '${method} ${path}'.`,
  );
}

function checkParams(params: Record<string, string>, route: Route): void {
  for (const [name, rule] of Object.entries(route.params ?? {})) {
    const value = params[name] ?? "";
    if (
      value.length < rule.minLength ||
      value.length > rule.maxLength ||
      (rule.pattern && !rule.pattern.test(value))
    ) {
      throw new Violation(
        400,
        "InvalidParameter",
        `The path parameter ${name} '${value}' of ${route.name} must be ${rule.minLength}-${rule.maxLength} characters${rule.pattern ? ` matching ${String(rule.pattern)}` : ""}.`,
      );
    }
  }
}

function checkApiVersion(query: URLSearchParams, route: Route): void {
  const versions = query.getAll("api-version");
  if (versions.length === 0) {
    throw new Violation(
      400,
      "MissingApiVersionParameter",
      "The api-version query parameter (?api-version=) is required for all requests.",
    );
  }
  if (versions.length > 1 || versions[0] !== route.apiVersion) {
    throw new Violation(
      400,
      "NoRegisteredProviderFound",
      `No registered resource provider found for API version '${versions.join(",")}' of ${route.name}. The supported api-versions are '${route.apiVersion}'.`,
    );
  }
}

function checkQuery(query: URLSearchParams, route: Route): void {
  for (const [name, value] of query.entries()) {
    if (name === "api-version") continue;
    const rule: QueryRule | undefined = route.query?.[name];
    if (!rule)
      throw new Violation(
        400,
        "InvalidQueryParameter",
        `The query parameter '${name}' is not defined for ${route.name}.`,
      );
    const ok =
      rule === "boolean"
        ? value === "true" || value === "false"
        : rule === "integer"
          ? /^-?\d+$/.test(value)
          : rule === "string"
            ? true
            : rule.includes(value);
    if (!ok)
      throw new Violation(
        400,
        "InvalidQueryParameterValue",
        `The value '${value}' of query parameter '${name}' is invalid for ${route.name}.`,
      );
  }
}

function parseBody(raw: string, route: Route): unknown {
  if (raw.trim() === "") {
    if (route.body && route.bodyRequired)
      throw new Violation(400, "InvalidRequestContent", `${route.name} requires a request body.`);
    return undefined;
  }
  if (!route.body) throw new Violation(400, "InvalidRequestContent", `${route.name} takes no request body.`);
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new Violation(
      400,
      "InvalidRequestContent",
      `The request content of ${route.name} is not valid JSON.`,
    );
  }
  const problem = route.body(body);
  if (problem)
    throw new Violation(
      400,
      "InvalidRequestContent",
      `The request content of ${route.name} does not match the schema: ${problem}.`,
    );
  return body;
}
