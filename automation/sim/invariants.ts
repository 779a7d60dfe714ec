/**
 * The rollout's promises (spec section 5), checked over an event log alone. Pure: it sees the
 * events of one rehearsal (driver and world events, in order) and the scenario, and returns every
 * violation found — an empty list means the run kept every promise. Each check holds its promise
 * exactly, with no slack: a forced sign-out one millisecond before the delay has run is a
 * violation.
 *
 * The property tests run random scenarios through `rehearse` and assert this finds nothing;
 * other tests feed it logs with one promise broken, just past each limit, to show it finds that.
 */
import type { AnyEvent } from "../core/events";
import { naturalCompare } from "../core/planner";
import type { Scenario } from "./scenario";
import { scenarioHostNames } from "./scenario";
import { readSessionLedger } from "./sessionLedger";
import { originalVmName } from "./world";

export type InvariantName =
  | "timeOrder"
  | "parametersAsConfigured"
  | "capacity"
  | "noticeRespected"
  | "initialFirstAndAlone"
  | "naturalOrder"
  | "stackUpsPerBatch"
  | "hostsEndUpdated"
  | "originalsPerPolicy"
  | "progressMonotonic"
  | "completedNeverRedone"
  | "noSessionNotifiedTwice"
  | "finishedOnce";

export interface Violation {
  invariant: InvariantName;
  message: string;
  /** Index of the offending event in the log, when there is one. */
  index?: number;
}

type EventOf<T extends AnyEvent["type"]> = Extract<AnyEvent, { type: T }>;

const MINUTE = 60_000;

/** Driver events that touch a host. */
const TOUCHES: ReadonlySet<string> = new Set([
  "host.notified",
  "host.drained",
  "host.undrained",
  "host.signedOut",
  "host.removed",
  "vm.deallocated",
  "host.registered",
  "host.ready",
]);

/** Host-touching events that mean a host is being (re)worked. */
const REWORK: ReadonlySet<string> = new Set([
  "host.notified",
  "host.signedOut",
  "host.drained",
  "host.undrained",
  "host.removed",
  "host.ready",
]);

export { naturalCompare };

export function checkInvariants(events: readonly AnyEvent[], scenario: Scenario): Violation[] {
  const violations: Violation[] = [];
  const add = (invariant: InvariantName, message: string, index?: number): void => {
    violations.push({ invariant, message, index });
  };
  checkTimeOrder(events, add);

  const startedAt = events.findIndex((e) => e.type === "rollout.started");
  if (startedAt < 0) {
    add("finishedOnce", "no rollout.started event");
    return violations;
  }
  const started = events[startedAt] as EventOf<"rollout.started">;
  const ctx: Context = {
    events,
    scenario,
    started,
    startedAt,
    // The promises are the configuration's, whatever the driver says it runs with.
    batchSize: scenario.update.maxVmsRemoved,
    delayMs: scenario.update.logOffDelayMinutes * MINUTE,
    outOfDate: started.outOfDate,
    add,
  };
  const finished = events.filter((e): e is EventOf<"rollout.finished"> => e.type === "rollout.finished");
  if (finished.length !== 1)
    add("finishedOnce", `expected one rollout.finished event, found ${finished.length}`);
  ctx.result = finished.at(-1)?.result;

  checkParameters(ctx);
  checkCapacity(ctx);
  checkOrder(ctx);
  checkInitialAlone(ctx);
  checkNotices(ctx);
  checkStackUps(ctx);
  checkOutcomes(ctx);
  checkProgress(ctx);
  return violations;
}

interface Context {
  events: readonly AnyEvent[];
  scenario: Scenario;
  started: EventOf<"rollout.started">;
  startedAt: number;
  batchSize: number;
  delayMs: number;
  outOfDate: readonly string[];
  result?: EventOf<"rollout.finished">["result"];
  add: (invariant: InvariantName, message: string, index?: number) => void;
}

