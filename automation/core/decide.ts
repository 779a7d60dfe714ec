/**
 * decide(): the rollout's policy as one pure function of (observation, parameters, now) — the
 * record is part of the observation — to the actions to take and when to look again. No I/O, no
 * clock, no hidden state: the same input always gives the same decision, so a driver that
 * resumes after a crash, on another machine, decides what this one would have.
 *
 * Where to read the policy:
 * - when a batch's notice starts:               policies/noticeSchedule.ts (batchesDueForNotice)
 * - when a host under notice is drained:        policies/steering.ts (decideSteering)
 * - when a host leaves service (commits):       policies/budget.ts (selectCommits) + `readyToLeave` here
 * - which sessions are told, and when they may be signed out: policies/notices.ts
 * - what each host does next in its replacement: `hostActions` here
 */
import type { Action } from "./actions";
import { isServing } from "./planner";
import type { Strategy } from "./strategy";
import type { HostView, Observation } from "./observation";
import { isBeforeUp } from "./phase";
import { budgetLeft, countsForBudget, selectCommits } from "./policies/budget";
import type { CommitCandidate } from "./policies/budget";
import {
  firstNoticeRunOut,
  nextDeadline,
  sessionsPastDeadline,
  unconfirmedGroups,
  unnotifiedSessions,
} from "./policies/notices";
import {
  batchesDueForNotice,
  projectSchedule,
  schedulingReplacementMs,
  slotHasCome,
} from "./policies/noticeSchedule";
import type { ScheduleInput } from "./policies/noticeSchedule";
import { decideSteering } from "./policies/steering";
import type { SteeringHost } from "./policies/steering";
import type { SessionHostInfo } from "./ports";
import { MAX_TRACKED_BATCHES, type BlockedState } from "./record";
import type { DriverTuning } from "./tuning";

const MINUTE = 60_000;
/** Sign-ins within this time are "about to come": a tight pool lets a host under notice accept again for them. */
const IMMINENT_MS = 10 * MINUTE;

export type DecisionTuning = Pick<
  DriverTuning,
  | "pollIntervalMs"
  | "registrationPollIntervalMs"
  | "heartbeatIntervalMs"
  | "initialReplacementEstimateMs"
  | "registrationTimeoutMs"
  | "preDrainHorizonMs"
  | "noticeAheadNeedsUpdatedRoom"
>;

export interface DecideInput {
  obs: Observation;
  strategy: Strategy;
  tuning: DecisionTuning;
  /** A time-boxed run: no host leaves service and no `up` starts from this time on. */
  stopNewWorkAt?: number;
}

export type FinishResult = "succeeded" | "failed" | "cancelled" | "paused";

export interface Decision {
  actions: Action[];
  /** When to look again, at the latest (an action ending wakes the loop earlier). */
  wakeAt: number;
  /** The rollout ends now with this result (nothing in flight, nothing left to do). */
  finish: FinishResult | null;
  /** Why nothing can proceed, when that is so (`since` is the caller's to keep). */
  blocked: Omit<BlockedState, "since"> | null;
}

