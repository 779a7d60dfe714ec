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
import { estimatingReplacementMs } from "./policies/noticeSchedule";
import type { Ports } from "./ports";
import { estimateProgress } from "./progress";
import type { ProgressSnapshot } from "./progress";
import type { RolloutRecord } from "./record";
import type { RecordStore } from "./recordStore";
import { backoffMs, waitAfter } from "./retryPolicy";
import type { DriverTuning } from "./tuning";

const MINUTE = 60_000;
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
      const gapEnd = this.lastStepAt + this.tuning.minStepIntervalMs;
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
    if (this.deps.runUntil !== undefined && obs.now >= this.deps.runUntil) {
      const handover = await this.handOver(obs);
      if (handover) return handover;
    } else {
      for (const action of decision.actions) this.launch(action, obs);
    }
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
  private async stepScheduled(record: RolloutRecord, now: number): Promise<number> {
    const startAt = Date.parse(record.params.startAt ?? record.startedAt);
    if (Number.isFinite(startAt) && now < startAt) {
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

  /**
   * The run's time is up: let the `up` in progress and the quick actions end, then release the
   * lease so the next run takes over at once. The rollout carries on from the record.
   */
  private async handOver(obs: Observation): Promise<RolloutOutcome | null> {
    if (this.running.size > 0) return null; // the loop wakes when they end
    await this.store.release();
    this.actuator.emit({
      type: "rollout.handover",
      reason: `the run's time box ended at ${new Date(obs.now).toISOString()}; run \`avd-rollout continue\` to carry on`,
    });
    return {
      ...outcomeOf(this.store.current, await this.observer.deployedHosts(), obs.done),
      result: "handover",
    };
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
