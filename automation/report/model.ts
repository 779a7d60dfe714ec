/**
 * The report model of one run, built from its events alone: who started it and with what, each
 * host's timeline (notice, drain, out of service, provisioning, registering, back in service,
 * failures and retries), each batch's, capacity and users over time, and the summary figures.
 *
 * Fields the log may lack (older drivers, real rollouts without a simulated world) leave the
 * figures that need them `null` and add a note saying what is missing, instead of guessing.
 */
import type { LoggedEvent } from "./eventLog";
import { isType } from "./eventLog";
import type { RunLog } from "./runs";
import { capacitySeries, usersSeries, type CapacityPoint, type UsersPoint } from "./series";

const MINUTE = 60_000;

/** A stretch of a host's timeline. `registering` runs from the end of its `up` until it is back. */
export type HostPhase = "notice" | "drain" | "outOfService" | "provisioning" | "registering";

export const PHASE_LABELS: Record<HostPhase, string> = {
  notice: "Notice (serving)",
  drain: "Drained (serving)",
  outOfService: "Out of service",
  provisioning: "Provisioning (pulumi up)",
  registering: "Registering",
};

export interface PhaseSpan {
  phase: HostPhase;
  start: number;
  end: number;
  /** The run ended (or the log stops) while the host was still in this phase. */
  open: boolean;
}

export type HostMarkKind = "deadline" | "leaves" | "returns" | "failed" | "retry";

export interface HostMark {
  kind: HostMarkKind;
  t: number;
  detail?: string;
}

export type HostResult = "updated" | "failed" | "inProgress" | "untouched";

export interface HostTimeline {
  host: string;
  /** Batch index (0 is the initial host); null when no batch named it. */
  batch: number | null;
  spans: PhaseSpan[];
  marks: HostMark[];
  notifiedAt: number | null;
  /** Deadline of the first notice (later sessions get later deadlines, shown as marks too). */
  deadline: number | null;
  leftAt: number | null;
  returnedAt: number | null;
  /**
   * false when `host.ready` restored it deallocated or in drain mode: it took no new sessions
   * before the rollout either, so it is not counted out of service (the capacity budget's rule).
   */
  servedBefore?: boolean;
  sessionsNotified: number;
  forcedSignOuts: number;
  retries: number;
  error: string | null;
  result: HostResult;
}

export interface BatchRow {
  batch: number;
  hosts: string[];
  start: number | null;
  end: number | null;
  durationMinutes: number | null;
  /** First notice to any host of the batch. */
  noticeStart: number | null;
  /** Latest deadline of the batch's first notices. */
  deadline: number | null;
  /** First host of the batch out of service, last one back. */
  firstLeft: number | null;
  lastReturned: number | null;
  retries: number;
  failed: string[];
}

export interface Incident {
  t: number;
  kind: "crash" | "resume" | "blocked" | "paused" | "resumed" | "cancelled" | "handover" | "upFailed";
  text: string;
}

export interface SummaryFigures {
  result: "succeeded" | "failed" | "cancelled" | "paused" | "running";
  durationMinutes: number;
  hosts: number | null;
  outOfDate: number | null;
  updated: number;
  failed: string[];
  /** Lowest count of hosts serving (world events); null without a simulated world. */
  minAvailable: number | null;
  availableAtStart: number | null;
  /** Lowest count accepting new sessions. */
  minAccepting: number | null;
  /** Most hosts out of service at once (from the driver's events). */
  maxOutOfService: number;
  /**
   * Capacity floor: the hosts serving and accepting at the start minus the batch size. Hosts in
   * drain mode at the start cost no budget (spec §5.2) and may all be out at once on top.
   */
  floor: number | null;
  sessionsNotified: number;
  /** Users notified on more than one host (they signed in again somewhere under notice); null without world events. */
  usersNotifiedTwice: number | null;
  forcedSignOuts: number;
  /** Users who signed out themselves after a notice; null without world events. */
  voluntarySignOuts: number | null;
  refusedSignIns: number | null;
  /** Forced sign-outs earlier than the delay after that session's notice; null without session ids. */
  shortNotices: number | null;
  shortestNoticeMinutes: number | null;
  stackUps: number;
  failedStackUps: number;
  retries: number;
  crashes: number;
}

