/**
 * The rollout's invariants (spec section 5), checked over an event log. Pure: it sees only
 * the events of one rehearsal (driver and world events, in order) and the scenario, and
 * returns every violation found — an empty list means the run kept every promise.
 *
 * The property tests run random scenarios through `rehearse` and assert this finds nothing;
 * other tests feed it hand-made bad logs to show that it does find things.
 */
import type { AnyEvent, RolloutEvent } from "../core/events";
import type { Scenario } from "./scenario";
import { scenarioHostNames } from "./scenario";
import { originalVmName } from "./world";

export type InvariantName =
  | "timeOrder"
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

/** `-2` before `-10`: compares digit runs numerically. */
export function naturalCompare(a: string, b: string): number {
  const pa = a.match(/\d+|\D+/g) ?? [];
  const pb = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x) ? Number(x) : NaN;
    const ny = /^\d/.test(y) ? Number(y) : NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny) && nx !== ny) return nx - ny;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

const MINUTE = 60_000;
/** How long sending a host's messages (with retries) may take before its host.notified event. */
export const SEND_SLACK_MS = 15 * MINUTE;
/** Host-touching events that mean a host is being (re)worked. */
const REWORK: ReadonlySet<string> = new Set([
  "host.notified",
  "host.signedOut",
  "host.drained",
  "host.removed",
  "host.ready",
]);

