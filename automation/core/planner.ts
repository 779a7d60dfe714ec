/**
 * The rollout plan (spec section 5.1-5.2), pure: which hosts are out of date, in which order,
 * in which batches, and the capacity baseline the budget is measured against.
 */
import type { DeployedHost, DesiredPool, PowerState, SessionHostInfo } from "./ports";

/** Compares host names so that `avd-2` sorts before `avd-10` (digit runs compare as numbers). */
export function naturalCompare(a: string, b: string): number {
  const chunks = /(\d+|\D+)/g;
  const left = a.match(chunks) ?? [];
  const right = b.match(chunks) ?? [];
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    const x = left[i];
    const y = right[i];
    if (x === y) continue;
    const xDigits = /^\d/.test(x);
    const yDigits = /^\d/.test(y);
    if (xDigits && yDigits) {
      const byValue = Number(x) - Number(y);
      if (byValue !== 0) return byValue;
      // Same value, different zero padding: shorter first, for a total order.
      if (x.length !== y.length) return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

export function sortNatural(names: Iterable<string>): string[] {
  return [...names].sort(naturalCompare);
}

const resourceKeyMemo = new Map<string, string>();
const RESOURCE_KEY_MEMO_LIMIT = 100_000;

/**
 * Normalises an ARM id for comparison (AVD and ARM differ in casing). Memoised: the driver
 * matches every session host on every step, and the same ids come back each time.
 */
export function resourceKey(resourceId: string): string {
  let key = resourceKeyMemo.get(resourceId);
  if (key === undefined) {
    if (resourceKeyMemo.size >= RESOURCE_KEY_MEMO_LIMIT) resourceKeyMemo.clear();
    key = resourceId.trim().toLowerCase();
    resourceKeyMemo.set(resourceId, key);
  }
  return key;
}

/** Indexes session hosts by VM resource id (case-insensitive): the only reliable match (spec §11). */
export function indexSessionHostsByResource(
  sessionHosts: readonly SessionHostInfo[],
): Map<string, SessionHostInfo> {
  const index = new Map<string, SessionHostInfo>();
  for (const sessionHost of sessionHosts) {
    if (sessionHost.resourceId) index.set(resourceKey(sessionHost.resourceId), sessionHost);
  }
  return index;
}

/**
 * Whether a session host serves users: Available, accepting new sessions and (when the power
 * state is known) running.
 */
export function isServing(
  sessionHost: SessionHostInfo | undefined,
  power?: PowerState | "notFound",
): boolean {
  if (!sessionHost) return false;
  if (power !== undefined && power !== "running") return false;
  return sessionHost.status === "Available" && sessionHost.allowNewSession;
}

/** The initial host alone, then batches of `batchSize` in plan order. */
export function batchesOf(planned: readonly string[], batchSize: number): string[][] {
  if (planned.length === 0) return [];
  const size = Math.max(1, Math.floor(batchSize));
  const batches: string[][] = [[planned[0]]];
  for (let i = 1; i < planned.length; i += size) batches.push(planned.slice(i, i + size));
  return batches;
}

/** Batch of the host at `index` in plan order: the initial host alone, then batches of `batchSize`. */
export function batchOfPlanIndex(index: number, batchSize: number): number {
  return index <= 0 ? 0 : Math.floor((index - 1) / Math.max(1, Math.floor(batchSize))) + 1;
}

/** Batch index of every planned host. */
export function batchIndexOf(planned: readonly string[], batchSize: number): Map<string, number> {
  const index = new Map<string, number>();
  batchesOf(planned, batchSize).forEach((batch, i) => batch.forEach((host) => index.set(host, i)));
  return index;
}

/** Hosts available when the rollout starts: the budget is measured against their count. */
export function capacityBaseline(
  sessionHosts: readonly SessionHostInfo[],
  powerStates?: ReadonlyMap<string, PowerState | "notFound">,
): { available: string[]; count: number } {
  const available = sessionHosts
    .filter((sh) => isServing(sh, powerStates?.get(resourceKey(sh.resourceId))))
    .map((sh) => sh.name);
  return { available: sortNatural(available), count: available.length };
}

export interface PlanInput {
  /** The stack ledger. */
  deployed: readonly DeployedHost[];
  desired: DesiredPool;
  /** Session hosts as the pool reports them now. */
  sessionHosts: readonly SessionHostInfo[];
  /** Power state by VM resource id (any casing); hosts absent from the map are judged by AVD status alone. */
  powerStates?: ReadonlyMap<string, PowerState | "notFound">;
  batchSize: number;
}

export interface PlannedHost {
  host: string;
  vmName: string;
  vmResourceId: string;
  revision: string;
  /** The session host matched by resource id, when registered. */
  sessionHostName: string | null;
  available: boolean;
  batch: number;
}

export interface RolloutPlan {
  revision: string;
  batchSize: number;
  /** Every deployed host of the desired pool, natural order. */
  hosts: string[];
  /** Hosts whose deployed revision differs from the desired one, natural order. */
  outOfDate: string[];
  upToDate: string[];
  /** Desired hosts the stack has not deployed yet (a plain `pulumi up` creates them). */
  notDeployed: string[];
  /** Deployed hosts no longer desired (not touched by a rollout). */
  notDesired: string[];
  initial: string | null;
  /** batches[0] is the initial host alone. */
  batches: string[][];
  details: PlannedHost[];
  /** Capacity baseline: available session hosts of the whole pool now. */
  baselineAvailable: number;
}

export function planRollout(input: PlanInput): RolloutPlan {
  const batchSize = Math.max(1, Math.floor(input.batchSize));
  const desiredNames = new Set(input.desired.hosts);
  const deployedByHost = new Map<string, DeployedHost>();
  for (const host of input.deployed) deployedByHost.set(host.host, host);
  const byResource = indexSessionHostsByResource(input.sessionHosts);
  const power = new Map<string, PowerState | "notFound">();
  for (const [id, state] of input.powerStates ?? []) power.set(resourceKey(id), state);

  const deployedKeys = new Set(input.deployed.map((d) => resourceKey(d.vmResourceId)));
  const hosts = sortNatural([...deployedByHost.keys()].filter((name) => desiredNames.has(name)));
  const outOfDate = hosts.filter((name) => deployedByHost.get(name)?.revision !== input.desired.revision);
  const outOfDateSet = new Set(outOfDate);
  const upToDate = hosts.filter((name) => !outOfDateSet.has(name));
  const batches = batchesOf(outOfDate, batchSize);
  const batchOf = batchIndexOf(outOfDate, batchSize);

  const details = hosts.map((name): PlannedHost => {
    const deployed = deployedByHost.get(name) as DeployedHost;
    const key = resourceKey(deployed.vmResourceId);
    const sessionHost = byResource.get(key);
    return {
      host: name,
      vmName: deployed.vmName,
      vmResourceId: deployed.vmResourceId,
      revision: deployed.revision,
      sessionHostName: sessionHost?.name ?? null,
      available: isServing(sessionHost, power.get(key)),
      batch: batchOf.get(name) ?? -1,
    };
  });

  return {
    revision: input.desired.revision,
    batchSize,
    hosts,
    outOfDate,
    upToDate,
    notDeployed: sortNatural(input.desired.hosts.filter((name) => !deployedByHost.has(name))),
    notDesired: sortNatural([...deployedByHost.keys()].filter((name) => !desiredNames.has(name))),
    initial: outOfDate[0] ?? null,
    batches,
    details,
    // Only session hosts of VMs the stack knows: the driver counts live capacity the same way.
    baselineAvailable: capacityBaseline(
      input.sessionHosts.filter((sh) => deployedKeys.has(resourceKey(sh.resourceId))),
      power,
    ).count,
  };
}
