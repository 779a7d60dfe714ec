/**
 * The Azure subscription the preflight routes answer from: an EnvironmentCatalog (the same data
 * the simulated AzureEnvironment port reads), attached to an emulator's backend. The backend
 * keeps answering for the pool and its VMs; the catalog adds quotas, SKUs, images, subnets,
 * Marketplace terms, role assignments and data collection rules.
 *
 * A preflight route called on an emulator without a catalog is an emulator error (500, logged as
 * a violation), so a test that forgets to attach one fails loudly.
 */
import type { EnvironmentCatalog } from "../../../automation/preflight/catalog";
import { ArmError } from "./arm-error";
import type { EmulatorBackend } from "./backend";
import type { RouteContext } from "./route";

const catalogs = new WeakMap<EmulatorBackend, EnvironmentCatalog>();

/** Serves `catalog` from the emulator whose backend is `backend` (replacing any earlier one). */
export function attachEnvironment(backend: EmulatorBackend, catalog: EnvironmentCatalog): EnvironmentCatalog {
  catalogs.set(backend, catalog);
  return catalog;
}

export function environmentOf(ctx: RouteContext): EnvironmentCatalog {
  const catalog = catalogs.get(ctx.backend);
  if (!catalog) throw new Error("no Azure environment catalog attached to this emulator (attachEnvironment)");
  return catalog;
}

/** ARM's answer to a subscription-scoped call on a subscription it does not know. */
export function requireSubscription(ctx: RouteContext, catalog: EnvironmentCatalog): void {
  const id = ctx.params["subscriptionId"] ?? "";
  if (id.toLowerCase() !== catalog.subscriptionId.toLowerCase()) {
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${id}' could not be found.`);
  }
}

export function notFound(type: string, name: string, code = "ResourceNotFound"): ArmError {
  return new ArmError(404, code, `The Resource '${type}/${name}' was not found.`);
}

/** The request's path (and the resource's ARM id), rebuilt from a route template and its decoded parameters. */
export function pathOf(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => params[name] ?? "");
}

/**
 * A page of `value` with an absolute `nextLink` carrying `$skiptoken`, as the Compute, Network
 * and Authorization lists page (routes that page declare `$skiptoken` as a query parameter).
 */
export function skipTokenPage<T>(
  items: readonly T[],
  ctx: RouteContext,
  path: string,
  apiVersion: string,
  keep: readonly string[] = [],
): { value: T[]; nextLink?: string } {
  const skip = Number(ctx.query.get("$skiptoken") ?? "0");
  const value = items.slice(skip, skip + ctx.pageSize);
  if (skip + ctx.pageSize >= items.length) return { value };
  const next = new URLSearchParams({ "api-version": apiVersion });
  for (const name of keep) {
    const kept = ctx.query.get(name);
    if (kept !== null) next.set(name, kept);
  }
  next.set("$skiptoken", String(skip + ctx.pageSize));
  return { value, nextLink: `${ctx.origin}${path}?${next.toString()}` };
}
