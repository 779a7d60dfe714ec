/**
 * The observer's running index of the pool's session hosts: by VM resource id and by name, with
 * the figures decide() needs about the whole pool — accepting hosts and their free slots, and the
 * stack's hosts serving or down. A step hands it the fresh list; it looks at each entry once and
 * recomputes only those that changed (a list entry the port returns unchanged is the same
 * object), so a step over a 10,000-host pool costs what changed, plus one pass of identity checks.
 */
import { resourceKey } from "./planner";
import type { SessionHostInfo } from "./ports";

interface Entry {
  info: SessionHostInfo;
  name: string;
  key: string;
  seen: number;
  /** false once removed from the index. */
  live: boolean;
  /** Its index in the list of the refresh that last saw it. */
  position: number;
}

export interface PoolFigures {
  /** Session hosts serving and taking new sessions (ours or not). */
  acceptingHosts: number;
  /** Session slots under the limit on those. */
  freeSlots: number;
  /** Of the stack's hosts (the ledger's VMs), those serving and accepting. */
  managedAccepting: number;
  /** Accepting hosts already on the new configuration, and their sessions. */
  freshAccepting: number;
  freshSessions: number;
}

export class PoolIndex {
  private readonly byName = new Map<string, Entry>();
  /** The same entries, by the list object the port returned (identity: no string work when unchanged). */
  private readonly byInfo = new Map<SessionHostInfo, Entry>();
  private readonly byKey = new Map<string, SessionHostInfo>();
  private readonly figures: PoolFigures = {
    acceptingHosts: 0,
    freeSlots: 0,
    managedAccepting: 0,
    freshAccepting: 0,
    freshSessions: 0,
  };
  /** Accepting hosts not on the new configuration, counted by their sessions (for the least loaded). */
  private readonly oldAcceptingBySessions = new Map<number, number>();
  /** Accepting hosts on the new configuration, counted by their sessions (DepthFirst's room). */
  private readonly freshAcceptingBySessions = new Map<number, number>();
  /** The stack's hosts whose session host accepts but is not Available (down for reasons of its own). */
  private readonly managedDown = new Set<string>();
  private pass = 0;
  private last: readonly SessionHostInfo[] = [];
  private lastEntries: Entry[] = [];
  private limit = Number.POSITIVE_INFINITY;
  private managed: ReadonlySet<string> = new Set();
  private fresh: ReadonlySet<string> = new Set();

  /**
   * Takes the step's list. `managed` (resource keys of the ledger's VMs) and `fresh` (those on the
   * new configuration) change only after an `up`.
   */
  refresh(
    list: readonly SessionHostInfo[],
    maxSessionLimit: number,
    managed: ReadonlySet<string>,
    fresh: ReadonlySet<string> = new Set(),
  ): void {
    if (maxSessionLimit !== this.limit || managed !== this.managed || fresh !== this.fresh) {
      // The figures depend on these: take every entry out under the old ones, back in under the new.
      for (const entry of this.byName.values()) this.count(entry, -1);
      this.limit = maxSessionLimit;
      this.managed = managed;
      this.fresh = fresh;
      for (const entry of this.byName.values()) this.count(entry, 1);
    }
    const pass = ++this.pass;
    const last = this.last;
    const lastEntries = this.lastEntries;
    const entries: Entry[] = new Array<Entry>(list.length);
    let seen = 0;
    // Where this entry was in the last list, if unchanged: one past the previous one's place (the
    // common case, no lookup), so a host that left or joined costs one lookup, not one per host after it.
    let expected = 0;
    for (let i = 0; i < list.length; i++) {
      const info = list[i];
      const inPlace = last[expected] === info ? lastEntries[expected] : undefined;
      const unchanged = inPlace?.live ? inPlace : this.byInfo.get(info);
      if (unchanged) {
        expected = (inPlace === unchanged ? expected : unchanged.position) + 1;
        unchanged.position = i;
        unchanged.seen = pass;
        entries[i] = unchanged;
        seen++;
        continue;
      }
      const name = info.name.toLowerCase();
      const previous = this.byName.get(name);
      if (previous) this.remove(previous);
      const added: Entry = {
        info,
        name,
        key: resourceKey(info.resourceId),
        seen: pass,
        live: true,
        position: i,
      };
      this.byName.set(name, added);
      this.byInfo.set(info, added);
      this.byKey.set(added.key, info);
      this.count(added, 1);
      entries[i] = added;
      seen++;
    }
    this.last = list;
    this.lastEntries = entries;
    if (seen < this.byName.size) {
      for (const entry of this.byName.values()) if (entry.seen !== pass) this.remove(entry);
    }
  }

  byResource(resourceId: string): SessionHostInfo | undefined {
    return this.byKey.get(resourceKey(resourceId));
  }

  byResourceKey(key: string): SessionHostInfo | undefined {
    return this.byKey.get(key);
  }

  byHostName(name: string): SessionHostInfo | undefined {
    return this.byName.get(name.toLowerCase())?.info;
  }

  /** Session hosts in the pool (as of the last refresh). */
  get size(): number {
    return this.byName.size;
  }

  get current(): Readonly<PoolFigures> {
    return this.figures;
  }

  /** Sessions on the least loaded accepting host that is not on the new configuration, or null when none accepts. */
  get leastLoadedOld(): number | null {
    let least: number | null = null;
    for (const [sessions, count] of this.oldAcceptingBySessions)
      if (count > 0 && (least === null || sessions < least)) least = sessions;
    return least;
  }

  /**
   * How many sign-ins DepthFirst sends to hosts on the new configuration before one lands on a host
   * still to be updated: it fills the fullest accepting host with room first, so only the room on
   * fresh hosts fuller than every old host with room counts (counted low: ties go either way).
   */
  freshRoomDepthFirst(): number {
    let fullestOld = -1;
    for (const [sessions, count] of this.oldAcceptingBySessions)
      if (count > 0 && sessions < this.limit && sessions > fullestOld) fullestOld = sessions;
    let room = 0;
    for (const [sessions, count] of this.freshAcceptingBySessions)
      if (sessions > fullestOld && sessions < this.limit) room += count * (this.limit - sessions);
    return room;
  }

  /** Resource keys of the stack's VMs whose session host accepts but is not Available. */
  get downManaged(): ReadonlySet<string> {
    return this.managedDown;
  }

  private remove(entry: Entry): void {
    entry.live = false;
    this.count(entry, -1);
    this.byName.delete(entry.name);
    this.byInfo.delete(entry.info);
    if (this.byKey.get(entry.key) === entry.info) this.byKey.delete(entry.key);
  }

  private count(entry: Entry, sign: 1 | -1): void {
    const { info, key } = entry;
    const accepting = info.status === "Available" && info.allowNewSession;
    if (accepting) {
      this.figures.acceptingHosts += sign;
      this.figures.freeSlots += sign * Math.max(0, this.limit - info.sessions);
      if (this.fresh.has(key)) {
        this.figures.freshAccepting += sign;
        this.figures.freshSessions += sign * info.sessions;
        tally(this.freshAcceptingBySessions, info.sessions, sign);
      } else tally(this.oldAcceptingBySessions, info.sessions, sign);
    }
    if (!this.managed.has(key)) return;
    if (accepting) this.figures.managedAccepting += sign;
    else if (info.allowNewSession) {
      if (sign > 0) this.managedDown.add(key);
      else this.managedDown.delete(key);
    }
  }
}

function tally(counts: Map<number, number>, sessions: number, sign: 1 | -1): void {
  const count = (counts.get(sessions) ?? 0) + sign;
  if (count === 0) counts.delete(sessions);
  else counts.set(sessions, count);
}
