/**
 * The "observe" of observe -> decide -> act: reads the pool, the ledger and power states through
 * the ports and builds the step's immutable Observation. It reads only what the hosts in flight
 * need: the ledger once per `up`, the pool's settings and arrival rate now and then, a host's user
 * sessions when its session count changed (or every few minutes), power states only of originals
 * that left the pool. Caches are optimisations: every decision re-derives from what they hold.
 */
import type { InFlight, HostView, Observation } from "./observation";
import { deriveHostPhase, isFreshGeneration } from "./phase";
import { batchesOf, indexSessionHostsByResource, resourceKey } from "./planner";
import { countsForBudget } from "./policies/budget";
import type { BatchState } from "./policies/noticeSchedule";
import type {
  DeployedHost,
  HostPoolInfo,
  Ports,
  PowerState,
  SessionHostInfo,
  UserSessionInfo,
} from "./ports";
import type { HostRecord, RolloutRecord } from "./record";

const MINUTE = 60_000;
/** A host's sessions are listed again at least this often, even when their count is unchanged. */
const SESSION_RELIST_MS = 5 * MINUTE;
/** The pool's settings are read again this often. */
const POOL_INFO_REFRESH_MS = 30 * MINUTE;
/** The arrival rate is estimated again this often, over the sessions of the last hour. */
const ARRIVALS_REFRESH_MS = 15 * MINUTE;
const ARRIVALS_WINDOW_MS = 60 * MINUTE;

interface SessionListing {
  count: number;
  at: number;
  sessions: UserSessionInfo[];
}

export class Observer {
  private ledger: Map<string, { deployed: DeployedHost; key: string }> | null = null;
  private poolInfo: { info: HostPoolInfo; at: number } | null = null;
  private arrivals: { perHour: number; at: number } | null = null;
  private readonly listings = new Map<string, SessionListing>();

  constructor(private readonly ports: Ports) {}

  /** The ledger changed (an `up` ran): read it again next time. */
  forgetLedger(): void {
    this.ledger = null;
  }

  /** An action touched this session host's sessions: list them again next time. */
  forgetSessions(sessionHostName: string | undefined): void {
    if (sessionHostName) this.listings.delete(sessionHostName.toLowerCase());
  }

  async deployedHosts(): Promise<Map<string, { deployed: DeployedHost; key: string }>> {
    if (!this.ledger) {
      const deployed = await this.ports.stack.readDeployedHosts();
      this.ledger = new Map(deployed.map((d) => [d.host, { deployed: d, key: resourceKey(d.vmResourceId) }]));
    }
    return this.ledger;
  }

