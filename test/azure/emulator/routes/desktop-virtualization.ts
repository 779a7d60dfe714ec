/**
 * Microsoft.DesktopVirtualization 2024-04-03 (specification/desktopvirtualization/
 * resource-manager/Microsoft.DesktopVirtualization/stable/2024-04-03/desktopvirtualization.json):
 * host pool get/update, registration tokens, session hosts and user sessions.
 *
 * Host pools carry no etag: the model's `etag` is read-only and optional, HostPools_Update
 * declares no If-Match parameter and only a 200 response, and none of the specification's
 * examples (HostPool_Update, HostPool_List, HostPool_Create) returns one. So the emulator returns
 * none, ignores If-Match (recording a client that sends it as off-specification), and a PATCH
 * with `tags` replaces them as a whole — last writer wins.
 */
import { createHash } from "node:crypto";
import { API_VERSIONS } from "../api-versions";
import { ArmError, badRequest } from "../arm-error";
import type { BackendSessionHost, BackendUserSession } from "../backend";
import type { Route, RouteContext, RouteResult } from "../route";
import { anything, bool, dateTime, int, nullable, object, oneOf, str, stringMap } from "../schema";
import { page } from "./paging";

const V = API_VERSIONS.desktopVirtualization;
const POOL =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.DesktopVirtualization/hostPools/{hostPoolName}";
const HOST = `${POOL}/sessionHosts/{sessionHostName}`;
const SESSION = `${HOST}/userSessions/{userSessionId}`;
/** HostPoolNameParameter, SessionHostNameParameter, UserSessionIdParameter of the specification. */
const NAME = /^[A-Za-z0-9@.\-_ ]*$/;
const POOL_PARAMS = {
  resourceGroupName: { minLength: 1, maxLength: 90 },
  hostPoolName: { minLength: 3, maxLength: 64, pattern: NAME },
};
const HOST_PARAMS = { ...POOL_PARAMS, sessionHostName: { minLength: 3, maxLength: 48, pattern: NAME } };
const SESSION_PARAMS = { ...HOST_PARAMS, userSessionId: { minLength: 1, maxLength: 24 } };
const LIST_QUERY = { pageSize: "integer", isDescending: "boolean", initialSkip: "integer" } as const;

/** ARM limits on tags: at most 50, names up to 512 and values up to 256 characters, no `<>%&\?/` in names. */
function checkTags(tags: Record<string, string>): void {
  const names = Object.keys(tags);
  if (names.length > 50)
    throw badRequest("InvalidTag", `At most 50 tags are allowed; the request has ${names.length}.`);
  for (const name of names) {
    if (name.length > 512 || /[<>%&\\?/]/.test(name) || name.length === 0) {
      throw badRequest(
        "InvalidTagNameCharacters",
        `The tag name '${name}' is invalid (1-512 characters, none of <>%&\\?/).`,
      );
    }
    if (tags[name]!.length > 256) {
      throw badRequest(
        "InvalidTagValueLength",
        `The value of tag '${name}' is ${tags[name]!.length} characters long; the limit is 256.`,
      );
    }
  }
}

function requirePool(ctx: RouteContext): string {
  const { backend, params } = ctx;
  if (params["subscriptionId"]!.toLowerCase() !== backend.subscriptionId.toLowerCase()) {
    throw new ArmError(
      404,
      "SubscriptionNotFound",
      `The subscription '${params["subscriptionId"]}' could not be found.`,
    );
  }
  if (params["resourceGroupName"]!.toLowerCase() !== backend.resourceGroupName.toLowerCase()) {
    throw new ArmError(
      404,
      "ResourceGroupNotFound",
      `Resource group '${params["resourceGroupName"]}' could not be found.`,
    );
  }
  if (params["hostPoolName"]!.toLowerCase() !== backend.hostPoolName.toLowerCase()) {
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.DesktopVirtualization/hostPools/${params["hostPoolName"]}' under resource group '${backend.resourceGroupName}' was not found.`,
    );
  }
  return `/subscriptions/${backend.subscriptionId}/resourceGroups/${backend.resourceGroupName}/providers/Microsoft.DesktopVirtualization/hostPools/${backend.hostPoolName}`;
}

