/**
 * Microsoft.Authorization Permissions_ListForResourceGroup and Permissions_ListForResource
 * (specification/authorization/resource-manager/Microsoft.Authorization, api-version 2022-04-01
 * as @azure/arm-authorization 9.0.0 sends): the actions the caller's role assignments grant at a
 * scope, from the attached EnvironmentCatalog's role assignments at that scope or above.
 *
 * `{parentResourcePath}` is one path parameter in the specification that spans zero or more
 * segments; the emulator's templates match fixed segments, so the resource operation has one
 * template for a top-level resource and one for a resource nested once (a subnet).
 */
import { isWithinScope } from "../../../../automation/preflight/catalog";
import { environmentOf, pathOf, requireSubscription, skipTokenPage } from "../environment";
import type { Route, RouteContext } from "../route";

const V = "2022-04-01";
const RG = "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}";
const PERMISSIONS = "providers/Microsoft.Authorization/permissions";
const TOP_LEVEL = `${RG}/providers/{resourceProviderNamespace}/{resourceType}/{resourceName}`;
const NESTED = `${RG}/providers/{resourceProviderNamespace}/{parentType}/{parentName}/{resourceType}/{resourceName}`;

function permissionsAt(ctx: RouteContext, scopeTemplate: string) {
  const catalog = environmentOf(ctx);
  requireSubscription(ctx, catalog);
  const scope = pathOf(scopeTemplate, ctx.params).replace("/resourcegroups/", "/resourceGroups/");
  const value = catalog.permissions
    .filter((p) => isWithinScope(scope, p.scope))
    .map((p) => ({ actions: p.actions, notActions: p.notActions, dataActions: [], notDataActions: [] }));
  return {
    status: 200,
    body: skipTokenPage(value, ctx, pathOf(`${scopeTemplate}/${PERMISSIONS}`, ctx.params), V),
  };
}

export const authorizationRoutes: Route[] = [
  {
    name: "Permissions_ListForResourceGroup",
    method: "GET",
    path: `${RG}/${PERMISSIONS}`,
    apiVersion: V,
    query: { $skiptoken: "string" },
    handle: (ctx) => permissionsAt(ctx, RG),
  },
  {
    name: "Permissions_ListForResource",
    method: "GET",
    path: `${TOP_LEVEL}/${PERMISSIONS}`,
    apiVersion: V,
    query: { $skiptoken: "string" },
    handle: (ctx) => permissionsAt(ctx, TOP_LEVEL),
  },
  {
    name: "Permissions_ListForResource",
    method: "GET",
    path: `${NESTED}/${PERMISSIONS}`,
    apiVersion: V,
    query: { $skiptoken: "string" },
    handle: (ctx) => permissionsAt(ctx, NESTED),
  },
];
