/**
 * The simulated pool's capacity, kept up to date host by host: how many hosts serve, how many
 * accept new sessions, how many session slots are free on those, and where the load balancer
 * puts the next sign-in. Every change to a host (its VM, its registration, its drain mode, its
 * sessions) is reported with {@link PoolCapacity.update}; nothing is recounted over the pool, so a
 * 10,000-host rehearsal pays per change, not per host.
 *
 * Load balancing (pooled host pools): among hosts serving, accepting and under the session limit,
 * BreadthFirst takes the one with the fewest sessions, DepthFirst the one with the most; ties go
 * to the lowest host index, which keeps rehearsals deterministic.
 */
import type { LoadBalancerType } from "./loadBalancer";

export interface CapacityHost {
  index: number;
}

interface HostState {
  serving: boolean;
  accepting: boolean;
  sessions: number;
  /** Down for reasons of its own (an outage) while still in the pool: not counted as taken out. */
  outOnItsOwn?: boolean;
}

export interface CapacityCounts {
  /** Hosts serving users (registered, Available), whatever their drain mode. */
  available: number;
  /** Of those, hosts taking new sessions. */
  accepting: number;
  /** Session slots under the limit on accepting hosts. */
  freeSlots: number;
}

/** Hosts with room, grouped by session count, each group sorted by host index. */
class RoomBuckets<H extends CapacityHost> {
  private readonly buckets = new Map<number, H[]>();
  /** The session counts that have hosts, ascending. */
  private readonly keys: number[] = [];

  add(host: H, sessions: number): void {
    let bucket = this.buckets.get(sessions);
    if (!bucket) {
      bucket = [];
      this.buckets.set(sessions, bucket);
      this.keys.splice(
        lowerBound(this.keys, sessions, (k) => k),
        0,
        sessions,
      );
    }
    bucket.splice(
      lowerBound(bucket, host.index, (h) => h.index),
      0,
      host,
    );
  }

  remove(host: H, sessions: number): void {
    const bucket = this.buckets.get(sessions);
    if (!bucket) return;
    const at = lowerBound(bucket, host.index, (h) => h.index);
    if (bucket[at] !== host) return;
    bucket.splice(at, 1);
    if (bucket.length === 0) {
      this.buckets.delete(sessions);
      this.keys.splice(
        lowerBound(this.keys, sessions, (k) => k),
        1,
      );
    }
  }

  /** The host the load balancer picks, skipping `exclude`. */
  pick(fewest: boolean, exclude: H | undefined): H | null {
    const n = this.keys.length;
    for (let i = 0; i < n; i++) {
      const bucket = this.buckets.get(this.keys[fewest ? i : n - 1 - i]) as H[];
      for (const host of bucket) if (host !== exclude) return host;
    }
    return null;
  }
}

function takenOut(state: HostState): boolean {
  return !state.serving && !state.outOnItsOwn;
}

function lowerBound<T>(items: readonly T[], value: number, keyOf: (item: T) => number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keyOf(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PoolCapacity<H extends CapacityHost> {
  private readonly states = new Map<H, HostState>();
  private readonly room = new RoomBuckets<H>();
  private readonly counts: CapacityCounts = { available: 0, accepting: 0, freeSlots: 0 };
  /** Hosts serving and accepting when the rollout started (the budget's hosts), and how many of them are out now. */
  private baseline: Set<H> | null = null;
  private baselineOut = 0;
  /** The most baseline hosts out at one moment. */
  maxBaselineOut = 0;

  constructor(
    private readonly limit: number,
    private readonly loadBalancer: LoadBalancerType,
    private readonly observe: (host: H) => HostState,
  ) {}

  get current(): Readonly<CapacityCounts> {
    return this.counts;
  }

  /** Re-reads one host's state and adjusts the counts and the load balancer's candidates. */
  update(host: H): void {
    const before = this.states.get(host) ?? { serving: false, accepting: false, sessions: 0 };
    const after = this.observe(host);
    if (
      before.serving === after.serving &&
      before.accepting === after.accepting &&
      before.sessions === after.sessions &&
      Boolean(before.outOnItsOwn) === Boolean(after.outOnItsOwn)
    )
      return;
    this.counts.available += Number(after.serving) - Number(before.serving);
    this.counts.accepting += Number(after.accepting) - Number(before.accepting);
    this.counts.freeSlots += this.slots(after) - this.slots(before);
    if (this.hasRoom(before)) this.room.remove(host, before.sessions);
    if (this.hasRoom(after)) this.room.add(host, after.sessions);
    if (this.baseline?.has(host) && takenOut(before) !== takenOut(after)) {
      this.baselineOut += takenOut(after) ? 1 : -1;
      this.maxBaselineOut = Math.max(this.maxBaselineOut, this.baselineOut);
    }
    this.states.set(host, after);
  }

  /** Marks the hosts serving and accepting now (of those `counts` selects) as the budget's baseline. */
  markBaseline(counts: (host: H) => boolean = () => true): void {
    this.baseline = new Set(
      [...this.states].filter(([host, s]) => s.accepting && counts(host)).map(([host]) => host),
    );
    this.baselineOut = 0;
  }

  isAccepting(host: H): boolean {
    return this.states.get(host)?.accepting ?? false;
  }

  /** Where the load balancer puts a sign-in (never on `exclude`), or null when no host has room. */
  choose(exclude?: H): H | null {
    if (this.loadBalancer === "BreadthFirst") return this.room.pick(true, exclude);
    return this.room.pick(false, exclude);
  }

  private slots(state: HostState): number {
    return state.accepting ? Math.max(0, this.limit - state.sessions) : 0;
  }

  private hasRoom(state: HostState): boolean {
    return state.accepting && state.sessions < this.limit;
  }
}
