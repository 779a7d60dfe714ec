/**
 * ARM resource ids and AVD names: parsing only, no I/O.
 *
 * ARM compares ids case-insensitively, so segment names (`resourceGroups`, `providers`, ...) are
 * matched without regard to case, while the values keep the case they were given in.
 */

export interface ResourceId {
  subscriptionId: string;
  resourceGroupName: string;
  /** Resource provider namespace, e.g. `Microsoft.Compute`. */
  provider: string;
  /** Resource type below the provider, e.g. `virtualMachines`. */
  type: string;
  name: string;
}

const RESOURCE_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/?$/i;

/** Parses a top-level resource id; undefined when `id` is not one. */
export function parseResourceId(id: string): ResourceId | undefined {
  const match = RESOURCE_ID.exec(id.trim());
  if (!match) return undefined;
  const [, subscriptionId, resourceGroupName, provider, type, name] = match;
  return { subscriptionId, resourceGroupName, provider, type, name };
}

/** Parses the ARM id of a VM (`.../providers/Microsoft.Compute/virtualMachines/<name>`). */
export function parseVmId(id: string): ResourceId | undefined {
  const parsed = parseResourceId(id);
  if (!parsed) return undefined;
  if (parsed.provider.toLowerCase() !== "microsoft.compute") return undefined;
  if (parsed.type.toLowerCase() !== "virtualmachines") return undefined;
  return parsed;
}

export function formatResourceId(id: ResourceId): string {
  return (
    `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroupName}` +
    `/providers/${id.provider}/${id.type}/${id.name}`
  );
}

/**
 * The SDK reports a session host's `name` as `<hostPool>/<sessionHost>` (and a user session's as
 * `<hostPool>/<sessionHost>/<id>`); AVD's own name of the host is the FQDN after the pool prefix.
 */
export function sessionHostNameOf(sdkName: string): string {
  const slash = sdkName.indexOf("/");
  return slash >= 0 ? sdkName.slice(slash + 1) : sdkName;
}

const USER_SESSION_ID = /\/sessionHosts\/([^/]+)\/userSessions\/([^/]+)\/?$/i;

/**
 * A user session's session host and session id from its ARM id: the id used by sendMessage and
 * delete is the id's last segment (spec section 11), whatever shape `name` has.
 */
export function parseUserSessionId(
  armId: string,
): { sessionHostName: string; sessionId: string } | undefined {
  const match = USER_SESSION_ID.exec(armId);
  if (!match) return undefined;
  return { sessionHostName: decodeURIComponent(match[1]), sessionId: decodeURIComponent(match[2]) };
}

/** Same ARM resource, compared the way ARM does (case-insensitively). */
export function sameResourceId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