function hostPoolBody(ctx: RouteContext, includeToken: boolean): RouteResult {
  const poolId = requirePool(ctx);
  const { backend } = ctx;
  const reg = backend.registration();
  return {
    status: 200,
    body: {
      id: poolId,
      name: backend.hostPoolName,
      type: "Microsoft.DesktopVirtualization/hostPools",
      location: backend.location,
      tags: backend.hostPoolTags(),
      properties: {
        objectId: uuidFrom(poolId),
        hostPoolType: "Pooled",
        ...backend.hostPoolSettings(),
        validationEnvironment: false,
        preferredAppGroupType: "Desktop",
        startVMOnConnect: false,
        cloudPcResource: false,
        applicationGroupReferences: [],
        registrationInfo: {
          expirationTime: reg.expirationTime,
          // GET no longer returns the token (use retrieveRegistrationToken); an update returns it.
          token: includeToken ? reg.token : null,
          registrationTokenOperation: reg.token ? "Update" : "None",
        },
      },
    },
  };
}

function sessionHostBody(ctx: RouteContext, host: BackendSessionHost): unknown {
  const poolId = requirePool(ctx);
  return {
    id: `${poolId}/sessionHosts/${host.name}`,
    name: `${ctx.backend.hostPoolName}/${host.name}`,
    type: "Microsoft.DesktopVirtualization/hostPools/sessionHosts",
    properties: {
      objectId: uuidFrom(host.name),
      lastHeartBeat: host.lastHeartBeat ?? null,
      sessions: host.sessions,
      agentVersion: "1.0.9742.2500",
      allowNewSession: host.allowNewSession,
      virtualMachineId: uuidFrom(host.resourceId.toLowerCase()),
      resourceId: asAvdReportsIt(host.resourceId),
      status: host.status,
      statusTimestamp: host.lastHeartBeat ?? null,
      osVersion: "10.0.26100",
      sxSStackVersion: "rdp-sxs240808400",
      updateState: "Succeeded",
      lastUpdateTime: host.lastHeartBeat ?? null,
      updateErrorMessage: "",
      sessionHostHealthCheckResults: [],
    },
  };
}

function userSessionBody(ctx: RouteContext, session: BackendUserSession): unknown {
  const poolId = requirePool(ctx);
  return {
    id: `${poolId}/sessionHosts/${session.sessionHostName}/userSessions/${session.id}`,
    name: `${ctx.backend.hostPoolName}/${session.sessionHostName}/${session.id}`,
    type: "Microsoft.DesktopVirtualization/hostPools/sessionHosts/userSessions",
    properties: {
      objectId: uuidFrom(`${session.sessionHostName}/${session.id}`),
      userPrincipalName: session.userPrincipalName,
      applicationType: "Desktop",
      sessionState: session.sessionState,
      activeDirectoryUserName: `CORP\\${session.userPrincipalName.split("@")[0]}`,
      createTime: session.createTime ?? null,
    },
  };
}

/**
 * AVD reports `properties.resourceId` with its own casing (here: `resourcegroups` and the group
 * name in lower case), not necessarily the VM's: clients must compare ids case-insensitively.
 */
function asAvdReportsIt(vmResourceId: string): string {
  return vmResourceId.replace(
    /\/resourceGroups\/([^/]+)\//i,
    (_m, group: string) => `/resourcegroups/${group.toLowerCase()}/`,
  );
}