export interface RunReport {
  rollout: string | null;
  strategy: string | null;
  owner: string | null;
  logOffMessage: string | null;
  batchSize: number | null;
  logOffDelayMinutes: number | null;
  deleteOriginalVm: boolean | null;
  revision: string | null;
  start: number;
  end: number;
  /** The log holds the rollout's end (`rollout.finished`). */
  finished: boolean;
  error: string | null;
  hosts: HostTimeline[];
  batches: BatchRow[];
  capacity: CapacityPoint[];
  users: UsersPoint[];
  incidents: Incident[];
  summary: SummaryFigures;
  /** What the log lacked, in words. */
  notes: string[];
}

const naturalOrder = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

interface HostState {
  timeline: HostTimeline;
  phase: HostPhase | null;
  since: number;
  done: boolean;
}

/** A host's timeline before anything happened to it. */
function emptyTimeline(host: string, batch: number | null, result: HostTimeline["result"]): HostTimeline {
  return {
    host,
    batch,
    spans: [],
    marks: [],
    notifiedAt: null,
    deadline: null,
    leftAt: null,
    returnedAt: null,
    sessionsNotified: 0,
    forcedSignOuts: 0,
    retries: 0,
    error: null,
    result,
  };
}

/** Builds the host timelines from the driver events, in order. */
function hostTimelines(
  events: readonly LoggedEvent[],
  batchOf: ReadonlyMap<string, number>,
  end: number,
): Map<string, HostTimeline> {
  const states = new Map<string, HostState>();
  const stateOf = (host: string): HostState => {
    let state = states.get(host);
    if (!state) {
      state = {
        timeline: emptyTimeline(host, batchOf.get(host) ?? null, "inProgress"),
        phase: null,
        since: 0,
        done: false,
      };
      states.set(host, state);
    }
    return state;
  };
  const enter = (state: HostState, phase: HostPhase | null, t: number): void => {
    if (state.phase !== null && t >= state.since)
      state.timeline.spans.push({ phase: state.phase, start: state.since, end: t, open: false });
    state.phase = phase;
    state.since = t;
  };
  const upHosts = new Map<number, string[]>();

  for (const event of events) {
    const t = Date.parse(event.t);
    if (isType(event, "host.notified") && event.host) {
      const state = stateOf(event.host);
      const { timeline } = state;
      timeline.sessionsNotified += event.sessions ?? event.sessionIds?.length ?? 0;
      const deadline = event.deadline ? Date.parse(event.deadline) : null;
      if (timeline.notifiedAt === null) {
        timeline.notifiedAt = t;
        timeline.deadline = deadline;
        if (state.phase === null && timeline.leftAt === null) enter(state, "notice", t);
      }
      if (deadline !== null && !timeline.marks.some((m) => m.kind === "deadline" && m.t === deadline))
        timeline.marks.push({ kind: "deadline", t: deadline });
    } else if (isType(event, "host.drained") && event.host) {
      // Drained ahead of the notice, under notice, or leaving: it takes no new sessions from here.
      const state = stateOf(event.host);
      if (state.timeline.leftAt !== null) continue;
      if (state.phase === "notice" || state.phase === null) enter(state, "drain", t);
    } else if (isType(event, "host.undrained") && event.host) {
      // Room ran short: it takes new sessions again (back under notice, or untouched).
      const state = stateOf(event.host);
      if (state.phase === "drain" && state.timeline.leftAt === null)
        enter(state, state.timeline.notifiedAt !== null ? "notice" : null, t);
    } else if (isType(event, "host.signedOut") && event.host) {
      stateOf(event.host).timeline.forcedSignOuts += event.forced ?? 0;
    } else if ((isType(event, "host.removed") || isType(event, "vm.deallocated")) && event.host) {
      const state = stateOf(event.host);
      if (state.timeline.leftAt !== null) continue;
      state.timeline.leftAt = t;
      state.timeline.marks.push({ kind: "leaves", t });
      enter(state, "outOfService", t);
    } else if (isType(event, "stack.up")) {
      const hosts = event.hosts ?? [];
      if (event.batch !== undefined) upHosts.set(event.batch, hosts);
      for (const host of hosts) {
        const state = stateOf(host);
        if (state.done) continue;
        if (state.timeline.leftAt === null) {
          state.timeline.leftAt = t;
          state.timeline.marks.push({ kind: "leaves", t });
        }
        enter(state, "provisioning", t);
      }
    } else if (isType(event, "stack.upFinished")) {
      const hosts = event.batch !== undefined ? (upHosts.get(event.batch) ?? []) : [];
      for (const host of hosts) {
        const state = stateOf(host);
        if (state.done || state.phase !== "provisioning") continue;
        enter(state, event.result === "failed" ? "outOfService" : "registering", t);
      }
    } else if (isType(event, "host.ready") && event.host) {
      const state = stateOf(event.host);
      if (state.done) continue;
      if (state.timeline.leftAt === null) state.timeline.leftAt = t;
      state.timeline.returnedAt = t;
      if (event.powerState === "deallocated" || event.allowNewSession === false)
        state.timeline.servedBefore = false;
      state.timeline.marks.push({ kind: "returns", t });
      state.timeline.result = "updated";
      enter(state, null, t);
      state.done = true;
    } else if (isType(event, "host.retry") && event.host) {
      const state = stateOf(event.host);
      state.timeline.retries++;
      const detail = [event.attempt !== undefined ? `attempt ${event.attempt}` : null, event.error ?? null]
        .filter((part): part is string => part !== null)
        .join(": ");
      state.timeline.marks.push({ kind: "retry", t, detail: detail || undefined });
      if (state.phase === "provisioning" || state.phase === "registering") enter(state, "outOfService", t);
    } else if (isType(event, "host.failed") && event.host) {
      const state = stateOf(event.host);
      state.timeline.error = event.error ?? "failed";
      state.timeline.result = "failed";
      state.timeline.marks.push({ kind: "failed", t, detail: state.timeline.error });
      // A failed host that left service stays out until someone retries it; one that never left
      // goes on serving. Either way its timeline of this run stops here.
      enter(state, null, t);
      state.done = true;
    }
  }
  for (const state of states.values()) {
    if (state.phase !== null && end >= state.since)
      state.timeline.spans.push({ phase: state.phase, start: state.since, end, open: true });
  }
  return new Map([...states].map(([host, state]) => [host, state.timeline]));
}

