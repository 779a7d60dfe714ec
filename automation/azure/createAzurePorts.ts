/**
 * Builds the real HostPool and Compute ports for one host pool: the entry point the CLI uses.
 *
 * The ports come wrapped in the core's retrying wrapper, so every call (the driver's, or a CLI
 * command's) has one retry budget shared with the HTTP pipeline; the driver's own wrapper joins
 * it rather than multiplying it. All SDK clients share one throttle gate: ARM's Retry-After for
 * this principal holds back every client's requests of that kind.
 *
 * `endpoint` and `tlsOptions` exist for the local HTTPS ARM emulator in tests; in production
 * the cloud decides the endpoint and the system trust store is used.
 */
import { ComputeManagementClient } from "@azure/arm-compute";
import { DesktopVirtualizationAPIClient } from "@azure/arm-desktopvirtualization";
import { NetworkManagementClient } from "@azure/arm-network";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, TlsSettings } from "@azure/core-rest-pipeline";
import type { ComputePort, HostPoolPort } from "../core/ports";
import { computeWithRetries, hostPoolWithRetries } from "../core/retryingPorts";
import { type AzureCloud, type CloudName, CLOUDS, cloudFromConfig } from "./clouds";
import { AzureComputeAdapter, type ComputeClients } from "./computeAdapter";
import { defaultCredential, resolveSubscriptionId } from "./credentials";
import { AzureHostPoolAdapter, type HostPoolRef } from "./hostPoolAdapter";
import { installRetryPolicy } from "./pipeline";
import { DEFAULT_RETRY_SETTINGS, ThrottleGate, budgetPolicyOf } from "./retryPolicy";
import { type AdapterTuningInput, withDefaults } from "./tuning";

/** An extra pipeline policy for every SDK client (the SDKs' `additionalPolicies` option). */
export interface AdditionalPolicy {
  policy: PipelinePolicy;
  /** `perCall`: once per call; `perRetry`: around every HTTP attempt. */
  position: "perCall" | "perRetry";
}

export interface AzurePortsOptions {
  subscriptionId: string;
  hostPool: HostPoolRef;
  /** Cloud by name or definition; default public. */
  cloud?: CloudName | AzureCloud;
  /** Default: DefaultAzureCredential for the cloud's authority. */
  credential?: TokenCredential;
  /** ARM endpoint override (the emulator in tests); default the cloud's. */
  endpoint?: string;
  /** Pipeline options for every SDK client: extra CA certificates and other TLS settings, extra policies. */
  pipelineOptions?: { tlsOptions?: TlsSettings; additionalPolicies?: AdditionalPolicy[] };
  /** Timing knobs: retries, LRO polling, drain verification, bulk concurrency, the record protocol. */
  tuning?: AdapterTuningInput;
}

export interface AzurePorts {
  hostPool: HostPoolPort;
  compute: ComputePort;
}

export function createAzurePorts(options: AzurePortsOptions): AzurePorts {
  const cloud = typeof options.cloud === "string" ? CLOUDS[options.cloud] : (options.cloud ?? CLOUDS.public);
  const credential = options.credential ?? defaultCredential(cloud);
  const endpoint = (options.endpoint ?? cloud.resourceManagerEndpoint).replace(/\/+$/, "");
  const scope = cloud.resourceManagerScope;
  const tuning = withDefaults(options.tuning);
  const tlsOptions = options.pipelineOptions?.tlsOptions;
  const additionalPolicies = options.pipelineOptions?.additionalPolicies;
  const extra = {
    ...(tlsOptions ? { tlsOptions } : {}),
    ...(additionalPolicies ? { additionalPolicies } : {}),
  };
  const retry = { ...DEFAULT_RETRY_SETTINGS, ...tuning.retry };
  const gate = new ThrottleGate(retry.now, retry.sleep);

  const avd = new DesktopVirtualizationAPIClient(credential, options.subscriptionId, {
    endpoint,
    // The generated client builds request URLs from $host, not from endpoint.
    $host: endpoint,
    credentialScopes: [scope],
    ...extra,
  });
  installRetryPolicy(avd.pipeline, retry, gate);

  const computeClients = new Map<string, ComputeManagementClient>();
  const networkClients = new Map<string, NetworkManagementClient>();
  const clients: ComputeClients = {
    compute(subscriptionId) {
      let client = computeClients.get(subscriptionId.toLowerCase());
      if (!client) {
        client = new ComputeManagementClient(credential, subscriptionId, {
          endpoint,
          credentials: { scopes: [scope] },
          ...extra,
        });
        installRetryPolicy(client.pipeline, retry, gate);
        computeClients.set(subscriptionId.toLowerCase(), client);
      }
      return client;
    },
    network(subscriptionId) {
      let client = networkClients.get(subscriptionId.toLowerCase());
      if (!client) {
        client = new NetworkManagementClient(credential, subscriptionId, {
          endpoint,
          credentials: { scopes: [scope] },
          ...extra,
        });
        installRetryPolicy(client.pipeline, retry, gate);
        networkClients.set(subscriptionId.toLowerCase(), client);
      }
      return client;
    },
  };

  const inPlace = { sleep: (ms: number) => retry.sleep(ms) };
  const budget = budgetPolicyOf(retry);
  return {
    hostPool: hostPoolWithRetries(new AzureHostPoolAdapter(avd, options.hostPool, tuning), inPlace, budget),
    compute: computeWithRetries(new AzureComputeAdapter(clients, tuning), inPlace, budget),
  };
}

/**
 * Cloud and subscription from a stack's azure-native config values (as `pulumi config` returns
 * them, keys `azure-native:environment` and `azure-native:subscriptionId`), falling back to
 * AZURE_SUBSCRIPTION_ID. Throws InputError (exit 2) naming the key and the fix.
 */
export function azureTargetFromConfig(
  config: Readonly<Record<string, string | undefined>>,
  env: Readonly<Record<string, string | undefined>> = process.env,
): { cloud: AzureCloud; subscriptionId: string } {
  return {
    cloud: cloudFromConfig(config["azure-native:environment"]),
    subscriptionId: resolveSubscriptionId(config["azure-native:subscriptionId"], env),
  };
}