export function decide(input: DecideInput): Decision {
  const { obs, strategy, tuning } = input;
  const { now, record } = obs;
  const delayMs = record.params.logOffDelayMinutes * MINUTE;
  const busy = (host: string): boolean =>
    obs.inFlight.hosts.has(host) || (obs.inFlight.up?.includes(host) ?? false);
  const backingOff = (view: HostView): boolean =>
    view.entry?.retryAt !== undefined && Date.parse(view.entry.retryAt) > now;
  const idle = (view: HostView): boolean => !busy(view.host) && !backingOff(view);

  const views = [...obs.views.values()];
  const failed = views.filter((v) => v.phase === "failed");
  const stopping = record.status !== "running" || failed.length > 0 || record.error !== undefined;
  const actions: Action[] = [];
  const wake = new WakeTimes(now, tuning.heartbeatIntervalMs);

  for (const view of views) {
    if (view.entry?.retryAt !== undefined) wake.at(Date.parse(view.entry.retryAt));
    if (!idle(view)) continue;
    actions.push(...hostActions(view, { now, delayMs, stopping, tuning, wake }));
  }

  // Stopping: hosts drained ahead of their notice accept new sessions again.
  if (stopping)
    for (const host of record.drainedAhead ?? []) if (!busy(host)) actions.push({ kind: "withdraw", host });

  const finishedBatches = newlyFinishedBatches(obs);
  if (finishedBatches.length > 0) actions.push({ kind: "finishBatches", batches: finishedBatches });

  const nothingInFlight = obs.inFlight.hosts.size === 0 && obs.inFlight.up === null;
  const allDone = obs.done.size === record.planned.length;
  if (nothingInFlight && actions.length === 0) {
    const committedOpen = views.some((v) => v.entry?.committedAt && v.phase !== "failed");
    if (allDone) return { actions, wakeAt: now, finish: "succeeded", blocked: null };
    if (stopping && !committedOpen) {
      let finish: FinishResult = "failed";
      if (record.status === "cancelling") finish = "cancelled";
      else if (failed.length === 0 && record.error === undefined && record.status === "pausing")
        finish = "paused";
      return { actions, wakeAt: now, finish, blocked: null };
    }
  }

  const stoppedForTime = input.stopNewWorkAt !== undefined && now >= input.stopNewWorkAt;
  if (input.stopNewWorkAt !== undefined && !stoppedForTime) wake.at(input.stopNewWorkAt);
  let blocked: Decision["blocked"] = null;
  if (!stopping) {
    const plan = planNewWork(obs, { strategy, tuning, delayMs, busy, idle, stoppedForTime, wake });
    actions.push(...plan.actions);
    blocked = plan.blocked;
  }
  const up = stoppedForTime ? null : nextUp(obs, stopping, idle);
  if (up) actions.push(up);
  return { actions, wakeAt: wake.earliest, finish: null, blocked };
}

// ---------------------------------------------------------------------------------------------
// One host's next step in its replacement
// ---------------------------------------------------------------------------------------------

interface HostContext {
  now: number;
  delayMs: number;
  stopping: boolean;
  tuning: DecisionTuning;
  wake: WakeTimes;
}

function hostActions(view: HostView, ctx: HostContext): Action[] {
  const { host, entry } = view;
  const { now, delayMs, tuning, wake } = ctx;
  switch (view.phase) {
    case "pending":
      return [];

    case "noticed": {
      if (unconfirmedGroups(entry?.notices).length > 0)
        return [{ kind: "confirmNotice", host, restore: false }];
      if (ctx.stopping) return [{ kind: "withdraw", host }];
      // The notice started but died before its first message group was recorded: carry it on.
      if ((entry?.notices ?? []).length === 0)
        return [{ kind: "startNotice", host, batch: entry?.batch ?? view.batch, steer: false }];
      wake.at(now + tuning.pollIntervalMs);
      const first = entry?.notices?.[0]?.sentAt;
      if (first) wake.at(Date.parse(first) + delayMs);
      const fresh = unnotifiedSessions(
        (view.sessions ?? []).map((s) => s.id),
        entry?.notices,
      );
      return fresh.length > 0 ? [{ kind: "notifyArrivals", host, sessionIds: fresh, restore: false }] : [];
    }

    case "draining":
    case "drained": {
      if (unconfirmedGroups(entry?.notices).length > 0)
        return [{ kind: "confirmNotice", host, restore: false }];
      wake.at(now + tuning.registrationPollIntervalMs);
      const sessionHost = view.original;
      const listed = (view.sessions ?? []).map((s) => s.id);
      const needsEvacuation =
        sessionHost === undefined ||
        sessionHost.allowNewSession ||
        sessionHost.sessions === 0 ||
        unnotifiedSessions(listed, entry?.notices).length > 0 ||
        sessionsPastDeadline(listed, entry?.notices, delayMs, now).length > 0;
      if (needsEvacuation) return [{ kind: "evacuate", host }];
      const next = nextDeadline(entry?.notices, delayMs, now, listed);
      if (next !== null) wake.at(next);
      return [];
    }

    case "removed":
      return [{ kind: "deallocateOriginal", host }];

    case "registering": {
      wake.at(now + tuning.registrationPollIntervalMs);
      if (view.fresh?.status === "Available") return [{ kind: "restore", host }];
      if (entry?.provisionedAt === undefined) return [{ kind: "markProvisioned", host }];
      const timeoutAt = Date.parse(entry.provisionedAt) + tuning.registrationTimeoutMs;
      if (now > timeoutAt) return [{ kind: "registrationTimeout", host }];
      wake.at(timeoutAt + 1);
      return guard(view);
    }

    case "provisioning":
      wake.at(now + tuning.registrationPollIntervalMs);
      return guard(view);

    case "registered": {
      // Back to deallocated: users who signed in while it registered get a notice like anyone.
      if (entry?.original?.powerState !== "deallocated" || (view.fresh?.sessions ?? 0) === 0)
        return [{ kind: "restore", host }];
      if (unconfirmedGroups(entry.restoreNotices).length > 0)
        return [{ kind: "confirmNotice", host, restore: true }];
      const listed = (view.freshSessions ?? []).map((s) => s.id);
      const fresh = unnotifiedSessions(listed, entry.restoreNotices);
      if (fresh.length > 0) return [{ kind: "notifyArrivals", host, sessionIds: fresh, restore: true }];
      if (sessionsPastDeadline(listed, entry.restoreNotices, delayMs, now).length > 0)
        return [{ kind: "restore", host }];
      wake.at(now + tuning.pollIntervalMs);
      const next = nextDeadline(entry.restoreNotices, delayMs, now, listed);
      if (next !== null) wake.at(next);
      return [];
    }

    case "restored":
      return [{ kind: "finalize", host }];

    default:
      return [];
  }
}

