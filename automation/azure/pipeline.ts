/**
 * What every Azure SDK client of the adapters shares: endpoint, TLS trust (a test CA for the
 * local emulator), and the retry policy that replaces the SDK default (see retryPolicy.ts), with
 * one throttle gate for all clients of the same principal.
 */
import type { Pipeline, TlsSettings } from "@azure/core-rest-pipeline";
import { ARM_RETRY_POLICY_NAME, type RetrySettings, type ThrottleGate, armRetryPolicy } from "./retryPolicy";

/** Name of the retry policy @azure/core-rest-pipeline installs by default. */
const SDK_DEFAULT_RETRY_POLICY = "defaultRetryPolicy";

export interface PipelineSettings {
  /** ARM endpoint (no trailing slash), e.g. the cloud's, or the local emulator's. */
  endpoint: string;
  /** Token scope for ARM, `<audience>/.default`. */
  scope: string;
  /** Extra trust (the emulator's CA certificate) and other TLS settings. */
  tlsOptions?: TlsSettings;
  retry?: Partial<RetrySettings>;
}

/** Swaps the SDK's default retry policy for ours, in the same pipeline phase. */
export function installRetryPolicy(pipeline: Pipeline, settings: RetrySettings, gate: ThrottleGate): void {
  pipeline.removePolicy({ name: SDK_DEFAULT_RETRY_POLICY });
  pipeline.removePolicy({ name: ARM_RETRY_POLICY_NAME });
  pipeline.addPolicy(armRetryPolicy(settings, gate), { phase: "Retry" });
}
