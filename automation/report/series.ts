/**
 * Time series of a run: capacity (hosts serving, accepting, out of service) and users (sessions,
 * notices, sign-outs, refused sign-ins). A 1,000-host rehearsal logs tens of thousands of changes;
 * the series keep every change up to {@link MAX_POINTS} and beyond that one point per time bucket,
 * keeping each bucket's extreme (the lowest capacity, the most hosts out) so no dip disappears.
 */
import type { LoggedEvent } from "./eventLog";
import { isType } from "./eventLog";

export const MAX_POINTS = 1500;
const BUCKETS = 750;

export interface CapacityPoint {
  t: number;
  /** Hosts serving; from the world when logged, else the planned hosts minus those out of service. */
  serving: number | null;
  /** Hosts accepting new sessions; null without world events. */
  accepting: number | null;
  outOfService: number;
}

export interface UsersPoint {
  t: number;
  /** Sessions signed in; null without world events. */
  sessions: number | null;
  /** Sessions notified so far. */
  notices: number;
  /** Sessions signed out by the driver so far. */
  forced: number;
  /** Sessions whose users signed out themselves after a notice, so far; null without world events. */
  voluntary: number | null;
  /** Sign-ins refused (no host had room) so far; null without world events. */
  refused: number | null;
}

interface HostWindow {
  leftAt: number | null;
  returnedAt: number | null;
  /** false: it was not serving new sessions before (restored deallocated or drained), so its absence costs no capacity. */
  servedBefore?: boolean;
}

/** Collapses `points` (sorted by t) to at most MAX_POINTS, merging each bucket with `merge`. */
export function downsample<P extends { t: number }>(points: P[], merge: (bucket: P[]) => P): P[] {
  if (points.length <= MAX_POINTS) return points;
  const first = points[0].t;
  const span = points[points.length - 1].t - first || 1;
  const out: P[] = [];
  let bucket: P[] = [];
  let index = 0;
  for (const point of points) {
    const at = Math.min(BUCKETS - 1, Math.floor(((point.t - first) / span) * BUCKETS));
    if (at !== index && bucket.length > 0) {
      out.push(merge(bucket));
      bucket = [];
    }
    index = at;
    bucket.push(point);
  }
  if (bucket.length > 0) out.push(merge(bucket));
  // Keep the true last point so the series ends where the run does.
  const last = points[points.length - 1];
  if (out[out.length - 1].t !== last.t) out.push(last);
  return out;
}

const minOf = (values: (number | null)[]): number | null =>
  values.reduce<number | null>(
    (least, v) => (v === null ? least : least === null ? v : Math.min(least, v)),
    null,
  );

export function capacitySeries(
  events: readonly LoggedEvent[],
  hosts: readonly HostWindow[],
  plannedHosts: number | null,
): CapacityPoint[] {
  const deltas = new Map<number, number>();
  for (const host of hosts) {
    if (host.leftAt === null || host.servedBefore === false) continue;
    deltas.set(host.leftAt, (deltas.get(host.leftAt) ?? 0) + 1);
    if (host.returnedAt !== null) deltas.set(host.returnedAt, (deltas.get(host.returnedAt) ?? 0) - 1);
  }
  const world = new Map<number, { available?: number; accepting?: number }>();
  for (const event of events)
    if (isType(event, "world.availability"))
      world.set(Date.parse(event.t), { available: event.available, accepting: event.accepting });
  const haveWorld = world.size > 0;
  const times = [...new Set([...deltas.keys(), ...world.keys()])].sort((a, b) => a - b);
  if (events.length > 0) {
    const first = Date.parse(events[0].t);
    const last = Date.parse(events[events.length - 1].t);
    if (times.length === 0 || times[0] > first) times.unshift(first);
    if (times[times.length - 1] < last) times.push(last);
  }
  const points: CapacityPoint[] = [];
  let out = 0;
  let serving: number | null = null;
  let accepting: number | null = null;
  for (const t of times) {
    out += deltas.get(t) ?? 0;
    const w = world.get(t);
    if (w) {
      serving = w.available ?? serving;
      accepting = w.accepting ?? accepting;
    }
    const servingNow = haveWorld ? serving : plannedHosts !== null ? plannedHosts - out : null;
    const previous = points[points.length - 1];
    const point = { t, serving: servingNow, accepting: haveWorld ? accepting : null, outOfService: out };
    if (
      previous &&
      previous.serving === point.serving &&
      previous.accepting === point.accepting &&
      previous.outOfService === point.outOfService &&
      t !== times[times.length - 1]
    )
      continue;
    points.push(point);
  }
  return downsample(points, (bucket) => ({
    t: bucket[0].t,
    serving: minOf(bucket.map((p) => p.serving)),
    accepting: minOf(bucket.map((p) => p.accepting)),
    outOfService: bucket.reduce((most, p) => Math.max(most, p.outOfService), 0),
  }));
}

export function usersSeries(events: readonly LoggedEvent[]): UsersPoint[] {
  const haveWorld = events.some((e) => e.type === "world.session");
  const notified = new Set<string>();
  const points: UsersPoint[] = [];
  let current: UsersPoint = {
    t: events.length > 0 ? Date.parse(events[0].t) : 0,
    sessions: haveWorld ? 0 : null,
    notices: 0,
    forced: 0,
    voluntary: haveWorld ? 0 : null,
    refused: haveWorld ? 0 : null,
  };
  const record = (t: number, change: Partial<UsersPoint>): void => {
    current = { ...current, ...change, t };
    const previous = points[points.length - 1];
    if (previous && previous.t === t) points[points.length - 1] = current;
    else points.push(current);
  };
  for (const event of events) {
    const t = Date.parse(event.t);
    if (isType(event, "host.notified")) {
      for (const id of event.sessionIds ?? []) notified.add(id);
      const count = event.sessions ?? event.sessionIds?.length ?? 0;
      if (count > 0) record(t, { notices: current.notices + count });
    } else if (isType(event, "host.signedOut") && !haveWorld) {
      if ((event.forced ?? 0) > 0) record(t, { forced: current.forced + (event.forced ?? 0) });
    } else if (isType(event, "world.session")) {
      const sessions = current.sessions ?? 0;
      if (event.action === "signedIn") record(t, { sessions: sessions + 1 });
      else if (event.action === "refused") record(t, { refused: (current.refused ?? 0) + 1 });
      else if (event.action === "loggedOff")
        record(t, { sessions: sessions - 1, forced: current.forced + 1 });
      else if (event.action === "signedOut") {
        const afterNotice = event.session !== undefined && notified.has(event.session);
        record(t, {
          sessions: sessions - 1,
          voluntary: (current.voluntary ?? 0) + (afterNotice ? 1 : 0),
        });
      }
    }
  }
  if (events.length > 0) {
    const last = Date.parse(events[events.length - 1].t);
    if (points.length === 0 || points[points.length - 1].t < last) record(last, {});
  }
  // Cumulative counts only grow: a bucket's last point is exact (sessions: its last value).
  return downsample(points, (bucket) => bucket[bucket.length - 1]);
}
