/** Every route the preflight's reads need, registered with the emulator in one place. */
import type { Route } from "../route";
import { authorizationRoutes } from "./authorization";
import { computePreflightRoutes } from "./compute-preflight";
import { marketplaceOrderingRoutes } from "./marketplace-ordering";
import { monitorRoutes } from "./monitor";
import { networkPreflightRoutes } from "./network-preflight";

export const preflightRoutes: Route[] = [
  ...computePreflightRoutes,
  ...networkPreflightRoutes,
  ...authorizationRoutes,
  ...marketplaceOrderingRoutes,
  ...monitorRoutes,
];
