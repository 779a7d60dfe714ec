/**
 * Access: can the identity in use do, on the host pool, the VMs' resource group and the subnet,
 * everything a rollout does?
 *
 * Reads are tried for real (the host pool's tags, its session hosts and user sessions). Writes
 * are not tried — a preflight changes nothing — but looked up in the Microsoft.Authorization
 * permissions API, which returns the actions the caller's role assignments grant at a scope.
 * That API does not see deny assignments, role assignment conditions (ABAC) or PIM roles that
 * are eligible but not active, so a pass is strong evidence, not a guarantee; see docs/preflight.md.
 */
import type { Fact } from "../fact";
import type { PermissionEntry } from "../ports";
import type { PreflightCheck } from "../report";

export const HOST_POOL_ACTIONS = [
  "Microsoft.DesktopVirtualization/hostpools/read",
  // The rollout record (host pool tags) and the registration token are host pool writes.
  "Microsoft.DesktopVirtualization/hostpools/write",
  "Microsoft.DesktopVirtualization/hostpools/retrieveRegistrationToken/action",
  "Microsoft.DesktopVirtualization/hostpools/sessionhosts/read",
  "Microsoft.DesktopVirtualization/hostpools/sessionhosts/write",
  "Microsoft.DesktopVirtualization/hostpools/sessionhosts/delete",
  "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/read",
  "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/delete",
  "Microsoft.DesktopVirtualization/hostpools/sessionhosts/usersessions/sendMessage/action",
] as const;

/** What the driver and `pulumi up` do to the VMs, their NICs, disks and extensions. */
export const VM_RESOURCE_GROUP_ACTIONS = [
  "Microsoft.Compute/virtualMachines/read",
  "Microsoft.Compute/virtualMachines/write",
  "Microsoft.Compute/virtualMachines/delete",
  "Microsoft.Compute/virtualMachines/deallocate/action",
  "Microsoft.Compute/virtualMachines/start/action",
  "Microsoft.Compute/virtualMachines/extensions/write",
  "Microsoft.Compute/disks/delete",
  "Microsoft.Network/networkInterfaces/write",
  "Microsoft.Network/networkInterfaces/delete",
  "Microsoft.Network/networkInterfaces/join/action",
] as const;

export const SUBNET_ACTIONS = ["Microsoft.Network/virtualNetworks/subnets/join/action"] as const;

/** With monitoring configured, each new VM is associated with the data collection rule. */
export const MONITORING_ACTIONS = ["Microsoft.Insights/dataCollectionRuleAssociations/write"] as const;

export interface ScopeRequirement {
  /** Readable scope (`host pool hp-prod`). */
  label: string;
  scopeId: string;
  actions: readonly string[];
  permissions: Fact<PermissionEntry[]>;
}

export interface ReadProbe {
  /** What was read (`session hosts`). */
  what: string;
  result: Fact<unknown>;
}

/** ARM action patterns: case-insensitive, `*` matches anything (also across `/`). */
function actionPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

/** Whether the permissions grant `action`: some entry's actions match it and none of its notActions do. */
export function isAllowed(action: string, permissions: readonly PermissionEntry[]): boolean {
  return permissions.some(
    (entry) =>
      entry.actions.some((pattern) => actionPattern(pattern).test(action)) &&
      !entry.notActions.some((pattern) => actionPattern(pattern).test(action)),
  );
}

function isForbidden(error: string): boolean {
  return /\b403\b|AuthorizationFailed|Forbidden|LinkedAuthorizationFailed/i.test(error);
}

/** The action without its provider prefix, for short lines. */
function shortAction(action: string): string {
  return action.replace(/^Microsoft\.[A-Za-z]+\//, "");
}

export function accessCheck(
  reads: readonly ReadProbe[],
  scopes: readonly ScopeRequirement[],
): PreflightCheck {
  const problems: string[] = [];
  const unknown: string[] = [];
  const details: string[] = [];
  for (const read of reads) {
    if (read.result.ok) continue;
    if (isForbidden(read.result.error)) problems.push(`cannot read ${read.what} (${read.result.error})`);
    else unknown.push(`reading ${read.what} failed: ${read.result.error}`);
  }
  for (const scope of scopes) {
    if (!scope.permissions.ok) {
      unknown.push(`permissions at ${scope.label}: ${scope.permissions.error}`);
      continue;
    }
    const granted = scope.permissions.value;
    const missing = scope.actions.filter((action) => !isAllowed(action, granted));
    details.push(
      `${scope.label}: ${missing.length === 0 ? `all ${scope.actions.length} actions granted` : `missing ${missing.join(", ")}`}`,
    );
    if (missing.length > 0) problems.push(`at ${scope.label} missing ${missing.map(shortAction).join(", ")}`);
  }
  if (problems.length > 0) {
    return {
      id: "access",
      status: "failed",
      summary: `the identity in use ${problems.join("; ")}`,
      fix: "assign Desktop Virtualization Host Pool Contributor on the host pool (or Desktop Virtualization Contributor) and Virtual Machine Contributor on the VMs' resource group and the subnet's virtual network (docs/azure.md#permissions)",
      details,
    };
  }
  if (unknown.length > 0) {
    return {
      id: "access",
      status: "warning",
      summary: `could not check everything: ${unknown.join("; ")}`,
      details,
    };
  }
  return {
    id: "access",
    status: "passed",
    summary: `host pool tags, session hosts and user sessions readable; ${scopes.reduce((n, s) => n + s.actions.length, 0)} actions granted at ${scopes.map((s) => s.label).join(", ")}`,
    details,
  };
}
