/**
 * Builds the Observation decide() reads, from a short description of the pool at one moment:
 * which hosts are where, what the record says, who is in flight. For table tests of the policy
 * ("this pool, this record, at this time -> these actions") without a world or ports.
 */
import type { HostView, InFlight, Observation } from "../../automation/core/observation";
import type { HostPhase } from "../../automation/core/phase";
import { batchesOf } from "../../automation/core/planner";
import type { BatchState } from "../../automation/core/policies/noticeSchedule";
import type { SessionHostInfo, UserSessionInfo } from "../../automation/core/ports";
import type { HostRecord, RolloutRecord } from "../../automation/core/record";

export const MIN = 60_000;
export const T0 = Date.parse("2026-04-13T08:00:00.000Z");
export const at = (minutes: number): string => new Date(T0 + minutes * MIN).toISOString();

export interface HostSpec {
  phase: HostPhase;
  entry?: Partial<HostRecord>;
  /** The session host of its current VM (original, or new generation once fresh). */
  sessionHost?: Partial<SessionHostInfo> | null;
  /** Session ids listed on it this step. */
  sessions?: string[];
  /** The new generation's session host (registering, registered, restored). */
  fresh?: Partial<SessionHostInfo>;
}

export interface PoolSpec {
  /** Minutes since T0. */
  now: number;
  batchSize?: number;
  delayMinutes?: number;
  /** Every planned host, in plan order, with its state; hosts not listed are untouched. */
  hosts: Record<string, HostSpec>;
  planned?: string[];
  record?: Partial<RolloutRecord>;
  pool?: Partial<Observation["pool"]>;
  budget?: Partial<Observation["budget"]>;
  inFlight?: Partial<InFlight>;
}

export const sessionHost = (host: string, over: Partial<SessionHostInfo> = {}): SessionHostInfo => ({
  name: `${host}.contoso.local`,
  resourceId: `/vm/${host}-gen1`,
  status: "Available",
  allowNewSession: true,
  sessions: 3,
  ...over,
});

const original = (host: string) => ({
  vm: { name: `${host}-gen1`, resourceId: `/vm/${host}-gen1` },
  sessionHostName: `${host}.contoso.local`,
  allowNewSession: true,
  powerState: "running" as const,
  accepting: true,
});

/** A record entry as the driver writes it for a host in `phase`, with `over` on top. */
export function entryFor(
  host: string,
  batch: number,
  phase: HostPhase,
  over: Partial<HostRecord> = {},
): HostRecord {
  const entry: HostRecord = { batch };
  if (phase !== "pending" && phase !== "done") {
    entry.original = original(host);
    entry.noticeAt = at(0);
    entry.notices = [{ ids: [], sentAt: at(0) }];
  }
  const committed = [
    "draining",
    "drained",
    "removed",
    "deallocated",
    "provisioning",
    "registering",
    "registered",
    "restored",
  ];
  if (committed.includes(phase)) entry.committedAt = at(30);
  if (phase === "registering" || phase === "registered" || phase === "restored") entry.provisionedAt = at(48);
  if (phase === "registered" || phase === "restored") entry.registeredAt = at(50);
  if (phase === "restored") entry.restoredAt = at(50);
  if (phase === "failed") entry.failed = true;
  return { ...entry, ...over };
}

