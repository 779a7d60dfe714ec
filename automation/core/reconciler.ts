/**
 * The level-triggered rollout loop (spec §5, §6): observe -> decide -> act, again and again.
 *
 * Each step re-reads the rollout record, observes the world (observer.ts), asks decide() — a pure
 * function — what to do, and launches those actions (act.ts) concurrently, one at a time per host
 * and one `up` at a time. The loop wakes when an action ends, when decide() said something comes
 * due, or at the heartbeat. Nothing is remembered between steps but what is in flight: a driver
 * that dies anywhere is replaced by one that decides the same from the record and the world.
 */
import type { Action } from "./actions";
import { actionKey } from "./actions";
import { Actuator } from "./act";
import { decide } from "./decide";
import type { Decision } from "./decide";
import type { DriverDeps, RolloutOutcome, Strategy } from "./driverTypes";
import { isTransient } from "./errors";
import type { HostSet, Observation } from "./observation";
import { Observer } from "./observer";
import type { HostPhase } from "./phase";
import { isBeforeUp } from "./phase";
import { estimatingReplacementMs } from "./policies/noticeSchedule";
import type { Ports } from "./ports";
import { estimateProgress } from "./progress";
import type { ProgressSnapshot } from "./progress";
import type { RolloutRecord } from "./record";
import type { RecordStore } from "./recordStore";
import { backoffMs, waitAfter } from "./retryPolicy";
import type { DriverTuning } from "./tuning";

const MINUTE = 60_000;
/**
 * A time-boxed run (`DriverDeps.runUntil`). From the end of its time box on it takes no host out
 * of service and starts no `up` of its own accord (decide() is told), but it sees through what it
 * began: the `up` in progress or, if none ran, one `up` for hosts it already took out — so that
 * no host sits deallocated through the wait for the next run — and it keeps doing meanwhile what
 * is still allowed (notices, sign-outs at their deadlines, steering, the steps of hosts already
 * out). Then it releases the lease and returns `handover`. Cut so, a rollout takes about as long
 * as uncut plus the waits between runs (test/timebox). The CLI's time box leaves room for one
 * `up` and these bounds:
 *
 * - the `up` for hosts already out may start at most this long after the time box ended (their
 *   sign-outs and deallocations finishing);
 */
export const TAIL_UP_START_WINDOW_MS = 5 * MINUTE;
/**
 * - while no replacement of the rollout has been measured yet, the run waits at most this long
 *   after its last `up` for its hosts to register and be restored: the first replacement sets the
 *   pace of every later notice, and measured across the wait for the next run it would push them
 *   all back (later ones are measured within a run; the schedule uses the fastest).
 */
export const HANDOVER_REGISTRATION_GRACE_MS = 5 * MINUTE;
/** Backoff of the loop when observing the world fails transiently (throttling). */
const OBSERVATION_BACKOFF = { baseBackoffMs: 5_000, maxBackoffMs: MINUTE };

interface Running {
  action: Action;
  hosts: readonly string[];
}

export class Reconciler {
  private readonly ports: Ports;
  private readonly strategy: Strategy;
  private readonly observer: Observer;
  private readonly actuator: Actuator;
  private readonly running = new Map<string, Running>();
  /** Hosts whose action ended since this step's observation began: the observation may predate it. */
  private readonly settled = new Map<string, string>();
  private fatal: unknown = null;
  private wakeUp: (() => void) | null = null;
  private lastStepAt = Number.NEGATIVE_INFINITY;
  private lastProgress = -1;
  private lastBlockedReport = Number.NEGATIVE_INFINITY;
  private observationFailures = 0;
  /** When an `up` this run started last ended. */
  private lastUpEndedAt = Number.NEGATIVE_INFINITY;
  /** An `up` ran past the time box (at most one does). */
  private upPastTimeBox = false;

  constructor(
    private readonly deps: DriverDeps,
    ports: Ports,
    private readonly tuning: DriverTuning,
    private readonly store: RecordStore,
    private readonly allHosts: readonly string[] | null,
  ) {
    this.ports = ports;
    this.strategy = deps.strategy ?? "avd-rollout";
    this.observer = new Observer(ports);
    this.actuator = new Actuator({
      ports,
      store,
      observer: this.observer,
      events: deps.events,
      tuning,
      strategy: this.strategy,
    });
  }

  /** Reports the start of the rollout (once, when it starts running). */
  async emitStarted(record: RolloutRecord): Promise<void> {
    this.actuator.emit({
      type: "rollout.started",
      hosts: [...(this.allHosts ?? (await this.hostNames(record)))],
      outOfDate: record.planned,
      batchSize: record.params.batchSize,
      logOffDelayMinutes: record.params.logOffDelayMinutes,
      deleteOriginalVm: record.params.deleteOriginalVm,
      revision: record.revision,
      owner: record.startedBy ?? record.owner,
      logOffMessage: record.params.logOffMessage,
      strategy: this.strategy,
    });
  }