  async observe(record: RolloutRecord, inFlight: InFlight): Promise<Observation> {
    const now = this.ports.clock.now();
    const [sessionHosts, ledger, pool, arrivalsPerHour] = await Promise.all([
      this.ports.hostPool.listSessionHosts(),
      this.deployedHosts(),
      this.hostPoolInfo(now),
      this.arrivalRate(now),
    ]);
    const byResource = indexSessionHostsByResource(sessionHosts);
    const byName = new Map(sessionHosts.map((sh) => [sh.name.toLowerCase(), sh]));
    const batches = batchesOf(record.planned, record.params.batchSize);
    const busy = (host: string): boolean =>
      inFlight.hosts.has(host) || (inFlight.up?.includes(host) ?? false);

    const done = new Set<string>();
    const sessionHostOf = new Map<string, SessionHostInfo>();
    const partial: Omit<HostView, "phase" | "sessions" | "freshSessions">[] = [];
    let pendingCount = 0;
    batches.forEach((hosts, batch) => {
      for (const host of hosts) {
        const entry = record.hosts[host];
        const indexed = ledger.get(host);
        const deployed = indexed?.deployed;
        const current = indexed ? byResource.get(indexed.key) : undefined;
        if (current) sessionHostOf.set(host, current);
        if (!entry) {
          if (deployed?.revision === record.revision) done.add(host);
          else pendingCount++;
          continue;
        }
        const originalKey = entry.original ? resourceKey(entry.original.vm.resourceId) : indexed?.key;
        const original = originalKey ? byResource.get(originalKey) : undefined;
        const fresh = isFreshGeneration(entry, deployed) ? current : undefined;
        partial.push({
          host,
          batch,
          entry,
          deployed,
          original,
          fresh,
          early: earlyRegistration(entry, byName),
        });
      }
    });

    // Power states only where the phase depends on them: committed originals that left the pool.
    const needPower = partial.filter(
      (p) =>
        p.entry?.committedAt &&
        !p.entry.failed &&
        !isFreshGeneration(p.entry, p.deployed) &&
        !p.original &&
        p.entry.original &&
        !busy(p.host),
    );
    const powers = await Promise.all(
      needPower.map((p) => this.ports.compute.getPowerState((p.entry as HostRecord).original!.vm.resourceId)),
    );
    const powerOf = new Map<string, PowerState | "notFound">(needPower.map((p, i) => [p.host, powers[i]]));

    const views = new Map<string, HostView>();
    const listings: Promise<void>[] = [];
    for (const p of partial) {
      let phase = deriveHostPhase({
        target: record.revision,
        entry: p.entry,
        deployed: p.deployed,
        originalSessionHost: p.original,
        originalPower: powerOf.get(p.host),
      });
      if (inFlight.up?.includes(p.host) && phase !== "failed") phase = "provisioning";
      const view: HostView = { ...p, originalPower: powerOf.get(p.host), phase };
      views.set(p.host, view);
      if (busy(p.host)) continue;
      const underNotice = phase === "noticed" || phase === "draining" || phase === "drained";
      if (underNotice && p.original)
        listings.push(this.sessionsOf(p.original, now).then((s) => void (view.sessions = s)));
      const restoringToDeallocated =
        phase === "registered" && p.entry?.original?.powerState === "deallocated";
      if (restoringToDeallocated && p.fresh)
        listings.push(this.sessionsOf(p.fresh, now).then((s) => void (view.freshSessions = s)));
    }
    await Promise.all(listings);

    return {
      now,
      record,
      views,
      batches,
      batchStates: batchStatesOf(batches, views, done),
      done,
      sessionHostOf,
      pendingCount,
      pool: { ...poolCapacity(sessionHosts, pool.maxSessionLimit), arrivalsPerHour },
      budget: budgetOf(record, ledger, byResource, views),
      inFlight,
    };
  }

  private async hostPoolInfo(now: number): Promise<HostPoolInfo> {
    if (!this.poolInfo || now - this.poolInfo.at >= POOL_INFO_REFRESH_MS)
      this.poolInfo = { info: await this.ports.hostPool.getHostPoolInfo(), at: now };
    return this.poolInfo.info;
  }

  /** Sign-ins per hour: sessions of the pool created within the last hour. */
  private async arrivalRate(now: number): Promise<number> {
    if (!this.arrivals || now - this.arrivals.at >= ARRIVALS_REFRESH_MS) {
      const sessions = await this.ports.hostPool.listUserSessions();
      let recent = 0;
      for (const session of sessions) {
        const created = session.createTime ? Date.parse(session.createTime) : Number.NaN;
        if (Number.isFinite(created) && created > now - ARRIVALS_WINDOW_MS) recent++;
      }
      this.arrivals = { perHour: (recent * 60 * MINUTE) / ARRIVALS_WINDOW_MS, at: now };
    }
    return this.arrivals.perHour;
  }

  /** A host's sessions, listed again when their count changed or the listing is old. */
  private async sessionsOf(sessionHost: SessionHostInfo, now: number): Promise<UserSessionInfo[]> {
    if (sessionHost.sessions === 0) return [];
    const key = sessionHost.name.toLowerCase();
    const last = this.listings.get(key);
    if (last && last.count === sessionHost.sessions && now - last.at < SESSION_RELIST_MS)
      return last.sessions;
    const sessions = await this.ports.hostPool.listUserSessions(sessionHost.name);
    this.listings.set(key, { count: sessionHost.sessions, at: now, sessions });
    return sessions;
  }
}