export function observation(spec: PoolSpec): Observation {
  const planned = spec.planned ?? Object.keys(spec.hosts);
  const batchSize = spec.batchSize ?? 2;
  const batches = batchesOf(planned, batchSize);
  const batchOf = new Map<string, number>();
  batches.forEach((hosts, b) => hosts.forEach((h) => batchOf.set(h, b)));
  const views = new Map<string, HostView>();
  const hosts: Record<string, HostRecord> = {};
  const done = new Set<string>();
  const phases = new Map<string, HostPhase>();
  for (const host of planned) {
    const hostSpec = spec.hosts[host] ?? { phase: "pending" };
    phases.set(host, hostSpec.phase);
    if (hostSpec.phase === "done") {
      done.add(host);
      continue;
    }
    const batch = batchOf.get(host) ?? 0;
    const hasEntry = hostSpec.phase !== "pending" || hostSpec.entry !== undefined;
    if (!hasEntry) continue;
    const entry = entryFor(host, batch, hostSpec.phase, hostSpec.entry);
    hosts[host] = entry;
    // Under notice or leaving, a host is drained (unless the row says otherwise).
    const drained = hostSpec.phase !== "pending" ? { allowNewSession: false } : {};
    // Past its removal, the original is not in the pool any more (unless the row says otherwise).
    const gone = ["removed", "deallocated", "provisioning", "registering", "registered", "restored"].includes(
      hostSpec.phase,
    );
    const sh =
      hostSpec.sessionHost === null || (gone && hostSpec.sessionHost === undefined)
        ? undefined
        : sessionHost(host, { ...drained, ...(hostSpec.sessionHost ?? {}) });
    const sessions: UserSessionInfo[] | undefined = hostSpec.sessions?.map((id) => ({
      sessionHostName: `${host}.contoso.local`,
      id,
      userPrincipalName: `${id}@contoso.com`,
      sessionState: "Active",
    }));
    views.set(host, {
      host,
      batch,
      entry,
      deployed: { host, vmName: `${host}-gen2`, vmResourceId: `/vm/${host}-gen2`, revision: "r2" },
      original: sh,
      fresh: hostSpec.fresh
        ? sessionHost(host, { resourceId: `/vm/${host}-gen2`, sessions: 0, ...hostSpec.fresh })
        : undefined,
      early: undefined,
      phase: hostSpec.phase,
      ...(sessions ? { sessions } : {}),
    });
  }
  const record: RolloutRecord = {
    version: 2,
    id: "rollout-test",
    status: "running",
    revision: "r2",
    params: {
      batchSize,
      logOffDelayMinutes: spec.delayMinutes ?? 30,
      logOffMessage: "bye",
      deleteOriginalVm: true,
    },
    owner: "driver@test",
    heartbeat: at(spec.now),
    startedAt: at(0),
    planned,
    hosts,
    baselineAvailable: planned.length,
    stats: { count: 0, totalMs: 0 },
    startedBatches: [],
    finishedBatches: [],
    ...spec.record,
  };
  const batchStates: BatchState[] = batches.map((members) => {
    let remaining = 0;
    let unnoticed = 0;
    let noticedAt: number | null = null;
    let committedAt: number | null = null;
    let freed = true;
    for (const host of members) {
      const phase = phases.get(host) as HostPhase;
      const entry = record.hosts[host];
      if (phase !== "done" && phase !== "failed") remaining++;
      if (phase === "pending") unnoticed++;
      if (entry?.noticeAt) noticedAt = Math.min(noticedAt ?? Infinity, Date.parse(entry.noticeAt));
      if (entry?.committedAt) committedAt = Math.max(committedAt ?? -Infinity, Date.parse(entry.committedAt));
      if (phase !== "done" && phase !== "failed" && phase !== "restored") freed = false;
    }
    return { remaining, unnoticed, noticedAt, committedAt, freed, finished: remaining === 0 };
  });
  return {
    now: T0 + spec.now * MIN,
    record,
    views,
    batches,
    batchStates,
    done: { has: (h) => done.has(h), size: done.size },
    sessionHostOf: (h) => {
      const hostSpec = spec.hosts[h];
      if (hostSpec?.sessionHost === null) return undefined;
      return sessionHost(h, hostSpec?.sessionHost ?? {});
    },
    pendingCount: planned.length - done.size - views.size,
    pool: {
      maxSessionLimit: spec.pool?.maxSessionLimit ?? 12,
      acceptingHosts: spec.pool?.acceptingHosts ?? planned.length,
      freeSlots: spec.pool?.freeSlots ?? 9 * planned.length,
      arrivalsPerHour: spec.pool?.arrivalsPerHour ?? 0,
      freshRoom: spec.pool?.freshRoom ?? Number.POSITIVE_INFINITY,
    },
    budget: { inService: planned.length, downOnTheirOwn: [], ...spec.budget },
    inFlight: { hosts: new Map(), up: null, ...spec.inFlight },
  };
}
