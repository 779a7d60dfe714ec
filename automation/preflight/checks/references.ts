/**
 * References the new VMs resolve while they are created: the data collection rule the Azure
 * Monitor Agent is associated with, and the URLs extensions download (the custom configuration
 * script, a configured AVD agent package). A URL's query string (a SAS token) never appears in
 * a message.
 */
import { couldNotCheck, type Fact } from "../fact";
import type { UrlProbeResult } from "../ports";
import type { PreflightCheck } from "../report";
import type { ConfiguredUrl } from "../target";

export function dataCollectionRuleCheck(
  ruleId: string | undefined,
  rule: Fact<{ location: string } | null> | undefined,
): PreflightCheck {
  if (ruleId === undefined) {
    return { id: "dataCollectionRule", status: "skipped", summary: "monitoring is not configured" };
  }
  if (!rule || !rule.ok) {
    return {
      id: "dataCollectionRule",
      status: "warning",
      summary: couldNotCheck(`data collection rule ${ruleId}`, rule?.ok === false ? rule.error : "not read"),
    };
  }
  if (rule.value === null) {
    return {
      id: "dataCollectionRule",
      status: "failed",
      summary: `data collection rule ${ruleId} was not found`,
      fix: "check monitoring.dataCollectionRuleId, or create the rule first",
    };
  }
  return {
    id: "dataCollectionRule",
    status: "passed",
    summary: `data collection rule ${ruleId.split("/").pop()} exists (${rule.value.location})`,
  };
}

/** A URL without its query string and fragment: a SAS token must never be printed. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? "?…" : ""}`;
  } catch {
    return url.replace(/[?#].*$/, "?…");
  }
}

export interface UrlProbe {
  configured: ConfiguredUrl;
  result: Fact<UrlProbeResult>;
}

export function downloadUrlsCheck(probes: readonly UrlProbe[]): PreflightCheck {
  if (probes.length === 0) {
    return {
      id: "downloadUrls",
      status: "skipped",
      summary: "no custom script or agent package URL configured",
    };
  }
  const failed: string[] = [];
  const unknown: string[] = [];
  for (const { configured, result } of probes) {
    const label = `${configured.key} ${displayUrl(configured.url)}`;
    if (!result.ok) {
      unknown.push(`${label}: ${result.error}`);
      continue;
    }
    const { status, error } = result.value;
    if (status !== undefined && status >= 200 && status < 300) continue;
    if (status === 401 || status === 403 || status === 404 || status === 410)
      failed.push(`${label} answers HTTP ${status}`);
    else if (status !== undefined) unknown.push(`${label} answers HTTP ${status}`);
    else failed.push(`${label} does not answer (${error ?? "no response"})`);
  }
  if (failed.length > 0) {
    return {
      id: "downloadUrls",
      status: "failed",
      summary: failed.join("; "),
      fix: "upload the file, renew its SAS token (mind its expiry: the rollout may run for hours), or correct the URL in the stack configuration",
    };
  }
  if (unknown.length > 0) return { id: "downloadUrls", status: "warning", summary: unknown.join("; ") };
  return {
    id: "downloadUrls",
    status: "passed",
    summary: `${probes.map((p) => p.configured.key).join(", ")} reachable`,
  };
}