function batchRows(
  batches: ReadonlyMap<number, string[]>,
  events: readonly LoggedEvent[],
  timelines: ReadonlyMap<string, HostTimeline>,
): BatchRow[] {
  const started = new Map<number, number>();
  const finished = new Map<number, number>();
  for (const event of events) {
    if (isType(event, "batch.started") && event.batch !== undefined && !started.has(event.batch))
      started.set(event.batch, Date.parse(event.t));
    if (isType(event, "batch.finished") && event.batch !== undefined)
      finished.set(event.batch, Date.parse(event.t));
  }
  const min = (values: (number | null)[]): number | null =>
    values.reduce<number | null>(
      (least, v) => (v === null ? least : least === null ? v : Math.min(least, v)),
      null,
    );
  const max = (values: (number | null)[]): number | null =>
    values.reduce<number | null>(
      (most, v) => (v === null ? most : most === null ? v : Math.max(most, v)),
      null,
    );
  return [...batches]
    .sort(([a], [b]) => a - b)
    .map(([batch, hosts]) => {
      const lines = hosts.map((host) => timelines.get(host)).filter((t): t is HostTimeline => !!t);
      const start = started.get(batch) ?? min(lines.map((l) => l.notifiedAt ?? l.leftAt));
      const end = finished.get(batch) ?? null;
      return {
        batch,
        hosts,
        start,
        end,
        durationMinutes:
          start !== null && end !== null ? Math.round(((end - start) / MINUTE) * 10) / 10 : null,
        noticeStart: min(lines.map((l) => l.notifiedAt)),
        deadline: max(lines.map((l) => l.deadline)),
        firstLeft: min(lines.map((l) => l.leftAt)),
        lastReturned: lines.every((l) => l.returnedAt !== null) ? max(lines.map((l) => l.returnedAt)) : null,
        retries: lines.reduce((sum, l) => sum + l.retries, 0),
        failed: lines.filter((l) => l.result === "failed").map((l) => l.host),
      };
    });
}