/**
 * A session host under the original's name whose VM is not the original: the new generation,
 * registering while its `up` runs (before the ledger shows it).
 */
function earlyRegistration(
  entry: HostRecord,
  byName: ReadonlyMap<string, SessionHostInfo>,
): SessionHostInfo | undefined {
  const name = entry.original?.sessionHostName;
  if (!name || !entry.original) return undefined;
  const sessionHost = byName.get(name.toLowerCase());
  if (!sessionHost) return undefined;
  return resourceKey(sessionHost.resourceId) === resourceKey(entry.original.vm.resourceId)
    ? undefined
    : sessionHost;
}

function poolCapacity(
  sessionHosts: readonly SessionHostInfo[],
  maxSessionLimit: number,
): { maxSessionLimit: number; acceptingHosts: number; freeSlots: number } {
  let acceptingHosts = 0;
  let freeSlots = 0;
  for (const sh of sessionHosts) {
    if (sh.status !== "Available" || !sh.allowNewSession) continue;
    acceptingHosts++;
    freeSlots += Math.max(0, maxSessionLimit - sh.sessions);
  }
  return { maxSessionLimit, acceptingHosts, freeSlots };
}

/**
 * Of the stack's hosts that count for the budget (accepting and running before the rollout touched
 * them — for a host the rollout touched, as recorded; for the others, as observed), those serving
 * now and not committed to leave; and those down for reasons of their own (not taken out by it).
 */
function budgetOf(
  record: RolloutRecord,
  ledger: ReadonlyMap<string, { deployed: DeployedHost; key: string }>,
  byResource: ReadonlyMap<string, SessionHostInfo>,
  views: ReadonlyMap<string, HostView>,
): Observation["budget"] {
  let inService = 0;
  const downOnTheirOwn: string[] = [];
  for (const [host, { key }] of ledger) {
    const entry = record.hosts[host];
    if (entry?.original) {
      if (!countsForBudget(entry.original)) continue;
      if (entry.committedAt && !entry.restoredAt) continue;
      const view = views.get(host);
      const current = view?.fresh ?? view?.original;
      if (current?.status === "Available") inService++;
      else if (!entry.committedAt) downOnTheirOwn.push(host);
      continue;
    }
    const sh = byResource.get(key);
    if (!sh?.allowNewSession) continue;
    if (sh.status === "Available") inService++;
    else downOnTheirOwn.push(host);
  }
  return { inService, downOnTheirOwn };
}

function batchStatesOf(
  batches: readonly (readonly string[])[],
  views: ReadonlyMap<string, HostView>,
  done: ReadonlySet<string>,
): BatchState[] {
  return batches.map((hosts) => {
    let remaining = 0;
    let unnoticed = 0;
    let noticedAt: number | null = null;
    let committedAt: number | null = null;
    let freed = true;
    for (const host of hosts) {
      if (done.has(host)) continue;
      const view = views.get(host);
      const phase = view?.phase ?? "pending";
      if (phase !== "done" && phase !== "failed") remaining++;
      if (phase === "pending") unnoticed++;
      if (view?.entry?.noticeAt) {
        const at = Date.parse(view.entry.noticeAt);
        noticedAt = noticedAt === null ? at : Math.min(noticedAt, at);
      }
      if (view?.entry?.committedAt) {
        const at = Date.parse(view.entry.committedAt);
        committedAt = committedAt === null ? at : Math.max(committedAt, at);
      }
      if (phase !== "done" && phase !== "failed" && phase !== "restored") freed = false;
    }
    return { remaining, unnoticed, noticedAt, committedAt, freed, finished: remaining === 0 };
  });
}