function uuidFrom(text: string): string {
  const h = createHash("sha1").update(text).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function findHost(ctx: RouteContext): BackendSessionHost {
  requirePool(ctx);
  const name = ctx.params["sessionHostName"]!;
  const host = ctx.backend.listSessionHosts().find((h) => h.name.toLowerCase() === name.toLowerCase());
  if (!host) {
    throw new ArmError(
      404,
      "ResourceNotFound",
      `SessionHost '${name}' was not found in host pool '${ctx.backend.hostPoolName}'.`,
    );
  }
  return host;
}

function findSession(ctx: RouteContext): BackendUserSession | undefined {
  const host = findHost(ctx);
  const id = ctx.params["userSessionId"]!;
  return ctx.backend.listUserSessions(host.name).find((s) => s.id === id);
}

/** `$filter` on the pool's user sessions: `userPrincipalName eq '...'` and/or `sessionState eq '...'`. */
function applyFilter(sessions: BackendUserSession[], filter: string | null): BackendUserSession[] {
  if (filter === null || filter.trim() === "") return sessions;
  const clauses = filter.split(/\s+and\s+/i).map((clause) => {
    const m = /^\s*(userPrincipalName|sessionState|state)\s+eq\s+'([^']*)'\s*$/i.exec(clause);
    if (!m) throw badRequest("InvalidFilter", `The $filter clause '${clause}' is not supported.`);
    return { field: m[1]!.toLowerCase(), value: m[2]!.toLowerCase() };
  });
  return sessions.filter((s) =>
    clauses.every((c) =>
      c.field === "userprincipalname"
        ? s.userPrincipalName.toLowerCase() === c.value
        : s.sessionState.toLowerCase() === c.value,
    ),
  );
}

const registrationInfoPatch = object({
  expirationTime: nullable(dateTime),
  registrationTokenOperation: oneOf(["Delete", "None", "Update"]),
});

/** HostPoolPatch: `tags` and the `properties` of HostPoolPatchProperties. */
const hostPoolPatch = object({
  tags: nullable(stringMap),
  properties: object({
    friendlyName: str,
    description: str,
    customRdpProperty: nullable(str),
    maxSessionLimit: int,
    personalDesktopAssignmentType: oneOf(["Automatic", "Direct"]),
    loadBalancerType: oneOf(["BreadthFirst", "DepthFirst", "Persistent", "MultiplePersistent"]),
    ring: int,
    validationEnvironment: bool,
    registrationInfo: registrationInfoPatch,
    vmTemplate: str,
    ssoadfsAuthority: str,
    ssoClientId: str,
    ssoClientSecretKeyVaultPath: str,
    ssoSecretType: oneOf(["SharedKey", "Certificate", "SharedKeyInKeyVault", "CertificateInKeyVault"]),
    preferredAppGroupType: oneOf(["None", "Desktop", "RailApplications"]),
    startVMOnConnect: bool,
    publicNetworkAccess: oneOf([
      "Enabled",
      "Disabled",
      "EnabledForSessionHostsOnly",
      "EnabledForClientsOnly",
    ]),
    agentUpdate: anything,
  }),
});

const sessionHostPatch = object({
  properties: object({ allowNewSession: bool, assignedUser: str, friendlyName: str }),
});

const sendMessageBody = object({ messageTitle: str, messageBody: str });

const HOUR = 3600_000;