/** A new generation that registers accepting sessions while it should not: drain it at once. */
function guard(view: HostView): Action[] {
  const original = view.entry?.original;
  const early = view.fresh ?? view.early;
  if (!original || countsForBudget(original) || !early?.allowNewSession) return [];
  return [{ kind: "guardRegistration", host: view.host, sessionHost: early.name }];
}

// ---------------------------------------------------------------------------------------------
// New work: notices, steering, commits
// ---------------------------------------------------------------------------------------------

interface PlanContext {
  strategy: Strategy;
  tuning: DecisionTuning;
  delayMs: number;
  busy: (host: string) => boolean;
  idle: (view: HostView) => boolean;
  stoppedForTime: boolean;
  wake: WakeTimes;
}

function planNewWork(
  obs: Observation,
  ctx: PlanContext,
): { actions: Action[]; blocked: Decision["blocked"] } {
  const { now, record } = obs;
  const actions: Action[] = [];

  // Which hosts' notices are due (their batch's projected notice time has come).
  const schedule: ScheduleInput = {
    batches: obs.batchStates,
    now,
    delayMs: ctx.delayMs,
    replacementMs: schedulingReplacementMs(record.stats, ctx.tuning.initialReplacementEstimateMs),
    strategy: ctx.strategy,
  };
  const due = batchesDueForNotice(schedule, (index) =>
    obs.batches[index].some((host) => {
      const view = obs.views.get(host);
      return ctx.busy(host) || (view !== undefined && !ctx.idle(view));
    }),
  );
  const dueHosts = due.flatMap((index) =>
    obs.batches[index]
      .filter((host) => !obs.views.get(host)?.entry?.noticeAt && !obs.done.has(host))
      .map((host) => ({ host, batch: index })),
  );
  wakeAtNextNotice(obs, schedule, ctx.wake);

  // Which hosts leave service now.
  const commits = planCommits(obs, ctx);

  // Which hosts take no new sessions: under notice, due for notice, next in plan order.
  const steering = planSteering(obs, ctx, dueHosts, new Set(commits.commit), schedule);
  for (const d of dueHosts) {
    // Plan order: a host that cannot be steered yet holds back the ones after it.
    if (!steering.startable.has(d.host)) break;
    actions.push({ kind: "startNotice", host: d.host, batch: d.batch, steer: steering.drain.has(d.host) });
  }
  for (const host of commits.commit) actions.push({ kind: "commit", host });
  for (const host of steering.drain) {
    if (dueHosts.some((d) => d.host === host) || ctx.busy(host)) continue;
    const view = obs.views.get(host);
    if (view && !ctx.idle(view)) continue;
    actions.push({ kind: "steer", host, drain: true });
  }
  for (const host of steering.undrain) {
    const view = obs.views.get(host);
    if (!ctx.busy(host) && (!view || ctx.idle(view))) actions.push({ kind: "steer", host, drain: false });
  }
  return { actions, blocked: commits.blocked };
}

