/**
 * The level-triggered rollout driver (spec §5, §6). Every step re-reads the rollout record and
 * observes the world (session hosts, user sessions, power states, stack ledger), derives each
 * host's phase (phase.ts), and starts the next actions. Long actions (an `up`, a deallocation)
 * run concurrently; the loop wakes when one finishes, when a deadline comes, or at the poll
 * interval. Facts that cannot be observed afterwards (notice times, notified sessions, original
 * drain/power state, commit times) are written to the record *before* acting on them, so a crash
 * anywhere resumes without losing a host, re-notifying a user or shortening a notice.
 */
import type { DriverDeps, RolloutOutcome, StartRequest, Strategy } from "./driver";
import { BusyError, InputError, isTransient } from "./errors";
import type { DriverEventBody, RolloutEvent } from "./events";
import { busyMessage, holdsPool, isActive, mayTakeOver } from "./lease";
import { deriveHostPhase, isFreshGeneration } from "./phase";
import type { HostPhase } from "./phase";
import {
  batchesOf,
  indexSessionHostsByResource,
  isServing,
  planRollout,
  resourceKey,
  withinBudget,
} from "./planner";
import { RecordConflictError } from "./ports";
import type { DeployedHost, Ports, PowerState, SessionHostInfo, UserSessionInfo } from "./ports";
import { estimateProgress } from "./progress";
import type { ProgressSnapshot } from "./progress";
import type { HostRecord, RolloutRecord } from "./record";
import { RecordStore } from "./recordStore";
import type { RecordMutation } from "./recordStore";
import { backoffMs, classifyError, errorMessage, isTransientMessage, mayRetry } from "./retryPolicy";
import {
  batchesDueForNotice,
  estimatingReplacementMs,
  projectSchedule,
  schedulingReplacementMs,
} from "./schedule";
import type { BatchProgress } from "./schedule";
import { resolveTuning } from "./tuning";
import { withTransientRetries } from "./retryingPorts";
import type { DriverTuning } from "./tuning";
import { validateParameters } from "./parameters";

const MINUTE = 60_000;
/** Backoff of the reconcile loop when observing the world fails transiently (throttling). */
const OBSERVATION_BACKOFF = { baseBackoffMs: 5_000, maxBackoffMs: MINUTE };
/** A noticed host's sessions are re-listed at least this often, even when their count is unchanged. */
const SESSION_RELIST_MS = 5 * MINUTE;

// ---------------------------------------------------------------------------------------------
// Public entry points
// ---------------------------------------------------------------------------------------------

/** Plans, takes the lease and runs a new rollout until it finishes, fails, pauses or is cancelled. */
export async function startRollout(deps: DriverDeps, request: StartRequest): Promise<RolloutOutcome> {
  const ports = withTransientRetries(deps.ports);
  const tuning = resolveTuning(deps.tuning);
  const stored = await ports.hostPool.readRecord();
  if (holdsPool(stored.record)) {
    throw new BusyError(busyMessage(stored.record, ports.clock.now(), tuning.leaseStaleAfterMs));
  }
  const [desired, deployed, sessionHosts] = await Promise.all([
    ports.stack.readDesired(),
    ports.stack.readDeployedHosts(),
    ports.hostPool.listSessionHosts(),
  ]);
  const params = validateParameters(desired.update, request, ports.clock.now());
  const plan = planRollout({ deployed, desired, sessionHosts, batchSize: params.batchSize });
  if (plan.outOfDate.length === 0) return { result: "nothingToDo", rollout: null, updated: [], failed: [] };

  // Refuse before anything changes if the program would touch hosts outside the first batch.
  const verdict = await ports.stack.preview({
    index: 0,
    hosts: batchesOf(plan.outOfDate, params.batchSize)[0],
  });
  if (verdict.outsideBatchChanges.length > 0)
    throw new InputError(previewRefusal(0, verdict.outsideBatchChanges));

  const now = ports.clock.now();
  const scheduled = params.startAt !== undefined && Date.parse(params.startAt) > now;
  const nowIso = iso(now);
  const record: RolloutRecord = {
    version: 1,
    id: `rollout-${nowIso.replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")}`,
    status: scheduled ? "scheduled" : "running",
    revision: plan.revision,
    params,
    owner: deps.owner,
    heartbeat: nowIso,
    startedAt: scheduled ? (params.startAt as string) : nowIso,
    planned: plan.outOfDate,
    hosts: {},
    baselineAvailable: plan.baselineAvailable,
    stats: { count: 0, totalMs: 0 },
    startedBatches: [],
    finishedBatches: [],
  };
  const etag = await createRecord(ports, record, stored.etag, tuning.leaseStaleAfterMs);
  const driver = new Reconciler(
    deps,
    tuning,
    new RecordStore(ports.hostPool, ports.clock, deps.owner, record, etag),
  );
  if (!scheduled) driver.emitStarted(record, plan.hosts);
  return driver.run(plan.hosts);
}

/**
 * Writes a new rollout record where none holds the pool. A throttled or failed write may still
 * have been applied: on a conflict the record is re-read, and if it is this very record, that is
 * success; if another rollout got there first, the pool is busy.
 */
async function createRecord(
  ports: Ports,
  record: RolloutRecord,
  etag: string | null,
  staleAfterMs: number,
): Promise<string> {
  let expected = etag;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ports.hostPool.writeRecord(record, expected);
    } catch (error) {
      const conflict = error instanceof RecordConflictError;
      if (!conflict && (!isTransient(error) || attempt >= 5)) throw error;
      if (!conflict) await ports.clock.sleep(2_000 * 2 ** (attempt - 1));
      const again = await ports.hostPool.readRecord();
      if (again.record?.id === record.id && again.record.owner === record.owner && again.etag)
        return again.etag;
      if (holdsPool(again.record))
        throw new BusyError(busyMessage(again.record, ports.clock.now(), staleAfterMs));
      if (attempt >= 5) throw error;
      expected = again.etag;
    }
  }
}

/**
 * Picks up the rollout recorded on the pool — after a crash, after `resume`/`retry`, or from
 * another machine once the holder's heartbeat is stale — from observed state and the record alone.
 */
export async function continueRollout(deps: DriverDeps): Promise<RolloutOutcome> {
  const ports = withTransientRetries(deps.ports);
  const tuning = resolveTuning(deps.tuning);
  const stored = await ports.hostPool.readRecord();
  const record = stored.record;
  if (!record) return { result: "nothingToDo", rollout: null, updated: [], failed: [] };
  if (!isActive(record.status)) return outcomeOfFinished(ports, record);
  const verdict = mayTakeOver(record, deps.owner, ports.clock.now(), tuning.leaseStaleAfterMs);
  if (!verdict.allowed) throw new BusyError(verdict.reason);
  const store = new RecordStore(ports.hostPool, ports.clock, deps.owner, record, stored.etag);
  await store.update(() => undefined); // take (or renew) the lease: a conditional write
  const driver = new Reconciler(deps, tuning, store);
  return driver.run(null);
}

/** The outcome of a rollout that is not running (finished, paused or failed), from record and ledger. */
async function outcomeOfFinished(ports: Ports, record: RolloutRecord): Promise<RolloutOutcome> {
  const failed = record.planned.filter((host) => record.hosts[host]?.failed);
  const result =
    record.status === "succeeded" || record.status === "cancelled" || record.status === "paused"
      ? record.status
      : "failed";
  const deployed = new Map((await ports.stack.readDeployedHosts()).map((d) => [d.host, d]));
  const updated = record.planned.filter(
    (host) => !record.hosts[host] && deployed.get(host)?.revision === record.revision,
  );
  return { result, rollout: record.id, updated, failed };
}

