/**
 * Microsoft.Insights DataCollectionRules_Get (specification/monitor/resource-manager/
 * Microsoft.Insights, api-version 2024-03-11 as @azure/arm-monitor 8.0.0 sends), from the
 * attached EnvironmentCatalog.
 */
import { environmentOf, notFound, pathOf } from "../environment";
import type { Route } from "../route";

const V = "2024-03-11";
const RULE =
  "/subscriptions/{subscriptionId}/resourcegroups/{resourceGroupName}/providers/Microsoft.Insights/dataCollectionRules/{dataCollectionRuleName}";

export const monitorRoutes: Route[] = [
  {
    name: "DataCollectionRules_Get",
    method: "GET",
    path: RULE,
    apiVersion: V,
    handle: (ctx) => {
      const id = pathOf(RULE, ctx.params).toLowerCase();
      const rule = environmentOf(ctx).dataCollectionRules.find((r) => r.id.toLowerCase() === id);
      if (!rule)
        throw notFound("Microsoft.Insights/dataCollectionRules", ctx.params["dataCollectionRuleName"]!);
      return {
        status: 200,
        body: {
          id: rule.id,
          name: ctx.params["dataCollectionRuleName"],
          type: "Microsoft.Insights/dataCollectionRules",
          location: rule.location,
          etag: '"070057da-0000-0000-0000-5ba70d6c0000"',
          properties: {
            immutableId: "dcr-d2a09c0ba6f04a0b8c6b5b2c2b0b0f0a",
            dataSources: {
              performanceCounters: [
                {
                  name: "avdPerfCounters",
                  streams: ["Microsoft-Perf"],
                  samplingFrequencyInSeconds: 30,
                  counterSpecifiers: ["\\LogicalDisk(C:)\\% Free Space"],
                },
              ],
            },
            destinations: {
              logAnalytics: [
                {
                  name: "avdWorkspace",
                  workspaceResourceId: `${rule.id.replace(/\/providers\/.*$/i, "")}/providers/Microsoft.OperationalInsights/workspaces/avd`,
                },
              ],
            },
            dataFlows: [{ streams: ["Microsoft-Perf"], destinations: ["avdWorkspace"] }],
            provisioningState: "Succeeded",
          },
        },
      };
    },
  },
];