/**
 * Steering candidates, most urgent first: hosts under notice, hosts due for notice, then — once
 * the initial host is back — the next hosts in plan order within the pre-drain horizon (and any
 * drained ahead earlier). A due host is noticed only once it can be drained (or is not accepting).
 */
function planSteering(
  obs: Observation,
  ctx: PlanContext,
  dueHosts: readonly { host: string; batch: number }[],
  leaving: ReadonlySet<string>,
  schedule: ScheduleInput,
): { drain: Set<string>; undrain: string[]; startable: Set<string> } {
  const hasTurn = (batch: number): boolean => ctx.strategy === "azure" || slotHasCome(obs.batchStates, batch);
  const candidates: SteeringHost[] = [];
  const startable = new Set<string>();
  const seen = new Set<string>();
  const consider = (
    host: string,
    sessionHost: SessionHostInfo | undefined,
    turn: boolean,
    noticed: boolean,
  ): void => {
    seen.add(host);
    if (sessionHost?.status !== "Available") return;
    candidates.push({
      host,
      sessions: sessionHost.sessions,
      accepting: sessionHost.allowNewSession,
      turn,
      noticed,
    });
  };
  const drainedAhead = new Set(obs.record.drainedAhead ?? []);
  const originallyAccepting = (host: string, sessionHost: SessionHostInfo | undefined): boolean => {
    const original = obs.views.get(host)?.entry?.original;
    if (original) return original.allowNewSession;
    return drainedAhead.has(host) || sessionHost?.allowNewSession === true;
  };

  for (const view of sortedViews(obs)) {
    if (view.phase !== "noticed" || leaving.has(view.host)) continue;
    if (!originallyAccepting(view.host, view.original)) continue;
    consider(view.host, view.original, hasTurn(view.batch), true);
  }
  for (const d of dueHosts) {
    const sessionHost = obs.sessionHostOf(d.host);
    // Drained (by its administrators) or down already: nothing to steer.
    if (!originallyAccepting(d.host, sessionHost) || !isServing(sessionHost)) startable.add(d.host);
    else consider(d.host, sessionHost, hasTurn(d.batch), true);
  }
  if (ctx.strategy !== "azure" && obs.batchStates[0]?.freed) {
    const projection = projectSchedule(schedule);
    const horizon = obs.now + ctx.tuning.preDrainHorizonMs;
    const ahead = (host: string): void => {
      if (seen.has(host) || obs.done.has(host)) return;
      const view = obs.views.get(host);
      if (view && view.phase !== "pending") return;
      const sessionHost = view?.original ?? obs.sessionHostOf(host);
      if (originallyAccepting(host, sessionHost)) consider(host, sessionHost, false, false);
    };
    // The hosts next in plan order whose notice is projected within the horizon (batches in
    // order, their projected notices in order: stop at the first beyond it)...
    for (let index = 0; index < obs.batches.length; index++) {
      const state = obs.batchStates[index];
      if (state.finished || state.unnoticed === 0) continue;
      if (projection.batches[index].noticeAt > horizon) break;
      for (const host of obs.batches[index]) ahead(host);
    }
    // ...and any host drained ahead earlier, which may have to accept again.
    const order = planOrder(obs);
    for (const host of [...drainedAhead].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)))
      ahead(host);
  }
  const decision = decideSteering({
    maxSessionLimit: obs.pool.maxSessionLimit,
    freeSlots: obs.pool.freeSlots,
    leavingSessions: leavingSessions(obs, leaving),
    expectedArrivals: expectedArrivals(obs, ctx),
    imminentArrivals: Math.ceil((obs.pool.arrivalsPerHour * IMMINENT_MS) / (60 * MINUTE)),
    hosts: ctx.strategy === "azure" ? candidates.filter((c) => c.turn) : candidates,
  });
  const drain = new Set(decision.drain);
  // A notice ahead of its batch's turn also waits until the users it sends away can sign in again
  // on hosts already updated — else they land on hosts still to come and are told again later.
  // Those under notice or leaving now come back first.
  const freshRoom = ctx.tuning.noticeAheadNeedsUpdatedRoom ? obs.pool.freshRoom : Number.POSITIVE_INFINITY;
  let freshLeft = freshRoom - leavingSessions(obs, leaving);
  for (const v of obs.views.values()) if (v.phase === "noticed") freshLeft -= v.original?.sessions ?? 0;
  // ...and while the record tracks fewer than MAX_TRACKED_BATCHES batches of hosts, so it stays
  // within what its store can hold (checked at start).
  let tracked = Object.keys(obs.record.hosts).length;
  const maxTracked = MAX_TRACKED_BATCHES * obs.record.params.batchSize;
  const ready = new Set<string>();
  for (const d of dueHosts) {
    if (!drain.has(d.host) && !startable.has(d.host)) break;
    if (!hasTurn(d.batch)) {
      const sessions = obs.sessionHostOf(d.host)?.sessions ?? 0;
      if (sessions > freshLeft || tracked >= maxTracked) break;
      freshLeft -= sessions;
    }
    if (!obs.record.hosts[d.host]) tracked++;
    ready.add(d.host);
  }
  return { drain, undrain: decision.undrain, startable: ready };
}