interface SessionFacts {
  usersNotifiedTwice: number | null;
  voluntarySignOuts: number | null;
  forcedSignOuts: number | null;
  refusedSignIns: number | null;
  shortNotices: number | null;
  shortestNoticeMinutes: number | null;
}

/** Session-level figures: need `sessionIds` on notices and the world's session events. */
function sessionFacts(events: readonly LoggedEvent[], delayMinutes: number | null): SessionFacts {
  const noticeAt = new Map<string, number>();
  const userOf = new Map<string, string>();
  const notifiedUsers = new Map<string, Set<string>>();
  let haveSessionIds = false;
  let haveWorld = false;
  let voluntary = 0;
  let forced = 0;
  let refused = 0;
  let short = 0;
  let shortest = Number.POSITIVE_INFINITY;
  const delayMs = delayMinutes === null ? null : delayMinutes * MINUTE;
  for (const event of events) {
    const t = Date.parse(event.t);
    if (isType(event, "host.notified") && event.sessionIds) {
      haveSessionIds = true;
      for (const id of event.sessionIds) {
        if (!noticeAt.has(id)) noticeAt.set(id, t);
        const user = userOf.get(id);
        if (user) {
          const hosts = notifiedUsers.get(user) ?? new Set<string>();
          hosts.add(event.host ?? "");
          notifiedUsers.set(user, hosts);
        }
      }
    } else if (isType(event, "world.session")) {
      haveWorld = true;
      if (event.session && event.user) userOf.set(event.session, event.user);
      if (event.action === "refused") refused++;
      else if (event.action === "signedOut" && event.session && noticeAt.has(event.session)) voluntary++;
      else if (event.action === "loggedOff") {
        forced++;
        const notified = event.session !== undefined ? noticeAt.get(event.session) : undefined;
        if (notified !== undefined) {
          const notice = t - notified;
          shortest = Math.min(shortest, notice);
          if (delayMs !== null && notice < delayMs) short++;
        } else if (haveSessionIds && delayMs !== null && delayMs > 0) {
          // Signed out by force without any notice: the shortest notice there is.
          shortest = 0;
          short++;
        }
      }
    }
  }
  const sessionsKnown = haveWorld && haveSessionIds;
  return {
    usersNotifiedTwice: sessionsKnown
      ? [...notifiedUsers.values()].filter((hosts) => hosts.size > 1).length
      : null,
    voluntarySignOuts: sessionsKnown ? voluntary : null,
    forcedSignOuts: haveWorld ? forced : null,
    refusedSignIns: haveWorld ? refused : null,
    shortNotices: sessionsKnown ? short : null,
    shortestNoticeMinutes:
      sessionsKnown && Number.isFinite(shortest) ? Math.round((shortest / MINUTE) * 10) / 10 : null,
  };
}