export function checkInvariants(events: readonly AnyEvent[], scenario: Scenario): Violation[] {
  const violations: Violation[] = [];
  const add = (invariant: InvariantName, message: string, index?: number): void => {
    violations.push(index === undefined ? { invariant, message } : { invariant, message, index });
  };

  // ---- time order ----------------------------------------------------------------------
  let previous = Number.NEGATIVE_INFINITY;
  events.forEach((event, index) => {
    const t = Date.parse(event.t);
    if (Number.isNaN(t))
      add("timeOrder", `event ${event.type} has no valid time ${JSON.stringify(event.t)}`, index);
    else if (t < previous)
      add("timeOrder", `event ${event.type} at ${event.t} is earlier than the event before it`, index);
    else previous = t;
  });

  const startedAt = events.findIndex((e) => e.type === "rollout.started");
  if (startedAt < 0) {
    add("finishedOnce", "no rollout.started event");
    return violations;
  }
  const started = events[startedAt] as EventOf<"rollout.started">;
  const batchSize = started.batchSize;
  const delayMs = started.logOffDelayMinutes * MINUTE;
  const outOfDate = started.outOfDate;
  const time = (i: number): number => Date.parse(events[i].t);

  // ---- finished exactly once -------------------------------------------------------------
  const finished = events
    .map((e, i) => [e, i] as const)
    .filter(([e]) => e.type === "rollout.finished") as (readonly [EventOf<"rollout.finished">, number])[];
  if (finished.length !== 1)
    add("finishedOnce", `expected one rollout.finished event, found ${finished.length}`);
  const result = finished.length > 0 ? finished[finished.length - 1][0].result : undefined;

  // ---- capacity: available >= available at start - batch size, on every event ------------
  let baseline: number | undefined;
  for (let i = 0; i < startedAt; i++) {
    const e = events[i];
    if (e.type === "world.availability") baseline = e.available;
  }
  if (baseline !== undefined) {
    // Hosts in drain mode at the start serve their users but cost no budget (spec 5.2).
    const deallocatedAtStart = new Set(scenario.hostPool.deallocated);
    const drainedServing = scenario.hostPool.drained.filter((h) => !deallocatedAtStart.has(h)).length;
    const floor = baseline - batchSize - drainedServing;
    for (let i = startedAt; i < events.length; i++) {
      const e = events[i];
      if (e.type === "world.availability" && e.available < floor) {
        add(
          "capacity",
          `available hosts fell to ${e.available}, below ${baseline} at start - ${batchSize} batch size`,
          i,
        );
      }
    }
  }

  // ---- natural order and batches ---------------------------------------------------------
  const sorted = [...outOfDate].sort(naturalCompare);
  if (sorted.join(",") !== outOfDate.join(","))
    add("naturalOrder", `outOfDate is not in natural order: ${outOfDate.join(", ")}`, startedAt);
  const expectedOutOfDate = scenarioHostNames(scenario).sort(naturalCompare);
  if (expectedOutOfDate.join(",") !== outOfDate.join(",")) {
    add(
      "naturalOrder",
      `outOfDate lists ${outOfDate.length} hosts; every one of the ${expectedOutOfDate.length} hosts is out of date`,
      startedAt,
    );
  }
  const expectedBatch = (index: number): string[] =>
    index === 0 ? outOfDate.slice(0, 1) : outOfDate.slice(1 + (index - 1) * batchSize, 1 + index * batchSize);
  const batchOfHost = new Map<string, number>();
  outOfDate.forEach((host, i) => batchOfHost.set(host, i === 0 ? 0 : 1 + Math.floor((i - 1) / batchSize)));
  let lastBatch = -1;
  events.forEach((e, i) => {
    if (e.type !== "batch.started") return;
    if (e.batch <= lastBatch) add("naturalOrder", `batch ${e.batch} started after batch ${lastBatch}`, i);
    lastBatch = Math.max(lastBatch, e.batch);
    const expected = expectedBatch(e.batch);
    if (expected.join(",") !== e.hosts.join(",")) {
      add(
        "naturalOrder",
        `batch ${e.batch} has hosts [${e.hosts.join(", ")}], expected [${expected.join(", ")}]`,
        i,
      );
    }
  });

  // ---- initial host first and alone ------------------------------------------------------
  const initial = outOfDate[0];
  const initialReady = events.findIndex((e) => e.type === "host.ready" && e.host === initial);
  const untilInitial = initialReady < 0 ? events.length : initialReady;
  for (let i = startedAt; i < untilInitial; i++) {
    const e = events[i];
    const leaves =
      (e.type === "host.drained" || e.type === "host.removed" || e.type === "vm.deallocated") &&
      e.host !== initial;
    const upOthers = e.type === "stack.up" && e.hosts.some((h) => h !== initial);
    if (leaves || upOthers) {
      add(
        "initialFirstAndAlone",
        `${e.type} ${describe(e)} before the initial host ${initial} was back in service`,
        i,
      );
    }
  }

  // ---- notices: no forced sign-out before the delay since that host's first notice ----------
  const firstNotice = new Map<string, number>();
  const lastNoticeIndex = new Map<string, number>();
  const arrivalsSinceNotice = new Map<string, number>();
  for (let i = startedAt; i < events.length; i++) {
    const e = events[i];
    if (e.type === "host.notified") {
      if (!firstNotice.has(e.host)) {
        // The notice starts when the driver says (deadline - delay): the event follows the
        // messages, which may take a while (retries), so it may be stamped a little later.
        const deadline = Date.parse(e.deadline);
        firstNotice.set(e.host, Math.min(time(i), deadline - delayMs));
        if (deadline < time(i) + delayMs - SEND_SLACK_MS) {
          add(
            "noticeRespected",
            `host ${e.host} notified at ${e.t} with deadline ${e.deadline}, less than the ${started.logOffDelayMinutes} min delay`,
            i,
          );
        }
      } else {
        // A later notice is for sessions that appeared since: never more than arrived meanwhile.
        const arrived = arrivalsSinceNotice.get(e.host) ?? 0;
        if (e.sessions > arrived) {
          add(
            "noSessionNotifiedTwice",
            `host ${e.host} notified ${e.sessions} sessions again, only ${arrived} arrived since the previous notice`,
            i,
          );
        }
      }
      lastNoticeIndex.set(e.host, i);
      arrivalsSinceNotice.set(e.host, 0);
      // Sessions that signed in while this notice was being sent (listed before, reported
      // after) count as arrivals for the next notice too.
      let carried = 0;
      for (let j = i - 1; j >= startedAt && time(j) >= time(i) - SEND_SLACK_MS; j--) {
        const before = events[j];
        if (before.type === "world.session" && before.action === "signedIn" && before.host === e.host)
          carried++;
      }
      arrivalsSinceNotice.set(e.host, carried);
    } else if (
      e.type === "world.session" &&
      e.host !== null &&
      e.action === "signedIn" &&
      lastNoticeIndex.has(e.host)
    ) {
      arrivalsSinceNotice.set(e.host, (arrivalsSinceNotice.get(e.host) ?? 0) + 1);
    } else if (e.type === "world.session" && e.host !== null && e.action === "loggedOff") {
      const notice = firstNotice.get(e.host);
      if (notice === undefined)
        add("noticeRespected", `a session on ${e.host} was signed out by force without any notice`, i);
      else if (time(i) < notice + delayMs) {
        add(
          "noticeRespected",
          `a session on ${e.host} was signed out by force ${((time(i) - notice) / MINUTE).toFixed(1)} min after the notice, before the ${started.logOffDelayMinutes} min delay`,
          i,
        );
      }
    } else if (e.type === "host.signedOut" && e.forced > 0) {
      const notice = firstNotice.get(e.host);
      if (notice === undefined || time(i) < notice + delayMs) {
        add(
          "noticeRespected",
          `host.signedOut ${e.host} forced ${e.forced} before the delay since its notice`,
          i,
        );
      }
    }
  }

  // ---- stack.up: one per batch plus retries (and crash recoveries) --------------------------
  const ups = new Map<number, number>();
  const retries = new Map<number, number>();
  let crashes = 0;
  events.forEach((e, i) => {
    if (e.type === "driver.crashed") crashes++;
    if (e.type === "host.retry") {
      const b = batchOfHost.get(e.host);
      if (b !== undefined) retries.set(b, (retries.get(b) ?? 0) + 1);
    }
    if (e.type === "stack.up") {
      ups.set(e.batch, (ups.get(e.batch) ?? 0) + 1);
      const expected = new Set(expectedBatch(e.batch));
      const stray = e.hosts.filter((h) => !expected.has(h));
      if (stray.length > 0)
        add(
          "stackUpsPerBatch",
          `stack.up of batch ${e.batch} includes hosts of other batches: ${stray.join(", ")}`,
          i,
        );
    }
  });
  for (const [batch, count] of ups) {
    const allowed = 1 + (retries.get(batch) ?? 0) + crashes;
    if (count > allowed)
      add(
        "stackUpsPerBatch",
        `batch ${batch} ran stack.up ${count} times; allowed 1 + ${retries.get(batch) ?? 0} retries + ${crashes} crashes`,
      );
  }

  // ---- completed hosts never redone; hosts end updated and restored -----------------------
  const readyAt = new Map<string, number>();
  events.forEach((e, i) => {
    if (!("host" in e) || typeof e.host !== "string") return;
    const done = readyAt.get(e.host);
    if (done !== undefined && REWORK.has(e.type)) {
      add("completedNeverRedone", `${e.type} for ${e.host} after it was ready`, i);
    }
    if (e.type === "host.ready" && done === undefined) readyAt.set(e.host, i);
  });
  const drained = new Set(scenario.hostPool.drained);
  const deallocated = new Set(scenario.hostPool.deallocated);
  const failedHosts = new Set<string>();
  for (const e of events) if (e.type === "host.failed") failedHosts.add(e.host);
  for (const host of outOfDate) {
    const index = readyAt.get(host);
    if (index === undefined) {
      if (result === "succeeded")
        add("hostsEndUpdated", `host ${host} never became ready although the rollout succeeded`);
      continue;
    }
    const ready = events[index] as EventOf<"host.ready">;
    if (ready.allowNewSession !== !drained.has(host)) {
      add(
        "hostsEndUpdated",
        `host ${host} ended with allowNewSession=${ready.allowNewSession}, it started with ${!drained.has(host)}`,
        index,
      );
    }
    if (ready.vm === originalVmName(host))
      add("hostsEndUpdated", `host ${host} was declared ready on its original VM ${ready.vm}`, index);
    const power = deallocated.has(host) ? "deallocated" : "running";
    if (ready.powerState !== power)
      add("hostsEndUpdated", `host ${host} ended ${ready.powerState}, it started ${power}`, index);
  }
  if (result === "succeeded" && failedHosts.size > 0) {
    const stillFailed = [...failedHosts].filter((h) => !readyAt.has(h));
    if (stillFailed.length > 0)
      add("hostsEndUpdated", `rollout succeeded with failed hosts ${stillFailed.join(", ")}`);
  }

  // ---- originals deleted or retained per policy ----------------------------------------------
  // The world names each host's original VM deterministically; VMs of failed attempts may go either way.
  const wanted = started.deleteOriginalVm ? "vm.deleted" : "vm.retained";
  const unwanted = started.deleteOriginalVm ? "vm.retained" : "vm.deleted";
  const handled = new Set<string>();
  events.forEach((e, i) => {
    if (e.type !== "vm.deleted" && e.type !== "vm.retained") return;
    const readyIndex = readyAt.get(e.host);
    if (
      readyIndex !== undefined &&
      (events[readyIndex] as EventOf<"host.ready">).vm === e.vm &&
      e.type === "vm.deleted"
    ) {
      add("originalsPerPolicy", `vm.deleted of ${e.vm}, the new generation of ${e.host}`, i);
      return;
    }
    if (e.vm !== originalVmName(e.host)) return;
    if (e.type === unwanted)
      add(
        "originalsPerPolicy",
        `${e.type} of ${e.vm} although deleteOriginalVm is ${started.deleteOriginalVm}`,
        i,
      );
    else handled.add(e.host);
  });
  if (result === "succeeded") {
    for (const host of readyAt.keys()) {
      if (!handled.has(host)) add("originalsPerPolicy", `the original VM of ${host} has no ${wanted} event`);
    }
  }

  // ---- progress monotonic --------------------------------------------------------------------
  let lastCompleted = -1;
  let lastPercent = -1;
  events.forEach((e, i) => {
    if (e.type !== "rollout.progress") return;
    if (e.completed < lastCompleted || e.percent < lastPercent) {
      add(
        "progressMonotonic",
        `progress went back to ${e.completed} (${e.percent}%) from ${lastCompleted} (${lastPercent}%)`,
        i,
      );
    }
    if (e.completed > e.total || e.percent > 100)
      add("progressMonotonic", `progress ${e.completed}/${e.total} (${e.percent}%) is over the total`, i);
    lastCompleted = Math.max(lastCompleted, e.completed);
    lastPercent = Math.max(lastPercent, e.percent);
  });

  return violations;
}

function describe(e: RolloutEvent | AnyEvent): string {
  if ("host" in e && typeof e.host === "string") return e.host;
  if ("hosts" in e && Array.isArray(e.hosts)) return e.hosts.join(", ");
  return "";
}
