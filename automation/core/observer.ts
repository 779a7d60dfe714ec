/**
 * The "observe" of observe -> decide -> act: reads the pool, the ledger and power states through
 * the ports and builds the step's immutable Observation.
 *
 * A step costs what is in flight, not the pool: the session host list goes through a running
 * index (poolIndex.ts) that only recomputes entries that changed; hosts the rollout has not
 * touched are counted per batch from the ledger, which changes only with an `up`; the hosts in
 * flight (those with a record entry) get a full view. It reads the ledger once per `up`, the
 * pool's settings and arrival rate now and then, a host's user sessions when its session count
 * changed (or every few minutes), power states only of originals that left the pool. Caches are
 * optimisations: every decision re-derives from what they hold.
 */
import type { HostSet, HostView, InFlight, Observation } from "./observation";
import { deriveHostPhase, isFreshGeneration } from "./phase";
import { batchesOf, resourceKey } from "./planner";
import { countsForBudget } from "./policies/budget";
import type { BatchState } from "./policies/noticeSchedule";
import { PoolIndex } from "./poolIndex";
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
/** The arrival rate is estimated again this often (a listing of every session), over the last hour. */
const ARRIVALS_REFRESH_MS = 30 * MINUTE;
const ARRIVALS_WINDOW_MS = 60 * MINUTE;

interface SessionListing {
  count: number;
  at: number;
  sessions: UserSessionInfo[];
}

export interface Ledger {
  hosts: ReadonlyMap<string, { deployed: DeployedHost; key: string }>;
  /** Resource keys of the ledger's VMs: the stack's session hosts. */
  keys: ReadonlySet<string>;
  /** Resource keys of the ledger's VMs on each revision. */
  keysOfRevision: (revision: string) => ReadonlySet<string>;
  /** Host of each resource key. */
  hostOfKey: ReadonlyMap<string, string>;
}

/** The planned hosts the ledger shows on the target revision, per batch (kept until the ledger changes). */
interface PlanProgress {
  ledger: Ledger;
  revision: string;
  planned: number;
  batchSize: number;
  batches: string[][];
  batchOf: Map<string, number>;
  done: Set<string>;
  doneInBatch: number[];
}

export class Observer {
  private ledger: Ledger | null = null;
  private poolInfo: { info: HostPoolInfo; at: number } | null = null;
  private arrivals: { perHour: number; at: number } | null = null;
  private readonly listings = new Map<string, SessionListing>();
  private readonly pool = new PoolIndex();
  private plan: PlanProgress | null = null;

  constructor(private readonly ports: Ports) {}

  /** Session hosts in the pool at the last observation. */
  get poolSize(): number {
    return this.pool.size;
  }

  /** The ledger changed (an `up` ran): read it again next time. */
  forgetLedger(): void {
    this.ledger = null;
  }

  /** An action touched this session host's sessions: list them again next time. */
  forgetSessions(sessionHostName: string | undefined): void {
    if (sessionHostName) this.listings.delete(sessionHostName.toLowerCase());
  }

  async deployedHosts(): Promise<Ledger["hosts"]> {
    return (await this.readLedger()).hosts;
  }

  private async readLedger(): Promise<Ledger> {
    if (!this.ledger) {
      const deployed = await this.ports.stack.readDeployedHosts();
      const hosts = new Map(deployed.map((d) => [d.host, { deployed: d, key: resourceKey(d.vmResourceId) }]));
      const hostOfKey = new Map([...hosts].map(([host, { key }]) => [key, host]));
      const byRevision = new Map<string, Set<string>>();
      const keysOfRevision = (revision: string): ReadonlySet<string> => {
        let keys = byRevision.get(revision);
        if (!keys) {
          keys = new Set(
            [...hosts.values()].filter((d) => d.deployed.revision === revision).map((d) => d.key),
          );
          byRevision.set(revision, keys);
        }
        return keys;
      };
      this.ledger = { hosts, keys: new Set(hostOfKey.keys()), hostOfKey, keysOfRevision };
    }
    return this.ledger;
  }