  async run(): Promise<RolloutOutcome> {
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
        next =
          this.ports.clock.now() + waitAfter(error, backoffMs(this.observationFailures, OBSERVATION_BACKOFF));
      }
      if (typeof next !== "number") return next;
      await this.sleepUntil(next);
      // Actions ending at nearly the same moment are handled by one step, not one step each.
      const gapEnd = this.lastStepAt + stepGapMs(this.tuning.minStepIntervalMs, this.observer.poolSize);
      if (this.ports.clock.now() < gapEnd) await this.pause(gapEnd - this.ports.clock.now());
    }
  }

  // --- one step -------------------------------------------------------------------------------

  private async step(): Promise<number | RolloutOutcome> {
    this.settled.clear();
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
        // Ended by a control operation while we slept (a scheduled rollout cancelled, say).
        if (this.running.size === 0) return outcomeOf(record, await this.observer.deployedHosts());
        return now + this.tuning.pollIntervalMs;
    }

    const obs = await this.observer.observe(record, this.inFlight());
    this.reportProgress(obs);
    const decision = decide({
      obs,
      strategy: this.strategy,
      tuning: this.tuning,
      stopNewWorkAt: this.stopNewWorkAt(),
    });
    await this.reportBlocked(decision, obs);
    if (decision.finish !== null && this.running.size === 0) return this.finish(obs, decision.finish);
    if (this.timeIsUp(obs.now)) return this.stepPastTimeBox(obs, decision);
    for (const action of decision.actions) this.launch(action, obs);
    await this.heartbeat();
    return this.deps.runUntil === undefined ? decision.wakeAt : Math.min(decision.wakeAt, this.deps.runUntil);
  }

  private inFlight(): Observation["inFlight"] {
    const hosts = new Map<string, string>(this.settled);
    let up: string[] | null = null;
    for (const { action, hosts: names } of this.running.values()) {
      if (action.kind === "up") up = [...names];
      else for (const host of names) hosts.set(host, action.kind);
    }
    return { hosts, up };
  }

  /** The scheduled time has come: the capacity baseline is what serves now. */
  private async stepScheduled(record: RolloutRecord, now: number): Promise<number | RolloutOutcome> {
    const startAt = Date.parse(record.params.startAt ?? record.startedAt);
    if (Number.isFinite(startAt) && now < startAt) {
      // A time-boxed run that ends before the scheduled start hands the wait over too.
      if (this.timeIsUp(now)) return this.handOverScheduled(record, now);
      await this.heartbeat();
      const wake = Math.min(startAt, now + this.tuning.heartbeatIntervalMs);
      return this.deps.runUntil === undefined ? wake : Math.min(wake, this.deps.runUntil);
    }
    const [sessionHosts, ledger] = await Promise.all([
      this.ports.hostPool.listSessionHosts(),
      this.observer.deployedHosts(),
    ]);
    const known = new Set([...ledger.values()].map((d) => d.key));
    const baseline = sessionHosts.filter(
      (sh) => sh.status === "Available" && sh.allowNewSession && known.has(sh.resourceId.toLowerCase()),
    ).length;
    const started = await this.store.update((r) => {
      if (r.status !== "scheduled") return;
      r.status = "running";
      r.baselineAvailable = baseline;
      r.startedAt = new Date(now).toISOString();
    });
    if (started.status === "running") await this.emitStarted(started);
    return now;
  }

  private async hostNames(record: RolloutRecord): Promise<string[]> {
    const desired = new Set((await this.ports.stack.readDesired()).hosts);
    const deployed = [...(await this.observer.deployedHosts()).keys()].filter((h) => desired.has(h));
    const planned = new Set(record.planned);
    return [...record.planned, ...deployed.filter((h) => !planned.has(h))];
  }

  // --- acting -----------------------------------------------------------------------------------

  private launch(action: Action, obs: Observation): void {
    const key = actionKey(action);
    if (this.running.has(key)) return;
    const hosts = action.kind === "up" ? action.hosts : "host" in action ? [action.host] : [];
    this.running.set(key, { action, hosts });
    void (async () => {
      try {
        await this.actuator.run(action, obs);
      } catch (error) {
        this.fatal ??= error;
      } finally {
        this.running.delete(key);
        if (action.kind === "up") this.lastUpEndedAt = this.ports.clock.now();
        for (const host of hosts) this.settled.set(host, action.kind);
        this.wake();
      }
    })();
  }

  private async heartbeat(): Promise<void> {
    if (this.store.msSinceLastWrite >= this.tuning.heartbeatIntervalMs)
      await this.store.update(() => undefined);
  }

  // --- reporting ----------------------------------------------------------------------------------

  private progress(obs: Observation): ProgressSnapshot {
    const inFlight: Record<string, HostPhase> = {};
    let failed = 0;
    for (const view of obs.views.values()) {
      if (view.phase === "failed") failed++;
      else if (view.phase !== "pending" && view.phase !== "done") inFlight[view.host] = view.phase;
    }
    return estimateProgress({
      now: obs.now,
      total: obs.record.planned.length,
      completed: obs.done.size,
      failed,
      inFlight,
      batches: obs.batchStates,
      delayMs: obs.record.params.logOffDelayMinutes * MINUTE,
      replacementMs: estimatingReplacementMs(obs.record.stats, this.tuning.initialReplacementEstimateMs),
      strategy: this.strategy,
    });
  }

  private reportProgress(obs: Observation): void {
    const snapshot = this.progress(obs);
    if (snapshot.completed > this.lastProgress) {
      this.lastProgress = snapshot.completed;
      this.actuator.emit({
        type: "rollout.progress",
        completed: snapshot.completed,
        total: snapshot.total,
        percent: snapshot.percent,
      });
    }
    this.deps.onProgress?.(snapshot);
  }

  /** A rollout that cannot proceed says so: in the record (for `status`) and, now and then, in the log. */
  private async reportBlocked(decision: Decision, obs: Observation): Promise<void> {
    const current = obs.record.blocked;
    const blocked = decision.blocked;
    if (!blocked) {
      if (current) await this.store.update((r) => void delete r.blocked);
      return;
    }
    let since = current?.since;
    if (!current || current.waitingFor !== blocked.waitingFor || current.reason !== blocked.reason) {
      since = current?.waitingFor === blocked.waitingFor ? current.since : new Date(obs.now).toISOString();
      const state = { ...blocked, since };
      await this.store.update((r) => {
        r.blocked = state;
      });
    }
    if (obs.now - this.lastBlockedReport >= this.tuning.blockedReportIntervalMs) {
      this.lastBlockedReport = obs.now;
      this.actuator.emit({ type: "rollout.blocked", ...blocked, since: since as string });
    }
  }

  // --- ending -------------------------------------------------------------------------------------

  private async finish(obs: Observation, result: NonNullable<Decision["finish"]>): Promise<RolloutOutcome> {
    const written = await this.store.update((r) => {
      r.status = result;
      delete r.blocked;
    });
    if (result === "paused") this.actuator.emit({ type: "rollout.paused" });
    else {
      if (result === "cancelled") this.actuator.emit({ type: "rollout.cancelled" });
      this.actuator.emit({
        type: "rollout.finished",
        result,
        ...(result === "failed" ? { error: failureSummary(written) } : {}),
      });
    }
    return outcomeOf(written, await this.observer.deployedHosts(), obs.done);
  }

  /**
   * A time-boxed run starts no new work from its end on; an `up` still running then is let finish
   * (the caller leaves room for one in the time box it gives).
   */
  private stopNewWorkAt(): number | undefined {
    return this.deps.runUntil;
  }

  /** Whether this is a time-boxed run whose time box has ended. */
  private timeIsUp(now: number): boolean {
    return this.deps.runUntil !== undefined && now >= this.deps.runUntil;
  }

  /** A step past the time box (see TAIL_UP_START_WINDOW_MS): see through what was begun, then hand over. */
  private async stepPastTimeBox(obs: Observation, decision: Decision): Promise<number | RolloutOutcome> {
    if (obs.inFlight.up !== null) this.upPastTimeBox = true;
    const up = this.upPastTimeBoxFor(obs);
    if (up === null && !this.bringingHostsBack(obs)) {
      const handover = await this.handOver(obs);
      if (handover) return handover;
    } else {
      for (const action of decision.actions) this.launch(action, obs);
      if (up !== null) {
        this.upPastTimeBox = true;
        this.launch(up, obs);
      }
    }
    await this.heartbeat();
    // Woken earlier by every action that ends.
    let wakeAt = decision.wakeAt;
    for (const bound of this.timeBoxBounds()) if (bound > obs.now) wakeAt = Math.min(wakeAt, bound);
    return wakeAt;
  }

  /** The `up` a run may still start past its time box: for hosts already out, the first such, soon. */
  private upPastTimeBoxFor(obs: Observation): Action | null {
    if (this.upPastTimeBox || obs.inFlight.up !== null) return null;
    if (obs.now >= (this.deps.runUntil ?? 0) + TAIL_UP_START_WINDOW_MS) return null;
    // Without the time box decide() offers the next `up`; it only ever takes hosts already out.
    const unboxed = decide({ obs, strategy: this.strategy, tuning: this.tuning });
    return unboxed.actions.find((action) => action.kind === "up") ?? null;
  }

  /** Whether hosts this run took out (or brought up) may still come back before it hands over. */
  private bringingHostsBack(obs: Observation): boolean {
    if (obs.inFlight.up !== null) return true;
    const runUntil = this.deps.runUntil ?? 0;
    const mayStartUp = !this.upPastTimeBox && obs.now < runUntil + TAIL_UP_START_WINDOW_MS;
    const firstReplacement = (obs.record.stats?.count ?? 0) === 0;
    const registering = firstReplacement && obs.now < this.lastUpEndedAt + HANDOVER_REGISTRATION_GRACE_MS;
    for (const view of obs.views.values()) {
      if (view.phase === "failed" || !view.entry?.committedAt) continue;
      if (mayStartUp && isBeforeUp(view.phase) && this.batchIsOut(obs, view.batch)) return true;
      if (registering && !isBeforeUp(view.phase) && view.phase !== "done") return true;
    }
    return false;
  }

  /**
   * Whether a batch's `up` can still come: every host of it that is not done or failed already
   * left service (a batch goes up whole, and past the time box no more hosts leave), or the
   * rollout is stopping, when only the hosts already out go up.
   */
  private batchIsOut(obs: Observation, batch: number): boolean {
    if (obs.record.status !== "running") return true;
    return (obs.batches[batch] ?? []).every((host) => {
      if (obs.done.has(host)) return true;
      const view = obs.views.get(host);
      return view !== undefined && (view.phase === "failed" || view.entry?.committedAt !== undefined);
    });
  }

  /** The moments past the time box at which what the run may still do changes. */
  private timeBoxBounds(): number[] {
    return [
      (this.deps.runUntil ?? 0) + TAIL_UP_START_WINDOW_MS,
      this.lastUpEndedAt + HANDOVER_REGISTRATION_GRACE_MS,
    ];
  }

  /**
   * The run's time is up and no `up` is running: let the quick actions in flight end, then release
   * the lease so the next run takes over at once. The rollout carries on from the record.
   */
  private async handOver(obs: Observation): Promise<RolloutOutcome | null> {
    if (this.running.size > 0) return null; // the loop wakes when they end
    await this.store.release();
    this.emitHandover(obs.now);
    return {
      ...outcomeOf(this.store.current, await this.observer.deployedHosts(), obs.done),
      result: "handover",
    };
  }

  /** A scheduled rollout whose start lies beyond this run's time box: the next run waits on. */
  private async handOverScheduled(record: RolloutRecord, now: number): Promise<RolloutOutcome> {
    await this.store.release();
    this.emitHandover(now);
    return { result: "handover", rollout: record.id, updated: [], failed: [] };
  }

  private emitHandover(now: number): void {
    this.actuator.emit({
      type: "rollout.handover",
      reason: `the run's time box ended at ${new Date(now).toISOString()}; run \`avd-rollout continue\` to carry on`,
    });
  }

  // --- sleeping -----------------------------------------------------------------------------------

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
}