const time = (e: AnyEvent): number => Date.parse(e.t);

/** The rollout runs with the update policy it was given (batch size, delay, what happens to originals). */
function checkParameters(ctx: Context): void {
  const { started, scenario, startedAt } = ctx;
  const wanted = {
    batchSize: scenario.update.maxVmsRemoved,
    logOffDelayMinutes: scenario.update.logOffDelayMinutes,
    deleteOriginalVm: scenario.update.deleteOriginalVm,
  };
  for (const [key, value] of Object.entries(wanted)) {
    const actual = started[key as keyof typeof wanted];
    if (actual !== value)
      ctx.add(
        "parametersAsConfigured",
        `rollout.started has ${key} ${String(actual)}, the configuration ${String(value)}`,
        startedAt,
      );
  }
}

function expectedBatch(ctx: Context, index: number): readonly string[] {
  const { outOfDate, batchSize } = ctx;
  return index === 0
    ? outOfDate.slice(0, 1)
    : outOfDate.slice(1 + (index - 1) * batchSize, 1 + index * batchSize);
}

function batchOfHost(ctx: Context): Map<string, number> {
  const batches = new Map<string, number>();
  // The initial host alone (index 0 -> batch 0), then batches of the batch size from index 1 on.
  ctx.outOfDate.forEach((host, i) => batches.set(host, Math.ceil(i / ctx.batchSize)));
  return batches;
}

function checkTimeOrder(events: readonly AnyEvent[], add: Context["add"]): void {
  let previous = Number.NEGATIVE_INFINITY;
  events.forEach((event, index) => {
    const t = time(event);
    if (Number.isNaN(t))
      add("timeOrder", `event ${event.type} has no valid time ${JSON.stringify(event.t)}`, index);
    else if (t < previous)
      add("timeOrder", `event ${event.type} at ${event.t} is earlier than the event before it`, index);
    else previous = t;
  });
}

/**
 * Capacity (spec 5.2), from the hosts serving at the start (the last `world.availability` before
 * `rollout.started`), exactly:
 * - at every moment, hosts serving >= serving at the start - batch size - hosts drained at the
 *   start that are out (they cost nothing) - hosts serving at the start that are down for
 *   reasons of their own (`world.fault` outages: not the rollout's doing);
 * - the rollout takes a serving host out of service (its `host.removed` / `vm.deallocated`) only
 *   while the hosts it has out plus the budget's hosts down on their own stay within the batch
 *   size: a host down for reasons of its own counts against the budget like one of ours. Outages
 *   that began after the host's notice are not held against it (the driver had already decided).
 */