function planCommits(obs: Observation, ctx: PlanContext): { commit: string[]; blocked: Decision["blocked"] } {
  const { record } = obs;
  const candidates: CommitCandidate[] = [];
  let committing = 0;
  for (let index = 0; index < obs.batches.length; index++) {
    if (obs.batchStates[index].finished) continue;
    const hosts = obs.batches[index].filter((h) => !obs.done.has(h));
    const views = hosts.map((h) => obs.views.get(h));
    const touched = views.some(
      (v) => v?.entry?.noticeAt !== undefined || v?.entry?.committedAt !== undefined,
    );
    // A batch not noticed yet holds back every later one (plan order).
    if (!touched) {
      if (views.some((v) => v?.phase !== "failed")) break;
      continue;
    }
    for (let i = 0; i < hosts.length; i++) {
      const view = views[i];
      if (!view) {
        candidates.push({ host: hosts[i], batch: index, cost: 0, ready: false });
        continue;
      }
      if (view.phase === "failed" || view.entry?.committedAt) continue;
      if (obs.inFlight.hosts.get(view.host) === "commit") {
        committing += costOf(view);
        continue;
      }
      candidates.push({
        host: view.host,
        batch: index,
        cost: costOf(view),
        ready:
          view.phase === "noticed" && ctx.idle(view) && !ctx.stoppedForTime && readyToLeave(view, obs, ctx),
      });
    }
  }
  const budget = budgetLeft({
    baseline: record.baselineAvailable ?? obs.budget.inService,
    inService: obs.budget.inService - committing,
    batchSize: record.params.batchSize,
  });
  const selection = selectCommits(candidates, budget);
  let blocked: Decision["blocked"] = null;
  const oursOut = [...obs.views.values()].some(
    (v) => v.entry?.committedAt && !v.entry.restoredAt && v.phase !== "failed",
  );
  // Held by hosts down on their own only: nothing of ours is out, leaving or going now.
  const nothingOfOurs = !oursOut && committing === 0 && selection.commit.length === 0;
  if (selection.heldByBudget !== null && nothingOfOurs && obs.inFlight.up === null) {
    const down = obs.budget.downOnTheirOwn;
    const shown = down.slice(0, 5).join(", ") + (down.length > 5 ? ` and ${down.length - 5} more` : "");
    blocked = {
      waitingFor: "budget",
      reason:
        `${selection.heldByBudget} is ready to leave service, but the budget of ${record.params.batchSize} host(s) out of service ` +
        `is used up by hosts that are down for reasons of their own${down.length > 0 ? `: ${shown}` : ""}. ` +
        `Bring them back (or raise --batch-size) and the rollout continues.`,
    };
  }
  return { commit: selection.commit, blocked };
}

/** Whether a host under notice may leave service, as far as its users are concerned. */
function readyToLeave(view: HostView, obs: Observation, ctx: PlanContext): boolean {
  const notices = view.entry?.notices;
  if (unconfirmedGroups(notices).length > 0) return false;
  const runOut = firstNoticeRunOut(notices, ctx.delayMs, obs.now);
  // The service waits the full delay every time; avd-rollout lets an empty host go at once.
  if (ctx.strategy === "azure") return runOut;
  return runOut || (view.original?.sessions ?? 0) === 0;
}

/** 1 when the host costs budget while out: one of the budget's hosts, and it serves now. */
function costOf(view: HostView): 0 | 1 {
  const original = view.entry?.original;
  if (original && !countsForBudget(original)) return 0;
  return view.original?.status === "Available" ? 1 : 0;
}

