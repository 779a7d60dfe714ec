/**
 * Drift (spec section 1: `pulumi preview` / `pulumi refresh --preview-only`, wrapped by
 * `avd-rollout drift`): what differs between the deployed pool, the cloud and the configuration.
 * Pure: computed from observed facts and engine events.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { DeployedHost, DesiredPool } from "../core/ports";

export interface CloudDrift {
  urn: string;
  /** `changed`: the cloud resource differs from state; `deleted`: it is gone from the cloud. */
  kind: "changed" | "deleted";
  /** Property paths that differ, when the engine reported them. */
  properties: string[];
}

export interface DriftReport {
  /** Hosts whose deployed revision differs from the configuration's (a rollout is pending). */
  outOfDate: string[];
  /** Hosts the configuration declares that the stack has not deployed (count raised). */
  missing: string[];
  /** Hosts deployed that the configuration no longer declares (count lowered). */
  extra: string[];
  /** Resources a plain `pulumi up` would change (preview of the program with an empty batch). */
  pendingChanges: { urn: string; op: string }[];
  /** Resources changed or deleted outside Pulumi (`refresh --preview-only`); null when not checked. */
  cloud: CloudDrift[] | null;
  drift: boolean;
}

/** Compares the ledger with the configuration. */
export function configurationDrift(
  deployed: readonly DeployedHost[],
  desired: DesiredPool,
): Pick<DriftReport, "outOfDate" | "missing" | "extra"> {
  const deployedByHost = new Map(deployed.map((host) => [host.host, host]));
  const desiredSet = new Set(desired.hosts);
  const outOfDate: string[] = [];
  const missing: string[] = [];
  for (const host of desired.hosts) {
    const current = deployedByHost.get(host);
    if (!current) missing.push(host);
    else if (current.revision !== desired.revision) outOfDate.push(host);
  }
  const extra = deployed.map((host) => host.host).filter((host) => !desiredSet.has(host));
  return { outOfDate, missing, extra: extra.sort(naturalCompare) };
}

/**
 * Resources changed or deleted in the cloud, from the events of `stack.previewRefresh()`.
 *
 * A refresh announces every resource with a `refresh` pre-event and reports what it found as the
 * resulting op on the outputs event: `same`, `update` (the cloud differs from state; `diffs` /
 * `detailedDiff` name the properties) or `delete` (gone from the cloud) — as the engine's own
 * recorded stream shows (pkg/engine/lifecycletest, TestRefreshBasics; pkg/engine/update.go).
 */
export function cloudDriftFromRefreshEvents(events: readonly EngineEvent[]): CloudDrift[] {
  const byUrn = new Map<string, CloudDrift>();
  for (const event of events) {
    const metadata = event.resOutputsEvent?.metadata;
    if (!metadata || metadata.type === "pulumi:pulumi:Stack" || metadata.type.startsWith("pulumi:providers:"))
      continue;
    if (metadata.op === "delete") {
      byUrn.set(metadata.urn, { urn: metadata.urn, kind: "deleted", properties: [] });
    } else if (metadata.op === "update" && byUrn.get(metadata.urn)?.kind !== "deleted") {
      const properties = [
        ...new Set([...(metadata.diffs ?? []), ...Object.keys(metadata.detailedDiff ?? {})]),
      ];
      byUrn.set(metadata.urn, { urn: metadata.urn, kind: "changed", properties: properties.sort() });
    }
  }
  return [...byUrn.values()];
}

export function assembleDriftReport(
  configuration: Pick<DriftReport, "outOfDate" | "missing" | "extra">,
  pendingChanges: { urn: string; op: string }[],
  cloud: CloudDrift[] | null,
): DriftReport {
  const drift =
    configuration.outOfDate.length +
      configuration.missing.length +
      configuration.extra.length +
      pendingChanges.length >
      0 ||
    (cloud !== null && cloud.length > 0);
  return { ...configuration, pendingChanges, cloud, drift };
}

/** `avd-2` before `avd-10`. */
export function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}