function checkCapacity(ctx: Context): void {
  const { events, scenario, startedAt } = ctx;
  let baseline: number | undefined;
  const downAtStart = new Set<string>();
  for (let i = 0; i < startedAt; i++) {
    const e = events[i];
    if (e.type === "world.availability") baseline = e.available;
    if (e.type === "world.fault" && e.fault === "outageStarted") downAtStart.add(e.host);
    if (e.type === "world.fault" && e.fault === "outageEnded") downAtStart.delete(e.host);
  }
  const deallocatedAtStart = new Set(scenario.hostPool.deallocated);
  const drainedAtStart = new Set(scenario.hostPool.drained);
  const servingAtStart = new Set(
    scenarioHostNames(scenario).filter((h) => !deallocatedAtStart.has(h) && !downAtStart.has(h)),
  );
  const free = (host: string): boolean => drainedAtStart.has(host);
  const counts = (host: string): boolean => servingAtStart.has(host) && !free(host);

  // Per host, in event order: taken out by the rollout (leaving the pool or deallocated, until
  // ready again), and down on its own. The world reports a change before the driver reports the
  // call that made it, at the same moment: the floor is checked by time, not position.
  const out = new Set<string>();
  /** Hosts taken out while down on their own: still not the rollout's doing (it cost it nothing). */
  const takenDown = new Set<string>();
  const down = new Set<string>();
  const noticedAt = new Map<string, number>();
  const downSince = new Map<string, number>();
  /** The VM each outage hit: a host back on another VM (its new generation) is no longer down. */
  const downVm = new Map<string, string | undefined>();
  const endDown = (host: string, t: number): void => {
    down.delete(host);
    downPeriods.push({ host, from: downSince.get(host) as number, to: t });
    downSince.delete(host);
    downVm.delete(host);
  };
  const outSince = new Map<string, number>();
  const outPeriods: { host: string; from: number; to: number; wasDown: boolean }[] = [];
  const downPeriods: { host: string; from: number; to: number }[] = [];
  for (const host of downAtStart) downSince.set(host, Number.NEGATIVE_INFINITY);
  for (const host of downAtStart) down.add(host);
  for (let i = startedAt; i < events.length; i++) {
    const e = events[i];
    const t = time(e);
    if (e.type === "host.notified" && !noticedAt.has(e.host)) noticedAt.set(e.host, t);
    if (e.type === "world.fault" && e.fault === "outageStarted" && !down.has(e.host)) {
      down.add(e.host);
      downSince.set(e.host, t);
      downVm.set(e.host, e.vm);
    }
    if (e.type === "world.fault" && e.fault === "outageEnded" && down.has(e.host)) endDown(e.host, t);
    if (e.type === "host.ready" && down.has(e.host) && downVm.get(e.host) !== e.vm) endDown(e.host, t);
    if ((e.type === "host.removed" || e.type === "vm.deallocated") && !out.has(e.host)) {
      out.add(e.host);
      outSince.set(e.host, t);
      if (down.has(e.host)) takenDown.add(e.host);
      else if (counts(e.host)) {
        const notice = noticedAt.get(e.host) ?? t;
        const ours = [...out].filter((h) => counts(h) && !takenDown.has(h)).length;
        const theirs = [...down].filter(
          (h) => counts(h) && !out.has(h) && (downSince.get(h) ?? t) <= notice,
        ).length;
        if (ours + theirs > ctx.batchSize)
          ctx.add(
            "capacity",
            `${e.host} left service with ${ours} host(s) out by the rollout and ${theirs} down on their own: over the budget of ${ctx.batchSize}`,
            i,
          );
      }
    }
    if (e.type === "host.ready" && out.has(e.host)) {
      out.delete(e.host);
      const wasDown = takenDown.delete(e.host);
      outPeriods.push({ host: e.host, from: outSince.get(e.host) as number, to: t, wasDown });
      outSince.delete(e.host);
    }
  }
  for (const [host, from] of outSince)
    outPeriods.push({ host, from, to: Number.POSITIVE_INFINITY, wasDown: takenDown.has(host) });
  for (const [host, from] of downSince) downPeriods.push({ host, from, to: Number.POSITIVE_INFINITY });
  // The floor needs the world's availability (a rehearsal's log); a driver's own log has none.
  if (baseline === undefined) return;
  const during = (p: { from: number; to: number }, t: number): boolean => p.from <= t && t < p.to;
  for (let i = startedAt; i < events.length; i++) {
    const e = events[i];
    if (e.type !== "world.availability") continue;
    const t = time(e);
    const freeOut = outPeriods.filter((p) => free(p.host) && during(p, t)).length;
    const outNow = outPeriods.filter((p) => during(p, t));
    const downNow = new Set(downPeriods.filter((p) => during(p, t)).map((p) => p.host));
    // Down on its own: in an outage and still in the pool, or taken out while down (until ready).
    // (A host drained at the start that is out counts in freeOut already.)
    const downOut = new Set(
      [
        ...[...downNow].filter((h) => !outNow.some((p) => p.host === h)),
        ...outNow.filter((p) => p.wasDown && !free(p.host)).map((p) => p.host),
      ].filter((h) => servingAtStart.has(h)),
    ).size;
    const floor = baseline - ctx.batchSize - freeOut - downOut;
    if (e.available < floor) {
      ctx.add(
        "capacity",
        `hosts serving fell to ${e.available}, below ${baseline} at the start - ${ctx.batchSize} batch size${freeOut > 0 ? ` - ${freeOut} drained at the start` : ""}${downOut > 0 ? ` - ${downOut} down on their own` : ""}`,
        i,
      );
    }
  }
}