/** Sessions on hosts that are leaving service (committed, or committing now): their users need room elsewhere. */
function leavingSessions(obs: Observation, leaving: ReadonlySet<string>): number {
  let sessions = 0;
  for (const view of obs.views.values()) {
    if (!view.original || view.phase === "done") continue;
    if (view.entry?.committedAt !== undefined || leaving.has(view.host)) sessions += view.original.sessions;
  }
  return sessions;
}

/** Sign-ins expected while a notice runs and the host is being replaced. */
function expectedArrivals(obs: Observation, ctx: PlanContext): number {
  const replacementMs = schedulingReplacementMs(obs.record.stats, ctx.tuning.initialReplacementEstimateMs);
  const horizonHours = (ctx.delayMs + replacementMs) / (60 * MINUTE);
  return Math.ceil(obs.pool.arrivalsPerHour * horizonHours);
}

const planOrders = new WeakMap<readonly string[], Map<string, number>>();

/** Each planned host's place in plan order (computed once per plan). */
function planOrder(obs: Observation): ReadonlyMap<string, number> {
  let order = planOrders.get(obs.record.planned);
  if (!order) {
    order = new Map(obs.record.planned.map((host, index) => [host, index]));
    planOrders.set(obs.record.planned, order);
  }
  return order;
}

function sortedViews(obs: Observation): HostView[] {
  const order = planOrder(obs);
  return [...obs.views.values()].sort((a, b) => (order.get(a.host) ?? 0) - (order.get(b.host) ?? 0));
}

function wakeAtNextNotice(obs: Observation, schedule: ScheduleInput, wake: WakeTimes): void {
  const projection = projectSchedule(schedule);
  const index = obs.batchStates.findIndex(
    (b) => b.noticedAt === null && b.committedAt === null && !b.finished,
  );
  if (index < 0) return;
  const at = projection.batches[index].noticeAt;
  if (at > obs.now) wake.at(at);
}

// ---------------------------------------------------------------------------------------------
// The `up` of the next batch
// ---------------------------------------------------------------------------------------------

function nextUp(obs: Observation, stopping: boolean, idle: (view: HostView) => boolean): Action | null {
  if (obs.inFlight.up !== null) return null;
  for (let index = 0; index < obs.batches.length; index++) {
    if (obs.batchStates[index].finished) continue;
    const open: HostView[] = [];
    let beforeUpNotTouched = false;
    for (const host of obs.batches[index]) {
      if (obs.done.has(host)) continue;
      const view = obs.views.get(host);
      if (!view) {
        // Not touched yet: when stopping it stays out of the batch; otherwise the batch waits for it.
        if (!stopping) beforeUpNotTouched = true;
        continue;
      }
      if (view.phase === "done" || view.phase === "failed") continue;
      if (stopping && (view.phase === "pending" || view.phase === "noticed")) continue;
      open.push(view);
    }
    const waiting = open.filter((v) => v.phase === "deallocated");
    const beforeUp = beforeUpNotTouched || open.some((v) => isBeforeUp(v.phase) && v.phase !== "deallocated");
    if (waiting.length === 0) {
      // Later batches never go up before this one has (plan order).
      if (beforeUp || open.some((v) => isBeforeUp(v.phase))) return null;
      continue;
    }
    // The whole batch goes up together: wait for its slowest host.
    if (beforeUp || !waiting.every(idle)) return null;
    return { kind: "up", batch: index, hosts: waiting.map((v) => v.host) };
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Batches and wake-ups
// ---------------------------------------------------------------------------------------------

function newlyFinishedBatches(obs: Observation): number[] {
  const started = new Set(obs.record.startedBatches ?? []);
  const finished = new Set(obs.record.finishedBatches ?? []);
  const newly: number[] = [];
  obs.batchStates.forEach((state, index) => {
    if (state.finished && started.has(index) && !finished.has(index)) newly.push(index);
  });
  return newly;
}

/** The earliest of the moments something is due. */
class WakeTimes {
  earliest: number;
  constructor(
    private readonly now: number,
    heartbeatMs: number,
  ) {
    this.earliest = now + heartbeatMs;
  }
  at(time: number): void {
    if (time > this.now && time < this.earliest) this.earliest = time;
  }
}