/** The report of one run of the log. */
export function buildRunReport(run: RunLog): RunReport {
  const events = [...run.events].sort((a, b) => Date.parse(a.t) - Date.parse(b.t));
  const notes: string[] = [];
  const started = events.find((e) => isType(e, "rollout.started"));
  const startedEvent = started && isType(started, "rollout.started") ? started : undefined;
  if (!startedEvent) notes.push("The log does not hold the start of this rollout (rollout.started).");
  let first = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const t = Date.parse(event.t);
    first = Math.min(first, t);
    end = Math.max(end, t);
  }
  const start = startedEvent ? Date.parse(startedEvent.t) : first;

  // Batches: as the driver announced them, else as the stack updates grouped them.
  const batches = new Map<number, string[]>();
  for (const event of events)
    if (isType(event, "batch.started") && event.batch !== undefined && !batches.has(event.batch))
      batches.set(event.batch, event.hosts ?? []);
  for (const event of events)
    if (isType(event, "stack.up") && event.batch !== undefined && !batches.has(event.batch))
      batches.set(event.batch, event.hosts ?? []);
  const batchOf = new Map<string, number>();
  for (const [batch, hosts] of batches)
    for (const host of hosts) if (!batchOf.has(host)) batchOf.set(host, batch);

  const timelineMap = hostTimelines(events, batchOf, end);
  for (const host of startedEvent?.outOfDate ?? [])
    if (!timelineMap.has(host))
      timelineMap.set(host, emptyTimeline(host, batchOf.get(host) ?? null, "untouched"));
  for (const timeline of timelineMap.values())
    if (timeline.result === "inProgress" && timeline.spans.length === 0 && timeline.marks.length === 0)
      timeline.result = "untouched";
  const hosts = [...timelineMap.values()].sort(
    (a, b) =>
      (a.batch ?? Number.MAX_SAFE_INTEGER) - (b.batch ?? Number.MAX_SAFE_INTEGER) ||
      naturalOrder(a.host, b.host),
  );

  const finishedEvent = [...events].reverse().find((e) => isType(e, "rollout.finished"));
  const finished = finishedEvent && isType(finishedEvent, "rollout.finished") ? finishedEvent : undefined;
  const lastControl = [...events]
    .reverse()
    .find(
      (e) => e.type === "rollout.paused" || e.type === "rollout.resumed" || e.type === "rollout.finished",
    );
  const result: SummaryFigures["result"] =
    finished?.result ?? (lastControl?.type === "rollout.paused" ? "paused" : "running");
  if (!finished) notes.push("The log ends before the rollout did: the figures are those so far.");

  const incidents: Incident[] = [];
  let crashes = 0;
  let stackUps = 0;
  let failedStackUps = 0;
  for (const event of events) {
    const t = Date.parse(event.t);
    if (isType(event, "driver.crashed")) {
      crashes++;
      incidents.push({ t, kind: "crash", text: `Driver crashed${event.reason ? `: ${event.reason}` : ""}` });
    } else if (isType(event, "driver.resumed")) incidents.push({ t, kind: "resume", text: "Driver resumed" });
    else if (isType(event, "rollout.blocked"))
      incidents.push({
        t,
        kind: "blocked",
        text: `Waiting for ${event.waitingFor ?? "?"}: ${event.reason ?? ""}`,
      });
    else if (isType(event, "rollout.paused"))
      incidents.push({ t, kind: "paused", text: `Paused${event.by ? ` by ${event.by}` : ""}` });
    else if (isType(event, "rollout.resumed"))
      incidents.push({ t, kind: "resumed", text: `Resumed${event.by ? ` by ${event.by}` : ""}` });
    else if (isType(event, "rollout.cancelled"))
      incidents.push({ t, kind: "cancelled", text: `Cancelled${event.by ? ` by ${event.by}` : ""}` });
    else if (isType(event, "rollout.handover"))
      incidents.push({ t, kind: "handover", text: `Run ended, rollout continues: ${event.reason ?? ""}` });
    else if (isType(event, "stack.up")) stackUps++;
    else if (isType(event, "stack.upFinished") && event.result === "failed") {
      failedStackUps++;
      incidents.push({
        t,
        kind: "upFailed",
        text: `pulumi up of batch ${event.batch ?? "?"} failed${event.error ? `: ${event.error}` : ""}`,
      });
    }
  }

  const delay = startedEvent?.logOffDelayMinutes ?? null;
  const batchSize = startedEvent?.batchSize ?? null;
  const capacity = capacitySeries(events, hosts, startedEvent?.hosts?.length ?? null);
  const users = usersSeries(events);
  if (!events.some((e) => e.type === "world.availability"))
    notes.push(
      "No capacity events (world.availability, rehearsals only): serving is derived from the driver's events.",
    );
  const sessions = sessionFacts(events, delay);
  if (sessions.voluntarySignOuts === null)
    notes.push(
      "No session events (world.session, rehearsals only): user figures come from the driver's counts.",
    );

  const availability = events.filter((e) => isType(e, "world.availability"));
  const atStart = [...availability].reverse().find((e) => Date.parse(e.t) <= start) ?? availability[0];
  const availableAtStart =
    atStart && isType(atStart, "world.availability") && atStart.available !== undefined
      ? atStart.available
      : null;
  let minAvailable: number | null = null;
  let minAccepting: number | null = null;
  for (const event of availability) {
    if (!isType(event, "world.availability")) continue;
    if (event.available !== undefined) minAvailable = Math.min(minAvailable ?? Infinity, event.available);
    if (event.accepting !== undefined) minAccepting = Math.min(minAccepting ?? Infinity, event.accepting);
  }
  const maxOutOfService = capacity.reduce((most, point) => Math.max(most, point.outOfService), 0);
  const forcedFromDriver = hosts.reduce((sum, h) => sum + h.forcedSignOuts, 0);

  const summary: SummaryFigures = {
    result,
    durationMinutes: Math.round(((end - first) / MINUTE) * 10) / 10,
    hosts: startedEvent?.hosts?.length ?? null,
    outOfDate: startedEvent?.outOfDate?.length ?? null,
    updated: hosts.filter((h) => h.result === "updated").length,
    failed: hosts.filter((h) => h.result === "failed").map((h) => h.host),
    minAvailable,
    availableAtStart,
    minAccepting,
    maxOutOfService,
    floor: floorOf(atStart, availableAtStart, batchSize),
    sessionsNotified: hosts.reduce((sum, h) => sum + h.sessionsNotified, 0),
    usersNotifiedTwice: sessions.usersNotifiedTwice,
    forcedSignOuts: sessions.forcedSignOuts ?? forcedFromDriver,
    voluntarySignOuts: sessions.voluntarySignOuts,
    refusedSignIns: sessions.refusedSignIns,
    shortNotices: sessions.shortNotices,
    shortestNoticeMinutes: sessions.shortestNoticeMinutes,
    stackUps,
    failedStackUps,
    retries: hosts.reduce((sum, h) => sum + h.retries, 0),
    crashes,
  };

  return {
    rollout: run.rollout,
    strategy: startedEvent?.strategy ?? null,
    owner: startedEvent?.owner ?? null,
    logOffMessage: startedEvent?.logOffMessage ?? null,
    batchSize,
    logOffDelayMinutes: delay,
    deleteOriginalVm: startedEvent?.deleteOriginalVm ?? null,
    revision: startedEvent?.revision ?? null,
    start,
    end,
    finished: finished !== undefined,
    error: finished?.error ?? null,
    hosts,
    batches: batchRows(batches, events, timelineMap),
    capacity,
    users,
    incidents,
    summary,
    notes,
  };
}

/** The lowest count of serving hosts the capacity budget allows (see SummaryFigures.floor). */
function floorOf(
  atStart: LoggedEvent | undefined,
  availableAtStart: number | null,
  batchSize: number | null,
): number | null {
  if (availableAtStart === null || batchSize === null) return null;
  const accepting =
    atStart && isType(atStart, "world.availability") && atStart.accepting !== undefined
      ? atStart.accepting
      : availableAtStart;
  return Math.max(0, accepting - batchSize);
}