/** Batches in natural order with the planned hosts; a host is noticed only within its started batch. */
function checkOrder(ctx: Context): void {
  const { events, outOfDate, scenario, startedAt } = ctx;
  const sorted = [...outOfDate].sort(naturalCompare);
  if (sorted.join(",") !== outOfDate.join(","))
    ctx.add("naturalOrder", `outOfDate is not in natural order: ${outOfDate.join(", ")}`, startedAt);
  // Every host is out of date; `<prefix>-0 .. -<n-1>` in index order is natural order.
  const expectedOutOfDate = scenarioHostNames(scenario);
  if (expectedOutOfDate.join(",") !== outOfDate.join(",")) {
    ctx.add(
      "naturalOrder",
      `outOfDate lists ${outOfDate.length} hosts; every one of the ${expectedOutOfDate.length} hosts is out of date`,
      startedAt,
    );
  }
  const batchOf = batchOfHost(ctx);
  let lastBatch = -1;
  const started = new Set<number>();
  /** A driver that dies between reporting a batch's start and recording it reports it again. */
  let crashedSinceLastStart = false;
  events.forEach((e, i) => {
    if (e.type === "driver.crashed") crashedSinceLastStart = true;
    if (e.type === "batch.started") {
      const reportedAgain = e.batch === lastBatch && crashedSinceLastStart;
      if (e.batch <= lastBatch && !reportedAgain)
        ctx.add("naturalOrder", `batch ${e.batch} started after batch ${lastBatch}`, i);
      crashedSinceLastStart = false;
      lastBatch = Math.max(lastBatch, e.batch);
      started.add(e.batch);
      const expected = expectedBatch(ctx, e.batch);
      if (expected.join(",") !== e.hosts.join(","))
        ctx.add(
          "naturalOrder",
          `batch ${e.batch} has hosts [${e.hosts.join(", ")}], expected [${expected.join(", ")}]`,
          i,
        );
    }
    // A host is noticed only once its batch has started.
    if (e.type === "host.notified" && !started.has(batchOf.get(e.host) ?? -1))
      ctx.add(
        "naturalOrder",
        `${e.host} was notified before its batch ${batchOf.get(e.host) ?? "?"} started`,
        i,
      );
  });
}

/**
 * The initial host is a canary for users too: until it is back in service, no other host is
 * touched in any way — and if it fails, none is touched at all.
 */
function checkInitialAlone(ctx: Context): void {
  const { events, startedAt } = ctx;
  const initial = ctx.outOfDate[0];
  const initialReady = events.findIndex((e) => e.type === "host.ready" && e.host === initial);
  const until = initialReady < 0 ? events.length : initialReady;
  for (let i = startedAt; i < until; i++) {
    const e = events[i];
    let other: string | null = null;
    if ((e.type === "stack.up" || e.type === "batch.started") && e.hosts.some((h) => h !== initial))
      other = e.hosts.join(", ");
    else if (TOUCHES.has(e.type) && "host" in e && e.host !== initial) other = String(e.host);
    if (other !== null)
      ctx.add(
        "initialFirstAndAlone",
        `${e.type} ${other} before the initial host ${initial} was back in service`,
        i,
      );
  }
}

/**
 * The notice promise, per session: every notice states a deadline at least the delay after it
 * was delivered; no session is signed out by force earlier than the delay after the first notice
 * that listed it (and none without one); no session is listed by two notices.
 */