export function previewRefusal(batch: number, outside: readonly string[]): string {
  const shown = outside.slice(0, 10).join(", ");
  const more = outside.length > 10 ? ` and ${outside.length - 10} more` : "";
  return (
    `refusing batch ${batch}: the preview shows resources outside the batch that would be replaced or deleted: ${shown}${more}. ` +
    `Nothing was changed. Check the stack configuration (a plain \`pulumi up\` must never replace existing hosts) and run \`avd-rollout drift\`.`
  );
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------
// The reconcile loop
// ---------------------------------------------------------------------------------------------

interface HostView {
  host: string;
  batch: number;
  entry: HostRecord | undefined;
  deployed: DeployedHost | undefined;
  /** Session host of the original VM (the one being replaced), when in the pool. */
  originalSessionHost: SessionHostInfo | undefined;
  /** Session host of the new generation, when registered. */
  newSessionHost: SessionHostInfo | undefined;
  phase: HostPhase;
}

interface Observation {
  now: number;
  record: RolloutRecord;
  views: HostView[];
  viewByHost: Map<string, HostView>;
  sessionHosts: SessionHostInfo[];
  /** User sessions by session host name, for the hosts whose sessions were listed. */
  sessions: Map<string, UserSessionInfo[]>;
  batches: string[][];
  progress: BatchProgress[];
}

class Reconciler {
  private readonly ports: Ports;
  private readonly strategy: Strategy;
  private readonly inflight = new Map<string, Promise<void>>();
  /** Hosts whose commit (leaving service) is being written: they count as unavailable already. */
  private readonly committing = new Set<string>();
  /**
   * Hosts whose action ended since this step's observation began: the observation may predate
   * what the action wrote, so they wait for the next step (which the action's end triggers).
   */
  private readonly settled = new Set<string>();
  /** Hosts whose batch notice is being delivered. */
  private readonly noticing = new Set<string>();
  /** Hosts inside the running `up`. */
  private readonly provisioning = new Set<string>();
  private readonly retryAt = new Map<string, number>();
  private readonly drainedEmitted = new Set<string>();
  private readonly signedOutEmitted = new Set<string>();
  private deployedCache: DeployedHost[] | null = null;
  private deployedIndexCache: {
    source: DeployedHost[];
    index: Map<string, { deployed: DeployedHost; key: string }>;
    keys: Set<string>;
  } | null = null;
  /** Session count of each noticed host when its sessions were last listed (an optimisation only). */
  private readonly sessionListing = new Map<string, { count: number; at: number }>();
  private lastStepAt = Number.NEGATIVE_INFINITY;
  private fatal: unknown = null;
  private wakeUp: (() => void) | null = null;
  private lastProgress = -1;
  private observationFailures = 0;
  private allHosts: string[] | null = null;

  constructor(
    private readonly deps: DriverDeps,
    private readonly tuning: DriverTuning,
    private readonly store: RecordStore,
  ) {
    this.ports = withTransientRetries(deps.ports);
    this.strategy = deps.strategy ?? "avd-rollout";
  }

  // --- events -------------------------------------------------------------------------------

  private emit(event: DriverEventBody): void {
    this.deps.events.emit({
      t: iso(this.ports.clock.now()),
      rollout: this.store.current.id,
      ...event,
    } as RolloutEvent);
  }

  emitStarted(record: RolloutRecord, hosts: string[]): void {
    this.emit({
      type: "rollout.started",
      hosts,
      outOfDate: record.planned,
      batchSize: record.params.batchSize,
      logOffDelayMinutes: record.params.logOffDelayMinutes,
      deleteOriginalVm: record.params.deleteOriginalVm,
      revision: record.revision,
    });
  }

  private get delayMs(): number {
    return this.store.current.params.logOffDelayMinutes * MINUTE;
  }

  // --- main loop ----------------------------------------------------------------------------

  async run(allHosts: string[] | null): Promise<RolloutOutcome> {
    this.allHosts = allHosts;
    for (;;) {
      this.throwIfFatal();
      let next: number | RolloutOutcome;
      try {
        next = await this.step();
        this.observationFailures = 0;
      } catch (error) {
        this.throwIfFatal();
        if (!isTransient(error)) throw error;
        this.observationFailures++;
        if (this.observationFailures > this.tuning.maxObservationFailures) throw error;
        next = this.ports.clock.now() + backoffMs(this.observationFailures, OBSERVATION_BACKOFF);
      }
      if (typeof next !== "number") return next;
      await this.sleepUntil(next);
      // Actions finishing at nearly the same moment are handled by one step, not one step each.
      const gapEnd = this.lastStepAt + this.tuning.minStepIntervalMs;
      if (this.ports.clock.now() < gapEnd) await this.pause(gapEnd - this.ports.clock.now());
    }
  }

  private async pause(ms: number): Promise<void> {
    try {
      await this.ports.clock.sleep(ms);
    } catch (error) {
      this.fatal ??= error;
    }
    this.throwIfFatal();
  }

  private throwIfFatal(): void {
    if (this.fatal !== null) throw this.fatal;
  }

  private async sleepUntil(at: number): Promise<void> {
    const ms = Math.max(1, at - this.ports.clock.now());
    const woken = new Promise<void>((resolve) => {
      this.wakeUp = resolve;
    });
    // A crash rejects the sleep too (simulated world): surface it through `fatal`.
    const slept = this.ports.clock.sleep(ms).catch((error: unknown) => {
      this.fatal ??= error;
    });
    await Promise.race([slept, woken]);
    this.wakeUp = null;
  }

  private wake(): void {
    this.wakeUp?.();
  }

  /**
   * Runs an action concurrently; one per key. Whatever escapes its own handling is fatal. Its end
   * wakes the loop (something may proceed now) unless `wake` is false — for actions whose end
   * unblocks nothing, such as notifying late arrivals, so they do not add reconcile steps.
   */
  private launch(key: string, action: () => Promise<void>, wake = true): void {
    if (this.inflight.has(key)) return;
    const running = (async () => {
      try {
        await action();
      } catch (error) {
        this.fatal ??= error;
      } finally {
        this.inflight.delete(key);
        if (key.startsWith("host:")) this.settled.add(key.slice("host:".length));
        if (wake || this.fatal !== null) this.wake();
      }
    })();
    this.inflight.set(key, running);
  }

  private busy(host: string): boolean {
    return (
      this.inflight.has(`host:${host}`) ||
      this.provisioning.has(host) ||
      this.noticing.has(host) ||
      this.settled.has(host)
    );
  }

  /** One reconcile step: returns the time to wake at, or the outcome when the rollout ended. */
  private async step(): Promise<number | RolloutOutcome> {
    this.settled.clear();
    // A finished commit has written `committedAt`, which the refreshed record shows.
    for (const host of this.committing) if (!this.inflight.has(`host:${host}`)) this.committing.delete(host);
    const record = await this.store.refresh();
    const now = this.ports.clock.now();
    this.lastStepAt = now;

    switch (record.status) {
      case "scheduled":
        return this.stepScheduled(record, now);
      case "running":
      case "pausing":
      case "cancelling":
        break;
      default:
        // Ended by a control operation while we slept (e.g. a scheduled rollout cancelled).
        if (this.inflight.size === 0) return outcomeOfFinished(this.ports, record);
        return now + this.tuning.pollIntervalMs;
    }

    const obs = await this.observe(record, now);
    this.reportProgress(obs);
    await this.emitFinishedBatches(obs);

    const failedHosts = obs.views.filter((v) => v.phase === "failed");
    const stopping = record.status !== "running" || failedHosts.length > 0 || record.error !== undefined;

    if (stopping) {
      await this.withdrawNotices(obs);
      const inFlight = obs.views.some(
        (v) => v.entry?.committedAt && v.phase !== "done" && v.phase !== "failed",
      );
      if (!inFlight && this.inflight.size === 0) return this.finish(obs);
    } else if (obs.views.every((v) => v.phase === "done") && this.inflight.size === 0) {
      return this.finish(obs);
    }

    this.startActions(obs, stopping);
    await this.heartbeat();
    return this.nextWake(obs);
  }

  private async stepScheduled(record: RolloutRecord, now: number): Promise<number> {
    const startAt = Date.parse(record.params.startAt ?? record.startedAt);
    if (Number.isFinite(startAt) && now < startAt) {
      await this.heartbeat();
      return Math.min(startAt, now + this.tuning.heartbeatIntervalMs);
    }
    // The scheduled time has come: the capacity baseline is what is available now.
    const [sessionHosts, index] = await Promise.all([
      this.ports.hostPool.listSessionHosts(),
      this.deployedIndex(),
    ]);
    const known = new Set([...index.values()].map((d) => d.key));
    const baseline = sessionHosts.filter(
      (sh) => isServing(sh) && known.has(resourceKey(sh.resourceId)),
    ).length;
    const started = await this.store.update((r) => {
      if (r.status !== "scheduled") return;
      r.status = "running";
      r.baselineAvailable = baseline;
      r.startedAt = iso(now);
    });
    if (started.status === "running") this.emitStarted(started, await this.hostNames());
    return now;
  }

  private async hostNames(): Promise<string[]> {
    if (this.allHosts) return this.allHosts;
    const deployed = await this.deployed();
    const desired = await this.ports.stack.readDesired();
    const wanted = new Set(desired.hosts);
    const plan = planRollout({
      deployed: deployed.filter((d) => wanted.has(d.host)),
      desired,
      sessionHosts: [],
      batchSize: 1,
    });
    this.allHosts = plan.hosts;
    return plan.hosts;
  }

  private async heartbeat(): Promise<void> {
    if (this.store.msSinceLastWrite >= this.tuning.heartbeatIntervalMs)
      await this.store.update(() => undefined);
  }

  private async deployed(): Promise<DeployedHost[]> {
    // The ledger changes only through our own `up`s (the lease guarantees it): re-read after each.
    if (!this.deployedCache) this.deployedCache = await this.ports.stack.readDeployedHosts();
    return this.deployedCache;
  }

  // --- observation --------------------------------------------------------------------------

  private async observe(record: RolloutRecord, now: number): Promise<Observation> {
    const [sessionHosts, deployedIndex] = await Promise.all([
      this.ports.hostPool.listSessionHosts(),
      this.deployedIndex(),
    ]);
    const byResource = indexSessionHostsByResource(sessionHosts);
    const batches = batchesOf(record.planned, record.params.batchSize);
    const batchSize = record.params.batchSize;

    const partial = record.planned.map((host, index) => {
      const entry = record.hosts[host];
      const indexed = deployedIndex.get(host);
      const dep = indexed?.deployed;
      const batch = index === 0 ? 0 : Math.floor((index - 1) / batchSize) + 1;
      if (!entry) {
        // Untouched or done: only its current session host matters.
        const originalSessionHost = indexed ? byResource.get(indexed.key) : undefined;
        return {
          host,
          batch,
          entry,
          deployed: dep,
          originalSessionHost,
          newSessionHost: undefined,
          fresh: false,
        };
      }
      const originalKey = entry.originalVm ? resourceKey(entry.originalVm.resourceId) : indexed?.key;
      const originalSessionHost = originalKey ? byResource.get(originalKey) : undefined;
      const fresh = isFreshGeneration(entry, dep);
      const newSessionHost = fresh && indexed ? byResource.get(indexed.key) : undefined;
      return { host, batch, entry, deployed: dep, originalSessionHost, newSessionHost, fresh };
    });

    // Power states only where the phase depends on them: committed originals that left the pool.
    const needPower = partial.filter(
      (p) =>
        p.entry?.committedAt &&
        !p.entry.failed &&
        !p.fresh &&
        !p.originalSessionHost &&
        p.entry.originalVm &&
        !this.busy(p.host),
    );
    const powers = await Promise.all(
      needPower.map((p) =>
        this.ports.compute.getPowerState((p.entry?.originalVm as { resourceId: string }).resourceId),
      ),
    );
    const powerByHost = new Map(needPower.map((p, i) => [p.host, powers[i]]));

    const views: HostView[] = partial.map((p) => {
      let phase = deriveHostPhase({
        target: record.revision,
        entry: p.entry,
        deployed: p.deployed,
        originalSessionHost: p.originalSessionHost,
        originalPower: powerByHost.get(p.host),
      });
      if (this.provisioning.has(p.host) && phase !== "failed") phase = "provisioning";
      return {
        host: p.host,
        batch: p.batch,
        entry: p.entry,
        deployed: p.deployed,
        originalSessionHost: p.originalSessionHost,
        newSessionHost: p.newSessionHost,
        phase,
      };
    });

    // User sessions of hosts under notice, to notify late arrivals. Listing every host every step
    // would cost O(sessions) per step: a host is re-listed when its session count changed since
    // its last listing, or after SESSION_RELIST_MS (a sign-in and a sign-out can cancel out).
    const needSessions = views.filter((v) => {
      const sh = v.originalSessionHost;
      if (v.phase !== "noticed" || !sh || sh.sessions === 0 || this.busy(v.host)) return false;
      const last = this.sessionListing.get(v.host);
      return !last || last.count !== sh.sessions || now - last.at >= SESSION_RELIST_MS;
    });
    const sessions = new Map<string, UserSessionInfo[]>();
    const lists = await Promise.all(
      needSessions.map((v) =>
        this.ports.hostPool.listUserSessions((v.originalSessionHost as SessionHostInfo).name),
      ),
    );
    needSessions.forEach((v, i) => {
      sessions.set((v.originalSessionHost as SessionHostInfo).name, lists[i]);
      this.sessionListing.set(v.host, {
        count: (v.originalSessionHost as SessionHostInfo).sessions,
        at: now,
      });
    });

    const viewByHost = new Map(views.map((v) => [v.host, v]));
    return {
      now,
      record,
      views,
      viewByHost,
      sessionHosts,
      sessions,
      batches,
      progress: batchProgressOf(batches, viewByHost),
    };
  }

  /** The ledger indexed by host, with normalised resource ids (rebuilt only after an `up`). */
  private async deployedIndex(): Promise<Map<string, { deployed: DeployedHost; key: string }>> {
    const deployed = await this.deployed();
    if (this.deployedIndexCache?.source !== deployed) {
      const index = new Map(deployed.map((d) => [d.host, { deployed: d, key: resourceKey(d.vmResourceId) }]));
      this.deployedIndexCache = {
        source: deployed,
        index,
        keys: new Set([...index.values()].map((d) => d.key)),
      };
    }
    return this.deployedIndexCache.index;
  }

  /**
   * Available hosts as the budget counts them: every serving session host, except hosts that
   * were committed to leave service and are not restored yet (their new generation may look
   * serving before its drain mode and power state are restored).
   */
  private effectiveAvailable(obs: Observation): number {
    // Only session hosts of VMs we know (the ledger's, and originals being replaced) count: a new
    // generation registering while its `up` still runs is not in the ledger yet, and may be about
    // to be restored to drained or deallocated. The baseline is counted the same way.
    const known = this.knownVmKeys(obs);
    let available = 0;
    for (const sh of obs.sessionHosts)
      if (isServing(sh) && known.has(resourceKey(sh.resourceId))) available++;
    for (const v of obs.views) {
      const committed = v.entry?.committedAt !== undefined || this.committing.has(v.host);
      if (!committed || v.phase === "done") continue;
      if (isServing(v.originalSessionHost)) available--;
      const restoredServing = v.phase === "restored" && v.entry?.originallyAvailable !== false;
      if (isServing(v.newSessionHost) && !restoredServing) available--;
    }
    return available;
  }

  private knownVmKeys(obs: Observation): Set<string> {
    const known = new Set<string>(this.deployedIndexCache?.keys ?? []);
    for (const v of obs.views) if (v.entry?.originalVm) known.add(resourceKey(v.entry.originalVm.resourceId));
    return known;
  }

  private progressSnapshot(obs: Observation): ProgressSnapshot {
    return estimateProgress({
      now: obs.now,
      phases: new Map(obs.views.map((v) => [v.host, v.phase])),
      batches: obs.progress,
      delayMs: this.delayMs,
      replacementMs: estimatingReplacementMs(obs.record.stats, this.tuning.initialReplacementEstimateMs),
      strategy: this.strategy,
    });
  }

  private reportProgress(obs: Observation): void {
    const snapshot = this.progressSnapshot(obs);
    if (snapshot.completed > this.lastProgress) {
      this.lastProgress = snapshot.completed;
      this.emit({
        type: "rollout.progress",
        completed: snapshot.completed,
        total: snapshot.total,
        percent: snapshot.percent,
      });
    }
    this.deps.onProgress?.(snapshot);
  }

  private async emitFinishedBatches(obs: Observation): Promise<void> {
    const finished = new Set(obs.record.finishedBatches ?? []);
    const started = new Set(obs.record.startedBatches ?? []);
    const newly = obs.batches
      .map((hosts, index) => ({ hosts, index }))
      .filter(({ index }) => started.has(index) && !finished.has(index))
      .filter(({ hosts }) =>
        hosts.every((h) => {
          const phase = obs.viewByHost.get(h)?.phase;
          return phase === "done" || phase === "failed";
        }),
      )
      .map(({ index }) => index);
    if (newly.length === 0) return;
    await this.store.update((r) => {
      const set = new Set(r.finishedBatches ?? []);
      for (const index of newly) set.add(index);
      r.finishedBatches = [...set].sort((a, b) => a - b);
    });
    for (const index of newly) this.emit({ type: "batch.finished", batch: index });
  }

  // --- ending -------------------------------------------------------------------------------

  /** Takes back notices of hosts that have not left service (pause, cancel, failure). */
  private async withdrawNotices(obs: Observation): Promise<void> {
    const withdraw = obs.views.filter(
      (v) => v.entry && !v.entry.committedAt && !v.entry.failed && !this.busy(v.host),
    );
    if (withdraw.length === 0) return;
    const names = new Set(withdraw.map((v) => v.host));
    await this.store.update((r) => {
      for (const host of names) {
        const entry = r.hosts[host];
        if (entry && !entry.committedAt && !entry.failed) {
          if (entry.attempts) r.hosts[host] = { attempts: entry.attempts, batch: entry.batch };
          else delete r.hosts[host];
        }
      }
      // The batch keeps its `batch.started` (emitted once): on resume its hosts are noticed afresh.
    });
  }

  private async finish(obs: Observation): Promise<RolloutOutcome> {
    const failed = obs.views.filter((v) => v.phase === "failed").map((v) => v.host);
    const updated = obs.views.filter((v) => v.phase === "done").map((v) => v.host);
    const status = obs.record.status;
    let result: RolloutOutcome["result"];
    if (updated.length === obs.views.length) result = "succeeded";
    else if (status === "cancelling") result = "cancelled";
    else if (failed.length > 0 || obs.record.error !== undefined) result = "failed";
    else if (status === "pausing") result = "paused";
    else result = "failed";

    const written = await this.store.update((r) => {
      r.status = result === "paused" ? "paused" : (result as "succeeded" | "failed" | "cancelled");
    });
    if (result === "paused") this.emit({ type: "rollout.paused" });
    else {
      if (result === "cancelled") this.emit({ type: "rollout.cancelled" });
      this.emit({ type: "rollout.finished", result: result as "succeeded" | "failed" | "cancelled" });
    }
    return { result, rollout: written.id, updated, failed };
  }

  // --- deciding -----------------------------------------------------------------------------

  private startActions(obs: Observation, stopping: boolean): void {
    const { now } = obs;
    const ready = (host: string) => !this.busy(host) && (this.retryAt.get(host) ?? 0) <= now;

    for (const v of obs.views) {
      if (!ready(v.host)) continue;
      switch (v.phase) {
        case "noticed":
          if (v.entry?.noticePending) this.launch(`host:${v.host}`, () => this.renotice(v));
          else if (v.entry?.noticeSending)
            this.launch(`host:${v.host}`, () => this.confirmInterruptedNotice(v));
          else if (this.hasUnnotified(obs, v))
            this.launch(`host:${v.host}`, () => this.notifyLateArrivals(obs, v), false);
          break;
        case "draining":
        case "drained":
          this.launch(`host:${v.host}`, () => this.evacuate(v));
          break;
        case "removed":
          this.launch(`host:${v.host}`, () => this.deallocateOriginal(v));
          break;
        case "registering":
          if (v.newSessionHost?.status === "Available")
            this.launch(`host:${v.host}`, () => this.registerAndRestore(v));
          else if (v.entry?.provisionedAt === undefined)
            this.launch(`host:${v.host}`, () => this.markProvisioned([v.host]));
          else if (now - Date.parse(v.entry.provisionedAt) > this.tuning.registrationTimeoutMs)
            this.launch(`host:${v.host}`, () => this.registrationTimedOut(v));
          break;
        case "registered":
          this.launch(`host:${v.host}`, () => this.registerAndRestore(v));
          break;
        case "restored":
          this.launch(`host:${v.host}`, () => this.handleOriginal(v));
          break;
        default:
          break;
      }
    }

    this.guardRegistrations(obs);
    if (!stopping) {
      this.startNotices(obs);
      this.startCommits(obs);
    }
    this.startUp(obs, stopping);
  }

  /**
   * A new generation registers accepting sessions. For a host that was drained or deallocated,
   * drain it as soon as it appears — during its `up` it is not in the ledger yet, so it is found by
   * its session host name (AVD's key: the host's FQDN, the same as the original's).
   */
  private guardRegistrations(obs: Observation): void {
    const guarded = obs.views.filter(
      (v) =>
        (v.phase === "provisioning" || v.phase === "registering") &&
        v.entry?.originallyAvailable === false &&
        v.entry.originalSessionHostName !== undefined,
    );
    if (guarded.length === 0) return;
    const byName = new Map(obs.sessionHosts.map((sh) => [sh.name.toLowerCase(), sh]));
    for (const v of guarded) {
      const entry = v.entry as HostRecord;
      const sh = v.newSessionHost ?? byName.get((entry.originalSessionHostName as string).toLowerCase());
      if (!sh || !sh.allowNewSession) continue;
      if (entry.originalVm && resourceKey(sh.resourceId) === resourceKey(entry.originalVm.resourceId))
        continue;
      this.launch(`guard:${v.host}`, async () => {
        try {
          await this.ports.hostPool.setDrainMode(sh.name, true);
        } catch (error) {
          if (classifyError(error) === "fatal") throw error;
          // Not critical: the restore step drains it again.
        }
      });
    }
  }

  private hasUnnotified(obs: Observation, v: HostView): boolean {
    const sh = v.originalSessionHost;
    if (!sh) return false;
    const list = obs.sessions.get(sh.name);
    if (!list) return false;
    const notified = new Set(this.store.current.hosts[v.host]?.notifiedSessions ?? []);
    return list.some((s) => !notified.has(s.id));
  }

  private scheduleInput(obs: Observation) {
    return {
      batches: obs.progress,
      now: obs.now,
      delayMs: this.delayMs,
      replacementMs: schedulingReplacementMs(obs.record.stats, this.tuning.initialReplacementEstimateMs),
      strategy: this.strategy,
    };
  }

  private startNotices(obs: Observation): void {
    if (this.inflight.has("notice")) return;
    const due = batchesDueForNotice(this.scheduleInput(obs), (index) =>
      obs.batches[index].some((h) => this.busy(h) || (this.retryAt.get(h) ?? 0) > obs.now),
    );
    if (due.length === 0) return;
    this.launch("notice", () => this.notifyBatches(obs, due));
  }

  private startCommits(obs: Observation): void {
    const { now } = obs;
    let available = this.effectiveAvailable(obs);
    const baseline = obs.record.baselineAvailable ?? available;
    const batchSize = obs.record.params.batchSize;
    const initialBack =
      obs.batches.length > 0 &&
      obs.batches[0].every((h) => {
        const phase = obs.viewByHost.get(h)?.phase;
        return phase === "restored" || phase === "done";
      });

    for (let b = 0; b < obs.batches.length; b++) {
      if (b > 0 && !initialBack) return;
      const views = obs.batches[b].map((h) => obs.viewByHost.get(h) as HostView);
      for (const v of views) {
        if (v.phase !== "noticed" || v.entry?.noticePending || v.entry?.noticeSending || this.busy(v.host))
          continue;
        if ((this.retryAt.get(v.host) ?? 0) > now) continue;
        const deadline = Date.parse(v.entry?.notifiedAt as string) + this.delayMs;
        const sessionsGone = (v.originalSessionHost?.sessions ?? 0) === 0;
        const mayGo = now >= deadline || (this.strategy !== "azure" && sessionsGone);
        if (!mayGo) continue;
        const serving = isServing(v.originalSessionHost);
        const cost = serving ? 1 : 0;
        if (!withinBudget(baseline, available, batchSize, cost)) return;
        available -= cost;
        this.committing.add(v.host);
        this.launch(`host:${v.host}`, () => this.commit(v));
      }
      // Later batches wait until every host of this one has left service (plan order).
      const allGone = views.every(
        (v) => (v.phase !== "pending" && v.phase !== "noticed") || this.committing.has(v.host),
      );
      if (!allGone) return;
    }
  }

  private startUp(obs: Observation, stopping: boolean): void {
    if (this.inflight.has("up")) return;
    for (let b = 0; b < obs.batches.length; b++) {
      const views = obs.batches[b].map((h) => obs.viewByHost.get(h) as HostView);
      // When stopping, hosts that never left service stay out of it: the batch goes up without them.
      const open = views.filter(
        (v) =>
          v.phase !== "done" &&
          v.phase !== "failed" &&
          !(stopping && (v.phase === "pending" || v.phase === "noticed")),
      );
      const waiting = open.filter((v) => v.phase === "deallocated");
      if (waiting.length === 0) {
        // Later batches never go up before this one has (plan order), unless it is past its up.
        if (open.some((v) => isBeforeUp(v.phase))) return;
        continue;
      }
      // The whole batch goes up together: wait for its slowest host.
      if (open.some((v) => isBeforeUp(v.phase) && v.phase !== "deallocated")) return;
      if (waiting.some((v) => this.busy(v.host) || (this.retryAt.get(v.host) ?? 0) > obs.now)) return;
      this.launch("up", () =>
        this.up(
          b,
          waiting.map((v) => v.host),
        ),
      );
      return;
    }
  }

  private nextWake(obs: Observation): number {
    const { now } = obs;
    let wake = now + this.tuning.heartbeatIntervalMs;
    const poll = now + this.tuning.pollIntervalMs;
    const fastPoll = now + this.tuning.registrationPollIntervalMs;
    for (const v of obs.views) {
      if (
        v.phase === "registering" ||
        v.phase === "registered" ||
        v.phase === "draining" ||
        (v.phase === "provisioning" && v.entry?.originallyAvailable === false)
      )
        wake = Math.min(wake, fastPoll);
      if (
        v.phase === "noticed" ||
        v.phase === "draining" ||
        v.phase === "drained" ||
        v.phase === "registering"
      ) {
        wake = Math.min(wake, poll);
        if (v.entry?.notifiedAt) {
          const deadline = Date.parse(v.entry.notifiedAt) + this.delayMs;
          if (deadline > now) wake = Math.min(wake, deadline);
        }
      }
    }
    for (const at of this.retryAt.values()) if (at > now) wake = Math.min(wake, at);
    const projection = projectSchedule(this.scheduleInput(obs));
    const progress = obs.progress;
    for (let i = 0; i < progress.length; i++) {
      if (progress[i].noticedAt === null && progress[i].committedAt === null && !progress[i].finished) {
        const at = projection.batches[i].noticeAt;
        if (at > now) wake = Math.min(wake, at);
        break;
      }
    }
    return wake;
  }

  // --- failures -----------------------------------------------------------------------------

  /** Transient: count an attempt and back off (or fail when exhausted). Permanent: fail. Fatal: rethrow. */
  private async hostFailure(hosts: string[], error: unknown, transientOverride?: boolean): Promise<void> {
    const kind =
      transientOverride === undefined ? classifyError(error) : transientOverride ? "transient" : "permanent";
    if (kind === "fatal") throw error;
    await this.recordFailure(hosts, errorMessage(error), kind === "transient");
  }

  private async recordFailure(hosts: string[], message: string, transient: boolean): Promise<void> {
    const now = this.ports.clock.now();
    const outcomes = new Map<string, { attempt: number; failed: boolean }>();
    await this.store.update((r) => {
      for (const host of hosts) {
        const entry: HostRecord = r.hosts[host] ?? {};
        const attempt = (entry.attempts ?? 0) + 1;
        entry.attempts = attempt;
        entry.error = message;
        const failed = !transient || !mayRetry(attempt, this.tuning.maxAttempts);
        if (failed) entry.failed = true;
        r.hosts[host] = entry;
        outcomes.set(host, { attempt, failed });
      }
    });
    for (const [host, { attempt, failed }] of outcomes) {
      if (failed) {
        this.emit({ type: "host.failed", host, error: message });
      } else {
        this.retryAt.set(host, now + backoffMs(attempt, this.tuning));
        this.emit({ type: "host.retry", host, attempt: attempt + 1 });
      }
    }
  }

  // --- actions ------------------------------------------------------------------------------

  private noticeBody(deadline: number, now: number): string {
    const message = this.store.current.params.logOffMessage;
    const minutes = Math.ceil((deadline - now) / MINUTE);
    if (minutes <= 0) return `${message} You will be signed out shortly.`;
    const at = iso(deadline).slice(11, 16);
    return `${message} You will be signed out at ${at} UTC (in ${minutes} minute${minutes === 1 ? "" : "s"}).`;
  }

  /** Sends the message to each session; a message that cannot be delivered is not retried (at most once). */
  private async sendNotices(sessionHost: string, sessionIds: string[], deadline: number): Promise<number> {
    const now = this.ports.clock.now();
    const body = this.noticeBody(deadline, now);
    const results = await Promise.all(
      sessionIds.map(async (id) => {
        try {
          await this.ports.hostPool.sendMessage(sessionHost, id, this.tuning.messageTitle, body);
          return 1;
        } catch (error) {
          if (classifyError(error) === "fatal") throw error;
          return 0; // session gone or message refused: its notice time is still recorded
        }
      }),
    );
    return results.reduce<number>((a, b) => a + b, 0);
  }

  private async notifyBatches(obs: Observation, batchIndexes: number[]): Promise<void> {
    for (const b of batchIndexes) {
      const hosts = obs.batches[b].filter((h) => obs.viewByHost.get(h)?.phase === "pending");
      if (hosts.length === 0) continue;
      for (const h of hosts) this.noticing.add(h);
      try {
        await this.notifyBatch(obs, b, hosts);
      } catch (error) {
        await this.hostFailure(hosts, error);
        return;
      } finally {
        for (const h of hosts) {
          this.noticing.delete(h);
          this.settled.add(h);
        }
      }
    }
  }

  /**
   * Starts the notice of a batch, crash-safe in two writes: first the notice time and the host's
   * original facts, marked pending; then — after listing the sessions — who is notified, clearing
   * the mark; only then the messages go out (each session at most once). A driver that finds the
   * mark (it crashed before recording who is notified, so no message went out) starts that host's
   * notice again from then: a later deadline, never an earlier one.
   */
  private async notifyBatch(obs: Observation, batch: number, hosts: string[]): Promise<void> {
    const views = hosts.map((h) => obs.viewByHost.get(h) as HostView);
    // Facts to remember before touching anything: original VM, drain mode, power state.
    const powers = await Promise.all(
      views.map((v) => this.ports.compute.getPowerState((v.deployed as DeployedHost).vmResourceId)),
    );
    const notifiedAt = iso(this.ports.clock.now());
    await this.store.update((r) => {
      r.startedBatches = [...new Set([...(r.startedBatches ?? []), batch])].sort((a, b) => a - b);
      views.forEach((v, i) => {
        const previous = r.hosts[v.host];
        if (previous?.notifiedAt || previous?.failed) return;
        const dep = v.deployed as DeployedHost;
        const sh = v.originalSessionHost;
        r.hosts[v.host] = {
          ...(previous?.attempts ? { attempts: previous.attempts } : {}),
          batch,
          notifiedAt,
          noticePending: true,
          originalVm: { name: dep.vmName, resourceId: dep.vmResourceId },
          originalAllowNewSession: sh ? sh.allowNewSession : true,
          ...(sh ? { originalSessionHostName: sh.name } : {}),
          originalPowerState: originalPower(powers[i]),
          originallyAvailable: isServing(sh, powers[i]),
        };
      });
    });
    if (!(obs.record.startedBatches ?? []).includes(batch))
      this.emit({ type: "batch.started", batch, hosts: obs.batches[batch] });
    await this.deliverNotices(views, Date.parse(notifiedAt));
  }

  /** Lists the hosts' sessions, messages them, and records who was notified (clearing `noticePending`). */
  private async deliverNotices(views: HostView[], notifiedAt: number): Promise<void> {
    const deadline = notifiedAt + this.delayMs;
    const listed = await Promise.all(
      views.map(async (v) => {
        const sh = v.originalSessionHost;
        return sh ? (await this.ports.hostPool.listUserSessions(sh.name)).map((s) => s.id) : [];
      }),
    );
    // Who is notified is recorded before any message goes out: each session at most once.
    await this.store.update((r) => {
      views.forEach((v, i) => {
        const entry = r.hosts[v.host];
        if (!entry) return;
        entry.notifiedSessions = [...new Set([...(entry.notifiedSessions ?? []), ...listed[i]])];
        delete entry.noticePending;
        entry.noticeSending = true;
      });
    });
    await Promise.all(
      views.map(async (v, i) => {
        this.emit({
          type: "host.notified",
          host: v.host,
          sessions: listed[i].length,
          sessionIds: listed[i],
          deadline: iso(deadline),
        });
        const sh = v.originalSessionHost;
        if (sh && listed[i].length > 0) await this.sendNotices(sh.name, listed[i], deadline);
      }),
    );
    await this.store.update((r) => {
      for (const v of views) if (r.hosts[v.host]) delete r.hosts[v.host].noticeSending;
    });
  }

  /**
   * The driver died between recording who is notified and confirming the messages went out: it
   * cannot know which did, and a second message is worse than none, so nobody is messaged again.
   * The notice stands (same deadline) and is reported, with no new sessions, in case its event was
   * lost too.
   */
  private async confirmInterruptedNotice(v: HostView): Promise<void> {
    const entry = v.entry as HostRecord;
    const deadline = Date.parse(entry.notifiedAt as string) + this.delayMs;
    await this.store.update((r) => {
      if (r.hosts[v.host]) delete r.hosts[v.host].noticeSending;
    });
    this.emit({ type: "host.notified", host: v.host, sessions: 0, sessionIds: [], deadline: iso(deadline) });
  }

  /** A notice whose delivery was interrupted (crash) starts again now: later deadline, never earlier. */
  private async renotice(v: HostView): Promise<void> {
    try {
      const notifiedAt = iso(this.ports.clock.now());
      await this.store.update((r) => {
        const entry = r.hosts[v.host];
        if (entry?.noticePending && !entry.committedAt) entry.notifiedAt = notifiedAt;
      });
      await this.deliverNotices([v], Date.parse(notifiedAt));
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }

  /** Sessions that arrived during the wait are notified once, with the time that remains. */
  private async notifyLateArrivals(obs: Observation, v: HostView): Promise<void> {
    const sh = v.originalSessionHost as SessionHostInfo;
    // The freshest record, not the step's snapshot: a notice may have been recorded meanwhile.
    const entry = this.store.current.hosts[v.host];
    if (!entry || entry.noticePending) return;
    const notified = new Set(entry.notifiedSessions ?? []);
    const fresh = (obs.sessions.get(sh.name) ?? []).filter((s) => !notified.has(s.id)).map((s) => s.id);
    if (fresh.length === 0) return;
    await this.notifySessions(v.host, sh.name, fresh);
  }

  /**
   * Notifies late arrivals. Their ids are recorded as notified before the messages go out (at most
   * once each); a crash in between can cost a late arrival its message, never anyone else's time.
   */
  private async notifySessions(host: string, sessionHost: string, ids: string[]): Promise<void> {
    try {
      const written = await this.store.update((r) => {
        const entry = r.hosts[host];
        if (!entry) return;
        entry.notifiedSessions = [...new Set([...(entry.notifiedSessions ?? []), ...ids])];
      });
      const entry = written.hosts[host];
      if (!entry?.notifiedAt) return;
      const deadline = Date.parse(entry.notifiedAt) + this.delayMs;
      this.emit({
        type: "host.notified",
        host,
        sessions: ids.length,
        sessionIds: ids,
        deadline: iso(deadline),
      });
      await this.sendNotices(sessionHost, ids, Math.max(deadline, this.ports.clock.now()));
    } catch (error) {
      await this.hostFailure([host], error);
    }
  }

  private async commit(v: HostView): Promise<void> {
    try {
      const written = await this.store.update((r) => {
        const entry = r.hosts[v.host];
        if (entry && !entry.committedAt) entry.committedAt = iso(this.ports.clock.now());
      });
      const entry = written.hosts[v.host];
      if (!entry?.committedAt) return;
      await this.evacuate({ ...v, entry, phase: "draining" });
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }

  /**
   * Drain (re-asserted), then — once the notice has run out — notify anyone not yet notified and
   * sign the remaining sessions out, then remove the host from the pool. Draining first closes
   * the door, so no one can sign in between the sign-out and the removal.
   */
  private async evacuate(v: HostView): Promise<void> {
    const sh = v.originalSessionHost;
    const entry = v.entry as HostRecord;
    try {
      if (sh) {
        if (sh.allowNewSession) await this.ports.hostPool.setDrainMode(sh.name, true);
        if (!this.drainedEmitted.has(v.host)) {
          this.drainedEmitted.add(v.host);
          this.emit({ type: "host.drained", host: v.host });
        }
        let sessions = await this.ports.hostPool.listUserSessions(sh.name);
        const deadline = Date.parse(entry.notifiedAt as string) + this.delayMs;
        const notified = new Set(entry.notifiedSessions ?? []);
        const unnotified = sessions.filter((s) => !notified.has(s.id)).map((s) => s.id);
        if (unnotified.length > 0) await this.notifySessions(v.host, sh.name, unnotified);
        if (sessions.length > 0) {
          if (this.ports.clock.now() < deadline) return; // never sign anyone out before the notice ran out
          await Promise.all(sessions.map((s) => this.ports.hostPool.signOut(sh.name, s.id)));
          this.signedOutEmitted.add(v.host);
          this.emit({ type: "host.signedOut", host: v.host, forced: sessions.length });
          sessions = await this.ports.hostPool.listUserSessions(sh.name);
          if (sessions.length > 0) return; // sign-outs still completing: next step
        }
        if (!this.signedOutEmitted.has(v.host)) {
          this.signedOutEmitted.add(v.host);
          this.emit({ type: "host.signedOut", host: v.host, forced: 0 });
        }
        await this.ports.hostPool.removeSessionHost(sh.name);
      }
      this.emit({ type: "host.removed", host: v.host });
      await this.deallocateOriginal({ ...v, entry });
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }

  private async deallocateOriginal(v: HostView): Promise<void> {
    const original = v.entry?.originalVm;
    if (!original) return;
    try {
      const power = await this.ports.compute.getPowerState(original.resourceId);
      if (power === "deallocated" || power === "notFound") return;
      await this.ports.compute.deallocate(original.resourceId);
      this.emit({ type: "vm.deallocated", host: v.host, vm: original.name });
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }

  private async up(batch: number, hosts: string[]): Promise<void> {
    for (const h of hosts) this.provisioning.add(h);
    try {
      let result: { result: "succeeded" | "failed"; error?: string; failedHosts?: Record<string, string> };
      let thrownTransient: boolean | undefined;
      try {
        const desired = await this.ports.stack.readDesired();
        if (desired.revision !== this.store.current.revision) {
          await this.failRollout(
            hosts,
            `the stack configuration changed during the rollout (revision ${this.store.current.revision} -> ${desired.revision}); ` +
              `cancel this rollout and start a new one`,
          );
          return;
        }
        await this.ports.hostPool.ensureRegistrationToken(this.tuning.registrationTokenValidityMinutes);
        const verdict = await this.ports.stack.preview({ index: batch, hosts });
        if (verdict.outsideBatchChanges.length > 0) {
          await this.failRollout(hosts, previewRefusal(batch, verdict.outsideBatchChanges));
          return;
        }
        this.emit({ type: "stack.up", batch, hosts });
        result = await this.ports.stack.up({ index: batch, hosts });
      } catch (error) {
        if (classifyError(error) === "fatal") throw error;
        thrownTransient = isTransient(error);
        result = { result: "failed", error: errorMessage(error) };
        this.emit({ type: "stack.upFinished", batch, result: "failed" });
        await this.recordFailure(hosts, result.error as string, thrownTransient);
        return;
      }
      this.emit({ type: "stack.upFinished", batch, result: result.result });
      this.deployedCache = null;
      const deployed = new Map((await this.deployed()).map((d) => [d.host, d]));
      const record = this.store.current;
      const replaced = hosts.filter((h) => isFreshGeneration(record.hosts[h], deployed.get(h)));
      const failedHosts = result.failedHosts ?? {};
      const failed = hosts.filter(
        (h) => !replaced.includes(h) || (result.result === "failed" && h in failedHosts),
      );
      const good = hosts.filter((h) => !failed.includes(h));
      if (good.length > 0) await this.markProvisioned(good);
      for (const h of failed) {
        const message =
          failedHosts[h] ??
          result.error ??
          `the up of batch ${batch} succeeded but did not create a new generation of ${h}`;
        const fresh = replaced.includes(h) ? deployed.get(h) : undefined;
        if (fresh) await this.discard(h, fresh);
        await this.recordFailure(
          [h],
          message,
          isTransientMessage(message) || (result.result === "succeeded" && !fresh),
        );
      }
    } finally {
      for (const h of hosts) {
        this.provisioning.delete(h);
        this.settled.add(h);
      }
    }
  }

  private async failRollout(hosts: string[], message: string): Promise<void> {
    await this.store.update((r) => {
      r.error = message;
    });
    await this.recordFailure(hosts, message, false);
  }

  private async markProvisioned(hosts: string[]): Promise<void> {
    const at = iso(this.ports.clock.now());
    await this.store.update((r) => {
      for (const h of hosts) {
        const entry = r.hosts[h];
        if (entry && !entry.provisionedAt) entry.provisionedAt = at;
      }
    });
  }

  /** Gives up on a new generation: forget it in the record first, then take it out of the pool and delete it. */
  private async discard(host: string, vm: DeployedHost, sessionHost?: SessionHostInfo): Promise<void> {
    await this.store.update((r) => {
      const entry = r.hosts[host];
      if (!entry) return;
      const list = entry.discardedVms ?? [];
      if (!list.some((d) => resourceKey(d.resourceId) === resourceKey(vm.vmResourceId))) {
        entry.discardedVms = [...list, { name: vm.vmName, resourceId: vm.vmResourceId }];
      }
      delete entry.provisionedAt;
      delete entry.registeredAt;
    });
    if (sessionHost) await this.ports.hostPool.removeSessionHost(sessionHost.name);
    await this.ports.compute.deleteVm(vm.vmResourceId);
  }

  private async registrationTimedOut(v: HostView): Promise<void> {
    const minutes = Math.round(this.tuning.registrationTimeoutMs / MINUTE);
    const message = `${v.host}: the new session host ${v.deployed?.vmName ?? ""} did not become Available within ${minutes} minutes (registration timeout)`;
    try {
      if (v.deployed) await this.discard(v.host, v.deployed, v.newSessionHost);
      await this.recordFailure([v.host], message, true);
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }

  /** The new generation is Available: record it, then restore the original drain mode and power state. */
  private async registerAndRestore(v: HostView): Promise<void> {
    const dep = v.deployed as DeployedHost;
    let entry = v.entry as HostRecord;
    try {
      if (!entry.registeredAt) {
        const written = await this.store.update((r) => {
          const e = r.hosts[v.host];
          if (e && !e.registeredAt) e.registeredAt = iso(this.ports.clock.now());
        });
        entry = written.hosts[v.host] ?? entry;
        this.emit({ type: "host.registered", host: v.host, vm: dep.vmName });
      }
      const wantAllow = entry.originalAllowNewSession ?? true;
      const wantPower = entry.originalPowerState ?? "running";
      const sh = v.newSessionHost;
      if (wantPower === "deallocated") {
        // Back to deallocated: close the door first. Users who signed in while it registered get
        // a notice like anyone else, and the VM goes down only when they are gone or it ran out.
        if (sh?.allowNewSession) await this.ports.hostPool.setDrainMode(sh.name, true);
        if (sh && !(await this.evacuateBeforeDeallocation(v.host, sh.name, entry))) return;
        const power = await this.ports.compute.getPowerState(dep.vmResourceId);
        if (power !== "deallocated") await this.ports.compute.deallocate(dep.vmResourceId);
        if (sh && wantAllow) await this.ports.hostPool.setDrainMode(sh.name, false);
      } else if (sh && sh.allowNewSession !== wantAllow) {
        await this.ports.hostPool.setDrainMode(sh.name, !wantAllow);
      }
      const now = this.ports.clock.now();
      // Two overlapping steps can both reach here; only the one that records the restore reports it.
      let restoredHere = false;
      await this.store.update((r) => {
        // Re-run on every write attempt: only the attempt that lands decides.
        restoredHere = false;
        const e = r.hosts[v.host];
        if (!e || e.restoredAt) return;
        e.restoredAt = iso(now);
        restoredHere = true;
        if (e.committedAt) {
          const took = now - Date.parse(e.committedAt);
          const stats = r.stats ?? { count: 0, totalMs: 0 };
          r.stats = {
            count: stats.count + 1,
            totalMs: stats.totalMs + took,
            minMs: stats.minMs === undefined ? took : Math.min(stats.minMs, took),
          };
        }
      });
      if (!restoredHere) return;
      this.emit({
        type: "host.ready",
        host: v.host,
        vm: dep.vmName,
        allowNewSession: wantAllow,
        powerState: wantPower,
      });
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }

  /**
   * Sessions on a new generation that must return to deallocated (they signed in during its
   * registration): notified once with their own notice, signed out when it ran out. Returns true
   * when the host is empty.
   */
  private async evacuateBeforeDeallocation(
    host: string,
    sessionHost: string,
    entry: HostRecord,
  ): Promise<boolean> {
    const sessions = await this.ports.hostPool.listUserSessions(sessionHost);
    if (sessions.length === 0) return true;
    const now = this.ports.clock.now();
    const known = new Set(entry.restoreNotifiedSessions ?? []);
    const fresh = sessions.filter((s) => !known.has(s.id)).map((s) => s.id);
    let noticeAt = entry.restoreNoticeAt ? Date.parse(entry.restoreNoticeAt) : now;
    if (fresh.length > 0) {
      const written = await this.store.update((r) => {
        const e = r.hosts[host];
        if (!e) return;
        e.restoreNoticeAt ??= iso(now);
        e.restoreNotifiedSessions = [...new Set([...(e.restoreNotifiedSessions ?? []), ...fresh])];
      });
      noticeAt = Date.parse(written.hosts[host]?.restoreNoticeAt ?? iso(now));
      const deadline = noticeAt + this.delayMs;
      this.emit({
        type: "host.notified",
        host,
        sessions: fresh.length,
        sessionIds: fresh,
        deadline: iso(deadline),
      });
      await this.sendNotices(sessionHost, fresh, Math.max(deadline, now));
    }
    if (this.ports.clock.now() < noticeAt + this.delayMs) return false;
    await Promise.all(sessions.map((s) => this.ports.hostPool.signOut(sessionHost, s.id)));
    this.emit({ type: "host.signedOut", host, forced: sessions.length });
    return (await this.ports.hostPool.listUserSessions(sessionHost)).length === 0;
  }

  /** Delete the original VM (with NIC and disk) or keep it deallocated, then the host is done. */
  private async handleOriginal(v: HostView): Promise<void> {
    const entry = v.entry as HostRecord;
    const original = entry.originalVm;
    try {
      if (original) {
        if (this.store.current.params.deleteOriginalVm) {
          await this.ports.compute.deleteVm(original.resourceId);
          this.emit({ type: "vm.deleted", host: v.host, vm: original.name });
        } else {
          const power = await this.ports.compute.getPowerState(original.resourceId);
          if (power !== "deallocated" && power !== "notFound")
            await this.ports.compute.deallocate(original.resourceId);
          this.emit({ type: "vm.retained", host: v.host, vm: original.name });
        }
      }
      for (const vm of entry.discardedVms ?? []) await this.ports.compute.deleteVm(vm.resourceId);
      const done: RecordMutation = (r) => {
        delete r.hosts[v.host];
      };
      await this.store.update(done);
    } catch (error) {
      await this.hostFailure([v.host], error);
    }
  }
}

/** Per-batch state for the schedule projection. */
function batchProgressOf(batches: string[][], viewByHost: Map<string, HostView>): BatchProgress[] {
  return batches.map((hosts) => {
    let remaining = 0;
    let noticedAt: number | null = null;
    let committedAt: number | null = null;
    let freed = true;
    for (const host of hosts) {
      const v = viewByHost.get(host) as HostView;
      if (v.phase !== "done" && v.phase !== "failed") remaining++;
      if (v.entry?.notifiedAt) {
        const at = Date.parse(v.entry.notifiedAt);
        noticedAt = noticedAt === null ? at : Math.min(noticedAt, at);
      }
      if (v.entry?.committedAt) {
        const at = Date.parse(v.entry.committedAt);
        committedAt = committedAt === null ? at : Math.max(committedAt, at);
      }
      if (!(v.phase === "done" || v.phase === "failed" || v.phase === "restored")) freed = false;
    }
    return { remaining, noticedAt, committedAt, freed, finished: remaining === 0 };
  });
}

/** Phases of a host whose batch `up` has not happened yet. */
function isBeforeUp(phase: HostPhase): boolean {
  return (
    phase === "pending" ||
    phase === "noticed" ||
    phase === "draining" ||
    phase === "drained" ||
    phase === "removed" ||
    phase === "deallocated"
  );
}

function originalPower(power: PowerState | "notFound"): "running" | "deallocated" {
  return power === "running" || power === "starting" ? "running" : "deallocated";
}