  async observe(record: RolloutRecord, inFlight: InFlight): Promise<Observation> {
    const now = this.ports.clock.now();
    const [sessionHosts, ledger, pool, arrivalsPerHour] = await Promise.all([
      this.ports.hostPool.listSessionHosts(),
      this.readLedger(),
      this.hostPoolInfo(now),
      this.arrivalRate(now),
    ]);
    this.pool.refresh(
      sessionHosts,
      pool.maxSessionLimit,
      ledger.keys,
      ledger.keysOfRevision(record.revision),
    );
    const plan = this.planProgress(record, ledger);
    const busy = (host: string): boolean =>
      inFlight.hosts.has(host) || (inFlight.up?.includes(host) ?? false);
    const sessionHostOf = (host: string): SessionHostInfo | undefined => {
      const key = ledger.hosts.get(host)?.key;
      return key === undefined ? undefined : this.pool.byResourceKey(key);
    };

    // Full views for the hosts in flight: those with a record entry.
    const partial: Omit<HostView, "phase" | "sessions" | "freshSessions">[] = [];
    for (const [host, entry] of Object.entries(record.hosts)) {
      const batch = plan.batchOf.get(host);
      if (batch === undefined) continue;
      const indexed = ledger.hosts.get(host);
      const deployed = indexed?.deployed;
      const current = indexed ? this.pool.byResourceKey(indexed.key) : undefined;
      const original = entry.original ? this.pool.byResource(entry.original.vm.resourceId) : current;
      const fresh = isFreshGeneration(entry, deployed) ? current : undefined;
      partial.push({ host, batch, entry, deployed, original, fresh, early: this.earlyRegistration(entry) });
    }

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

    const done = doneHosts(plan, record);
    const figures = this.pool.current;
    return {
      now,
      record,
      views,
      batches: plan.batches,
      batchStates: batchStatesOf(plan, views),
      done,
      sessionHostOf,
      pendingCount: record.planned.length - done.size - views.size,
      pool: {
        maxSessionLimit: pool.maxSessionLimit,
        acceptingHosts: figures.acceptingHosts,
        freeSlots: figures.freeSlots,
        arrivalsPerHour,
        freshRoom: this.freshRoom(pool),
      },
      budget: this.budget(record, ledger, views),
      inFlight,
    };
  }

  /**
   * How many returning users the hosts on the new configuration take before BreadthFirst sends one
   * to a host still to be updated: each fills up to the least loaded old host (or the limit when
   * no old host accepts). Counted low: fresh hosts above that level give nothing back.
   */
  private freshRoom(pool: HostPoolInfo): number {
    if (pool.loadBalancerType === "DepthFirst") return this.pool.freshRoomDepthFirst();
    if (pool.loadBalancerType !== "BreadthFirst") return Number.POSITIVE_INFINITY;
    const { freshAccepting, freshSessions } = this.pool.current;
    const level = this.pool.leastLoadedOld ?? pool.maxSessionLimit;
    return Math.max(0, Math.min(level, pool.maxSessionLimit) * freshAccepting - freshSessions);
  }

  /**
   * A session host under the original's name whose VM is not the original: the new generation,
   * registering while its `up` runs (before the ledger shows it).
   */
  private earlyRegistration(entry: HostRecord): SessionHostInfo | undefined {
    const name = entry.original?.sessionHostName;
    if (!name || !entry.original) return undefined;
    const sessionHost = this.pool.byHostName(name);
    if (!sessionHost) return undefined;
    return resourceKey(sessionHost.resourceId) === resourceKey(entry.original.vm.resourceId)
      ? undefined
      : sessionHost;
  }

  /**
   * Of the stack's hosts that count for the budget (accepting and running before the rollout
   * touched them — for a host the rollout touched, as recorded; for the others, as observed), those
   * serving now and not committed to leave; and those down for reasons of their own (not taken out
   * by it).
   */
  private budget(
    record: RolloutRecord,
    ledger: Ledger,
    views: ReadonlyMap<string, HostView>,
  ): Observation["budget"] {
    let inService = this.pool.current.managedAccepting;
    const downOnTheirOwn: string[] = [];
    const touched = new Set<string>();
    for (const [host, entry] of Object.entries(record.hosts)) {
      if (!entry.original) continue;
      touched.add(host);
      // Counted above as observed: count it as recorded instead.
      const key = ledger.hosts.get(host)?.key;
      const observed = key === undefined ? undefined : this.pool.byResourceKey(key);
      if (observed?.status === "Available" && observed.allowNewSession) inService--;
      if (!countsForBudget(entry.original) || (entry.committedAt && !entry.restoredAt)) continue;
      const view = views.get(host);
      const current = view?.fresh ?? view?.original;
      if (current?.status === "Available") inService++;
      else if (!entry.committedAt) downOnTheirOwn.push(host);
    }
    for (const key of this.pool.downManaged) {
      const host = ledger.hostOfKey.get(key);
      if (host !== undefined && !touched.has(host)) downOnTheirOwn.push(host);
    }
    // Drained ahead by the rollout: not accepting, but they accepted before and still serve.
    for (const host of record.drainedAhead ?? []) {
      if (touched.has(host)) continue;
      const key = ledger.hosts.get(host)?.key;
      const observed = key === undefined ? undefined : this.pool.byResourceKey(key);
      if (!observed || observed.allowNewSession) continue;
      if (observed.status === "Available") inService++;
      else downOnTheirOwn.push(host);
    }
    return { inService, downOnTheirOwn };
  }