function checkNotices(ctx: Context): void {
  const { events, delayMs } = ctx;
  const ledger = readSessionLedger(events);
  const listedAt = new Map<string, number>();
  events.forEach((e, i) => {
    if (e.type === "host.notified") {
      if (Date.parse(e.deadline) < time(e) + delayMs)
        ctx.add(
          "noticeRespected",
          `host ${e.host} notified at ${e.t} with deadline ${e.deadline}, less than the ${ctx.delayMs / MINUTE} min delay`,
          i,
        );
      if (e.sessions !== e.sessionIds.length)
        ctx.add(
          "noticeRespected",
          `host.notified ${e.host} counts ${e.sessions} sessions but lists ${e.sessionIds.length}`,
          i,
        );
      for (const id of e.sessionIds) {
        // A resumed driver's confirmation of an interrupted notice messages nobody; its deadline is later.
        if (listedAt.has(id) && !e.resumed)
          ctx.add("noSessionNotifiedTwice", `session ${id} on ${e.host} was notified again at ${e.t}`, i);
        else if (!listedAt.has(id)) listedAt.set(id, i);
      }
    } else if (e.type === "world.session" && e.action === "loggedOff" && e.session !== undefined) {
      const session = ledger.sessions.get(e.session);
      const first = session?.notices[0];
      if (!first)
        ctx.add(
          "noticeRespected",
          `session ${e.session} on ${e.host} was signed out by force without any notice`,
          i,
        );
      else if (time(e) < first.at + delayMs)
        ctx.add(
          "noticeRespected",
          `session ${e.session} on ${e.host} was signed out by force ${((time(e) - first.at) / MINUTE).toFixed(3)} min after its notice, before the ${ctx.delayMs / MINUTE} min delay`,
          i,
        );
    } else if (e.type === "host.signedOut") {
      for (const id of e.sessionIds ?? []) {
        const at = listedAt.get(id);
        if (at === undefined || time(e) < time(events[at]) + delayMs)
          ctx.add(
            "noticeRespected",
            `host.signedOut ${e.host} signed session ${id} out before its notice ran out`,
            i,
          );
      }
    }
  });
}

/** One `up` per batch, plus one per retry and per crash; never with hosts of another batch. */
function checkStackUps(ctx: Context): void {
  const batchOf = batchOfHost(ctx);
  const ups = new Map<number, number>();
  const retries = new Map<number, number>();
  let crashes = 0;
  ctx.events.forEach((e, i) => {
    if (e.type === "driver.crashed") crashes++;
    if (e.type === "host.retry") {
      // (A host of no batch counts for none: -1.)
      const b = batchOf.get(e.host) ?? -1;
      retries.set(b, (retries.get(b) ?? 0) + 1);
    }
    if (e.type === "stack.up") {
      ups.set(e.batch, (ups.get(e.batch) ?? 0) + 1);
      const expected = new Set(expectedBatch(ctx, e.batch));
      const stray = e.hosts.filter((h) => !expected.has(h));
      if (stray.length > 0)
        ctx.add(
          "stackUpsPerBatch",
          `stack.up of batch ${e.batch} includes hosts of other batches: ${stray.join(", ")}`,
          i,
        );
    }
  });
  for (const [batch, count] of ups) {
    const allowed = 1 + (retries.get(batch) ?? 0) + crashes;
    if (count > allowed)
      ctx.add(
        "stackUpsPerBatch",
        `batch ${batch} ran stack.up ${count} times; allowed 1 + ${retries.get(batch) ?? 0} retries + ${crashes} crashes`,
      );
  }
}