/** The outcome of a rollout from its record and the ledger. */
export function outcomeOf(
  record: RolloutRecord,
  ledger: ReadonlyMap<string, { deployed: { revision: string } }>,
  done?: HostSet,
): RolloutOutcome {
  const failed = record.planned.filter((host) => record.hosts[host]?.failed);
  const updated = record.planned.filter(
    (host) =>
      done?.has(host) ?? (!record.hosts[host] && ledger.get(host)?.deployed.revision === record.revision),
  );
  let result: RolloutOutcome["result"];
  switch (record.status) {
    case "succeeded":
    case "cancelled":
    case "paused":
      result = record.status;
      break;
    default:
      result = "failed";
  }
  return { result, rollout: record.id, updated, failed };
}

function failureSummary(record: RolloutRecord): string {
  if (record.error) return record.error;
  const failed = Object.entries(record.hosts).filter(([, e]) => e.failed);
  return failed.map(([host, e]) => `${host}: ${e.error ?? "failed"}`).join("; ") || "the rollout failed";
}

/**
 * Every step lists the pool's session hosts (at 10,000 hosts, ten ARM pages), so on a large pool
 * steps keep at least this far apart: 2 ms per session host, 20 s at 10,000 — well inside ARM's
 * read limits, and a few seconds on a notice or a replacement of tens of minutes. At most 2,500
 * hosts, the tuning's own minimum (5 s) applies.
 */
export function stepGapMs(minStepIntervalMs: number, sessionHosts: number): number {
  return Math.max(minStepIntervalMs, sessionHosts * STEP_GAP_PER_SESSION_HOST_MS);
}

const STEP_GAP_PER_SESSION_HOST_MS = 2;