export const desktopVirtualizationRoutes: Route[] = [
  {
    name: "HostPools_Get",
    method: "GET",
    path: POOL,
    apiVersion: V,
    params: POOL_PARAMS,
    handle: (ctx) => hostPoolBody(ctx, false),
  },
  {
    name: "HostPools_Update",
    method: "PATCH",
    path: POOL,
    apiVersion: V,
    params: POOL_PARAMS,
    body: (b) => hostPoolPatch(b, "hostPool"),
    current: (ctx) => hostPoolBody(ctx, false),
    undefinedHeaders: ["if-match"],
    handle: (ctx) => {
      requirePool(ctx);
      const { backend } = ctx;
      const patch = (ctx.body ?? {}) as {
        tags?: Record<string, string> | null;
        properties?: Record<string, unknown>;
      };
      const reg = patch.properties?.["registrationInfo"] as
        { expirationTime?: string | null; registrationTokenOperation?: string } | undefined;
      if (patch.tags) checkTags(patch.tags);
      if (reg?.registrationTokenOperation === "Update") {
        const expiry = reg.expirationTime ? Date.parse(reg.expirationTime) : NaN;
        const now = backend.now();
        if (Number.isNaN(expiry) || expiry < now + HOUR - 60_000 || expiry > now + 30 * 24 * HOUR) {
          throw badRequest(
            "InvalidParameter",
            `registrationInfo.expirationTime '${reg.expirationTime ?? ""}' must be between 1 hour and 30 days from now (${new Date(now).toISOString()}).`,
          );
        }
      }
      // Apply only after every check passed: a rejected PATCH changes nothing.
      if (patch.tags !== undefined) backend.setHostPoolTags(patch.tags ?? {});
      if (reg?.registrationTokenOperation === "Update")
        backend.renewRegistration(new Date(Date.parse(reg.expirationTime!)).toISOString());
      if (reg?.registrationTokenOperation === "Delete") backend.deleteRegistration();
      return hostPoolBody(ctx, true);
    },
  },
  {
    name: "HostPools_RetrieveRegistrationToken",
    method: "POST",
    path: `${POOL}/retrieveRegistrationToken`,
    apiVersion: V,
    params: POOL_PARAMS,
    handle: (ctx) => {
      requirePool(ctx);
      const reg = ctx.backend.registration();
      return {
        status: 200,
        body: {
          expirationTime: reg.expirationTime,
          token: reg.token,
          registrationTokenOperation: reg.token ? "Update" : "None",
        },
      };
    },
  },
  {
    name: "HostPools_ListRegistrationTokens",
    method: "POST",
    path: `${POOL}/listRegistrationTokens`,
    apiVersion: V,
    params: POOL_PARAMS,
    handle: (ctx) => {
      requirePool(ctx);
      const reg = ctx.backend.registration();
      return {
        status: 200,
        body: { value: reg.token ? [{ expirationTime: reg.expirationTime, token: reg.token }] : [] },
      };
    },
  },
  {
    name: "SessionHosts_List",
    method: "GET",
    path: `${POOL}/sessionHosts`,
    apiVersion: V,
    params: POOL_PARAMS,
    query: LIST_QUERY,
    handle: (ctx) => {
      const poolId = requirePool(ctx);
      const hosts = ctx.backend.listSessionHosts().map((h) => sessionHostBody(ctx, h));
      return { status: 200, body: page(hosts, ctx, `${poolId}/sessionHosts`, V) };
    },
  },
  {
    name: "SessionHosts_Get",
    method: "GET",
    path: HOST,
    apiVersion: V,
    params: HOST_PARAMS,
    handle: (ctx) => ({ status: 200, body: sessionHostBody(ctx, findHost(ctx)) }),
  },
  {
    name: "SessionHosts_Update",
    method: "PATCH",
    path: HOST,
    apiVersion: V,
    params: HOST_PARAMS,
    query: { force: "boolean" },
    body: (b) => sessionHostPatch(b, "sessionHost"),
    current: (ctx) => ({ status: 200, body: sessionHostBody(ctx, findHost(ctx)) }),
    handle: (ctx) => {
      const host = findHost(ctx);
      const allow = (ctx.body as { properties?: { allowNewSession?: boolean } } | undefined)?.properties
        ?.allowNewSession;
      if (allow !== undefined) ctx.backend.setAllowNewSession(host.name, allow);
      return { status: 200, body: sessionHostBody(ctx, findHost(ctx)) };
    },
  },
  {
    name: "SessionHosts_Delete",
    method: "DELETE",
    path: HOST,
    apiVersion: V,
    params: HOST_PARAMS,
    query: { force: "boolean" },
    handle: (ctx) => {
      requirePool(ctx);
      const name = ctx.params["sessionHostName"]!;
      const host = ctx.backend.listSessionHosts().find((h) => h.name.toLowerCase() === name.toLowerCase());
      if (!host) return { status: 204 };
      if (host.sessions > 0 && ctx.query.get("force") !== "true") {
        throw badRequest(
          "SessionHostHasUserSessions",
          `SessionHost '${host.name}' has ${host.sessions} user session(s); delete with force=true to remove it anyway.`,
        );
      }
      ctx.backend.removeSessionHost(host.name);
      return { status: 200 };
    },
  },
  {
    name: "UserSessions_ListByHostPool",
    method: "GET",
    path: `${POOL}/userSessions`,
    apiVersion: V,
    params: POOL_PARAMS,
    query: { ...LIST_QUERY, $filter: "string" },
    handle: (ctx) => {
      const poolId = requirePool(ctx);
      const sessions = applyFilter(ctx.backend.listUserSessions(), ctx.query.get("$filter"));
      return {
        status: 200,
        body: page(
          sessions.map((s) => userSessionBody(ctx, s)),
          ctx,
          `${poolId}/userSessions`,
          V,
        ),
      };
    },
  },
  {
    name: "UserSessions_List",
    method: "GET",
    path: `${HOST}/userSessions`,
    apiVersion: V,
    params: HOST_PARAMS,
    query: LIST_QUERY,
    handle: (ctx) => {
      const poolId = requirePool(ctx);
      const host = findHost(ctx);
      const sessions = ctx.backend.listUserSessions(host.name).map((s) => userSessionBody(ctx, s));
      return {
        status: 200,
        body: page(sessions, ctx, `${poolId}/sessionHosts/${host.name}/userSessions`, V),
      };
    },
  },
  {
    name: "UserSessions_Get",
    method: "GET",
    path: SESSION,
    apiVersion: V,
    params: SESSION_PARAMS,
    handle: (ctx) => {
      const session = findSession(ctx);
      if (!session) {
        throw new ArmError(
          404,
          "ResourceNotFound",
          `UserSession '${ctx.params["userSessionId"]}' was not found.`,
        );
      }
      return { status: 200, body: userSessionBody(ctx, session) };
    },
  },
  {
    name: "UserSessions_Delete",
    method: "DELETE",
    path: SESSION,
    apiVersion: V,
    params: SESSION_PARAMS,
    query: { force: "boolean" },
    handle: (ctx) => {
      const session = findSession(ctx);
      if (!session) return { status: 204 };
      ctx.backend.signOut(session.sessionHostName, session.id);
      return { status: 200 };
    },
  },
  {
    name: "UserSessions_SendMessage",
    method: "POST",
    path: `${SESSION}/sendMessage`,
    apiVersion: V,
    params: SESSION_PARAMS,
    body: (b) => sendMessageBody(b, "sendMessage"),
    handle: (ctx) => {
      const session = findSession(ctx);
      if (!session) {
        throw new ArmError(
          404,
          "ResourceNotFound",
          `UserSession '${ctx.params["userSessionId"]}' was not found.`,
        );
      }
      const message = (ctx.body ?? {}) as { messageTitle?: string; messageBody?: string };
      ctx.backend.sendMessage(
        session.sessionHostName,
        session.id,
        message.messageTitle ?? "",
        message.messageBody ?? "",
      );
      return { status: 200 };
    },
  },
  {
    name: "UserSessions_Disconnect",
    method: "POST",
    path: `${SESSION}/disconnect`,
    apiVersion: V,
    params: SESSION_PARAMS,
    handle: (ctx) => {
      const session = findSession(ctx);
      if (!session) {
        throw new ArmError(
          404,
          "ResourceNotFound",
          `UserSession '${ctx.params["userSessionId"]}' was not found.`,
        );
      }
      ctx.backend.disconnect(session.sessionHostName, session.id);
      return { status: 200 };
    },
  },
];