  /** Which planned hosts the ledger shows done, per batch: recounted only when the ledger or the plan changed. */
  private planProgress(record: RolloutRecord, ledger: Ledger): PlanProgress {
    const current = this.plan;
    if (
      current &&
      current.ledger === ledger &&
      current.revision === record.revision &&
      current.planned === record.planned.length &&
      current.batchSize === record.params.batchSize
    )
      return current;
    const batches = batchesOf(record.planned, record.params.batchSize);
    const batchOf = new Map<string, number>();
    const done = new Set<string>();
    const doneInBatch = batches.map((hosts, index) => {
      let count = 0;
      for (const host of hosts) {
        batchOf.set(host, index);
        if (ledger.hosts.get(host)?.deployed.revision === record.revision) {
          done.add(host);
          count++;
        }
      }
      return count;
    });
    this.plan = {
      ledger,
      revision: record.revision,
      planned: record.planned.length,
      batchSize: record.params.batchSize,
      batches,
      batchOf,
      done,
      doneInBatch,
    };
    return this.plan;
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
      const since = now - ARRIVALS_WINDOW_MS;
      const sinceIso = new Date(since).toISOString();
      let recent = 0;
      for (const { createTime } of sessions) {
        if (!createTime) continue;
        // A time written as toISOString() writes it compares as text; any other form is parsed.
        if (createTime.length === sinceIso.length && createTime.endsWith("Z")) {
          if (createTime > sinceIso) recent++;
        } else if (Date.parse(createTime) > since) recent++;
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

/** Done: the ledger shows the target revision and nothing is left to do (no record entry). */
function doneHosts(plan: PlanProgress, record: RolloutRecord): HostSet {
  let size = plan.done.size;
  for (const host of Object.keys(record.hosts)) if (plan.done.has(host)) size--;
  return { has: (host) => plan.done.has(host) && record.hosts[host] === undefined, size };
}

function batchStatesOf(plan: PlanProgress, views: ReadonlyMap<string, HostView>): BatchState[] {
  const viewsOf = new Map<number, HostView[]>();
  for (const view of views.values()) {
    const list = viewsOf.get(view.batch);
    if (list) list.push(view);
    else viewsOf.set(view.batch, [view]);
  }
  return plan.batches.map((hosts, index) => {
    const touched = viewsOf.get(index) ?? [];
    let doneUntouched = plan.doneInBatch[index];
    for (const view of touched) if (plan.done.has(view.host)) doneUntouched--;
    const untouched = hosts.length - doneUntouched - touched.length;
    let remaining = untouched;
    let unnoticed = untouched;
    let noticedAt: number | null = null;
    let committedAt: number | null = null;
    let freed = untouched === 0;
    for (const view of touched) {
      const { phase } = view;
      if (phase !== "done" && phase !== "failed") remaining++;
      if (phase === "pending") unnoticed++;
      if (view.entry?.noticeAt) {
        const at = Date.parse(view.entry.noticeAt);
        noticedAt = noticedAt === null ? at : Math.min(noticedAt, at);
      }
      if (view.entry?.committedAt) {
        const at = Date.parse(view.entry.committedAt);
        committedAt = committedAt === null ? at : Math.max(committedAt, at);
      }
      if (phase !== "done" && phase !== "failed" && phase !== "restored") freed = false;
    }
    return { remaining, unnoticed, noticedAt, committedAt, freed, finished: remaining === 0 };
  });
}
