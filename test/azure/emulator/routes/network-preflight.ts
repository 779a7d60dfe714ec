/**
 * Microsoft.Network Subnets_Get (specification/network/resource-manager/Microsoft.Network,
 * virtualNetwork.json; api-version 2026-01-01 as @azure/arm-network 39.0.0 sends): the subnet's
 * prefixes, the IP configurations using its addresses, and its delegations, from the attached
 * EnvironmentCatalog.
 */
import { environmentOf, notFound, pathOf } from "../environment";
import type { Route } from "../route";

const V = "2026-01-01";
const SUBNET =
  "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets/{subnetName}";

export const networkPreflightRoutes: Route[] = [
  {
    name: "Subnets_Get",
    method: "GET",
    path: SUBNET,
    apiVersion: V,
    query: { $expand: "string" },
    handle: (ctx) => {
      const id = pathOf(SUBNET, ctx.params);
      const subnet = environmentOf(ctx).subnets.find((s) => s.id.toLowerCase() === id.toLowerCase());
      if (!subnet) throw notFound("Microsoft.Network/virtualNetworks/subnets", ctx.params["subnetName"]!);
      const rg = `/subscriptions/${ctx.params["subscriptionId"]}/resourceGroups/${ctx.params["resourceGroupName"]}`;
      const [first, ...more] = subnet.addressPrefixes;
      return {
        status: 200,
        body: {
          id: subnet.id,
          name: ctx.params["subnetName"],
          etag: 'W/"4d4a5a4e-0000-0000-0000-000000000001"',
          type: "Microsoft.Network/virtualNetworks/subnets",
          properties: {
            // One prefix is `addressPrefix`; several are `addressPrefixes`, as the service answers.
            ...(more.length === 0 ? { addressPrefix: first } : { addressPrefixes: subnet.addressPrefixes }),
            ipConfigurations: Array.from({ length: subnet.ipConfigurations }, (_, i) => ({
              id: `${rg}/providers/Microsoft.Network/networkInterfaces/nic-${i}/ipConfigurations/ipconfig1`,
            })),
            delegations: subnet.delegations.map((serviceName, i) => ({
              name: `delegation-${i}`,
              id: `${subnet.id}/delegations/delegation-${i}`,
              type: "Microsoft.Network/virtualNetworks/subnets/delegations",
              properties: { serviceName, actions: [], provisioningState: "Succeeded" },
            })),
            provisioningState: "Succeeded",
            privateEndpointNetworkPolicies: "Disabled",
            privateLinkServiceNetworkPolicies: "Enabled",
          },
        },
      };
    },
  },
];
