/**
 * Splitting an event log into runs. One log file can hold several rollouts (`--events` appends),
 * and rehearsals all start at the same virtual time, so two appended rehearsals may even share a
 * rollout id. The rules:
 *
 * - Lines are in time order within one run; where time steps back, a new *segment* begins (the
 *   next rehearsal, or another machine continuing with a slightly different clock).
 * - Inside a segment, driver events are grouped by their `rollout` id.
 * - A group in a later segment that does not start its rollout (no `rollout.started`) continues
 *   the earlier run of the same id — a resumed driver, a `continue` after a time-boxed run.
 * - World events (rehearsals only; they carry no id) belong to the run whose driver events were
 *   last seen before them in their segment, or to the segment's first run.
 * - Driver events without a `rollout` id (logs of drivers older than that field) belong to the
 *   run most recently started in the segment.
 */
import type { LoggedEvent } from "./eventLog";

export interface RunLog {
  /** The rollout id; null when the log never named one. */
  rollout: string | null;
  /** The run's events (driver and world) in log order. */
  events: LoggedEvent[];
}

const isWorld = (event: LoggedEvent): boolean =>
  event.type.startsWith("world.") || event.type === "driver.crashed" || event.type === "driver.resumed";

function segmentsOf(events: readonly LoggedEvent[]): LoggedEvent[][] {
  const segments: LoggedEvent[][] = [];
  let current: LoggedEvent[] = [];
  let last = Number.NEGATIVE_INFINITY;
  for (const event of events) {
    const t = Date.parse(event.t);
    if (t < last && current.length > 0) {
      segments.push(current);
      current = [];
    }
    current.push(event);
    last = t;
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

interface Group {
  rollout: string | null;
  events: LoggedEvent[];
  started: boolean;
}

function groupsOf(segment: readonly LoggedEvent[]): Group[] {
  const groups: Group[] = [];
  const byId = new Map<string | null, Group>();
  const pendingWorld: LoggedEvent[] = [];
  let active: Group | undefined;
  const groupFor = (id: string | null): Group => {
    let group = byId.get(id);
    if (!group) {
      group = { rollout: id, events: [], started: false };
      byId.set(id, group);
      groups.push(group);
    }
    return group;
  };
  for (const event of segment) {
    if (isWorld(event)) {
      if (active) active.events.push(event);
      else pendingWorld.push(event);
      continue;
    }
    const id =
      "rollout" in event && typeof event.rollout === "string" ? event.rollout : (active?.rollout ?? null);
    const group = groupFor(id);
    if (event.type === "rollout.started") group.started = true;
    if (!active && pendingWorld.length > 0) group.events.push(...pendingWorld.splice(0));
    group.events.push(event);
    active = group;
  }
  // A segment of world events only (the driver never spoke) is no run of its own.
  return groups;
}

export function splitRuns(events: readonly LoggedEvent[]): RunLog[] {
  const runs: RunLog[] = [];
  const latestById = new Map<string, RunLog>();
  for (const segment of segmentsOf(events)) {
    for (const group of groupsOf(segment)) {
      const earlier = group.rollout !== null ? latestById.get(group.rollout) : undefined;
      if (earlier && !group.started) {
        earlier.events.push(...group.events);
        continue;
      }
      const run: RunLog = { rollout: group.rollout, events: group.events };
      runs.push(run);
      if (group.rollout !== null) latestById.set(group.rollout, run);
    }
  }
  return runs;
}