/** Completed hosts are never redone; hosts end updated, with drain mode and power state restored; originals per policy. */
function checkOutcomes(ctx: Context): void {
  const { events, scenario } = ctx;
  const readyAt = new Map<string, number>();
  events.forEach((e, i) => {
    if (!REWORK.has(e.type) || !("host" in e)) return;
    const host = String(e.host);
    if (readyAt.has(host)) ctx.add("completedNeverRedone", `${e.type} for ${host} after it was ready`, i);
    else if (e.type === "host.ready") readyAt.set(host, i);
  });
  const drained = new Set(scenario.hostPool.drained);
  const deallocated = new Set(scenario.hostPool.deallocated);
  const failedHosts = new Set<string>();
  for (const e of events) if (e.type === "host.failed") failedHosts.add(e.host);
  for (const host of ctx.outOfDate) {
    const index = readyAt.get(host);
    if (index === undefined) {
      if (ctx.result === "succeeded")
        ctx.add("hostsEndUpdated", `host ${host} never became ready although the rollout succeeded`);
      continue;
    }
    const ready = events[index] as EventOf<"host.ready">;
    if (ready.allowNewSession !== !drained.has(host))
      ctx.add(
        "hostsEndUpdated",
        `host ${host} ended with allowNewSession=${ready.allowNewSession}, it started with ${!drained.has(host)}`,
        index,
      );
    if (ready.vm === originalVmName(host))
      ctx.add("hostsEndUpdated", `host ${host} was declared ready on its original VM ${ready.vm}`, index);
    const power = deallocated.has(host) ? "deallocated" : "running";
    if (ready.powerState !== power)
      ctx.add("hostsEndUpdated", `host ${host} ended ${ready.powerState}, it started ${power}`, index);
  }
  if (ctx.result === "succeeded") {
    const stillFailed = [...failedHosts].filter((h) => !readyAt.has(h));
    if (stillFailed.length > 0)
      ctx.add("hostsEndUpdated", `rollout succeeded with failed hosts ${stillFailed.join(", ")}`);
  }

  const deleteOriginalVm = scenario.update.deleteOriginalVm;
  const wanted = deleteOriginalVm ? "vm.deleted" : "vm.retained";
  const unwanted = deleteOriginalVm ? "vm.retained" : "vm.deleted";
  const handled = new Set<string>();
  events.forEach((e, i) => {
    if (e.type !== "vm.deleted" && e.type !== "vm.retained") return;
    const readyIndex = readyAt.get(e.host);
    if (
      readyIndex !== undefined &&
      (events[readyIndex] as EventOf<"host.ready">).vm === e.vm &&
      e.type === "vm.deleted"
    ) {
      ctx.add("originalsPerPolicy", `vm.deleted of ${e.vm}, the new generation of ${e.host}`, i);
      return;
    }
    if (e.vm !== originalVmName(e.host)) return;
    if (e.type === unwanted)
      ctx.add(
        "originalsPerPolicy",
        `${e.type} of ${e.vm} although deleteOriginalVm is ${deleteOriginalVm}`,
        i,
      );
    else handled.add(e.host);
  });
  if (ctx.result === "succeeded") {
    for (const host of readyAt.keys())
      if (!handled.has(host))
        ctx.add("originalsPerPolicy", `the original VM of ${host} has no ${wanted} event`);
  }
}

/** Progress only goes forward: neither completed hosts nor percent ever drop. */
function checkProgress(ctx: Context): void {
  let lastCompleted = -1;
  let lastPercent = -1;
  ctx.events.forEach((e, i) => {
    if (e.type !== "rollout.progress") return;
    if (e.completed < lastCompleted)
      ctx.add("progressMonotonic", `progress went back to ${e.completed} hosts from ${lastCompleted}`, i);
    if (e.percent < lastPercent)
      ctx.add("progressMonotonic", `progress went back to ${e.percent}% from ${lastPercent}%`, i);
    if (e.completed > e.total || e.percent > 100)
      ctx.add("progressMonotonic", `progress ${e.completed}/${e.total} (${e.percent}%) is over the total`, i);
    lastCompleted = Math.max(lastCompleted, e.completed);
    lastPercent = Math.max(lastPercent, e.percent);
  });
}
