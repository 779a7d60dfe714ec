/**
 * Builds the preflight's AzureEnvironment port on the Azure SDK, with the same cloud, credential,
 * endpoint, TLS trust and retry policy as the HostPool and Compute ports (createAzurePorts.ts).
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { MarketplaceOrderingAgreements } from "@azure/arm-marketplaceordering";
import { MonitorClient } from "@azure/arm-monitor";
import { NetworkManagementClient } from "@azure/arm-network";
import type { Pipeline } from "@azure/core-rest-pipeline";
import type { AzureEnvironmentPort } from "../preflight/ports";
import { CLOUDS } from "./clouds";
import type { AzurePortsOptions } from "./createAzurePorts";
import { defaultCredential } from "./credentials";
import { AzureEnvironmentAdapter, type EnvironmentClients } from "./environmentAdapter";
import { installRetryPolicy } from "./pipeline";
import { DEFAULT_RETRY_SETTINGS, ThrottleGate } from "./retryPolicy";
import { withDefaults } from "./tuning";

export type AzureEnvironmentOptions = Omit<AzurePortsOptions, "hostPool">;

/** One client per subscription, built on first use. */
function perSubscription<T extends { pipeline: Pipeline }>(
  build: (subscriptionId: string) => T,
): (id: string) => T {
  const clients = new Map<string, T>();
  return (subscriptionId) => {
    const key = subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = build(subscriptionId);
      clients.set(key, client);
    }
    return client;
  };
}

export function createAzureEnvironment(options: AzureEnvironmentOptions): AzureEnvironmentPort {
  const cloud = typeof options.cloud === "string" ? CLOUDS[options.cloud] : (options.cloud ?? CLOUDS.public);
  const credential = options.credential ?? defaultCredential(cloud);
  const endpoint = (options.endpoint ?? cloud.resourceManagerEndpoint).replace(/\/+$/, "");
  const scope = cloud.resourceManagerScope;
  const retry = { ...DEFAULT_RETRY_SETTINGS, ...withDefaults(options.tuning).retry };
  // One throttle gate for every client of this principal: no request before a Retry-After has passed.
  const gate = new ThrottleGate(retry.now, retry.sleep);
  const tlsOptions = options.pipelineOptions?.tlsOptions;
  const tls = tlsOptions ? { tlsOptions } : {};
  // Generated (TypeSpec) clients take `endpoint` and `credentials.scopes`; the older core-client
  // ones build URLs from `$host` and take `credentialScopes`.
  const modern = { endpoint, credentials: { scopes: [scope] }, ...tls };
  const classic = { endpoint, $host: endpoint, credentialScopes: [scope], ...tls };
  const retrying = <T extends { pipeline: Pipeline }>(client: T): T => {
    installRetryPolicy(client.pipeline, retry, gate);
    return client;
  };
  const clients: EnvironmentClients = {
    compute: perSubscription((id) => retrying(new ComputeManagementClient(credential, id, modern))),
    network: perSubscription((id) => retrying(new NetworkManagementClient(credential, id, modern))),
    monitor: perSubscription((id) => retrying(new MonitorClient(credential, id, modern))),
    authorization: perSubscription((id) =>
      retrying(new AuthorizationManagementClient(credential, id, classic)),
    ),
    marketplace: perSubscription((id) =>
      retrying(new MarketplaceOrderingAgreements(credential, id, classic)),
    ),
  };
  const ca = tlsOptions?.ca;
  return new AzureEnvironmentAdapter(clients, options.subscriptionId, ca !== undefined ? { ca } : {});
}
