/**
 * What one reconcile step sees: an immutable picture of the pool, the stack ledger and the
 * rollout record at one moment (the "observe" of observe -> decide -> act). Built by the
 * observer (observer.ts) from the ports; read by decide() (decide.ts), which is pure.
 */
import type { HostPhase } from "./phase";
import type { DeployedHost, PowerState, SessionHostInfo, UserSessionInfo } from "./ports";
import type { HostRecord, RolloutRecord } from "./record";
import type { BatchState } from "./policies/noticeSchedule";

export interface HostView {
  host: string;
  batch: number;
  entry: HostRecord | undefined;
  deployed: DeployedHost | undefined;
  /** Session host of the VM being replaced (for an untouched host: of its deployed VM). */
  original: SessionHostInfo | undefined;
  /** Session host of the new generation, matched by its VM's resource id. */
  fresh: SessionHostInfo | undefined;
  /**
   * A session host registered under the original's name for a VM that is neither the original
   * nor in the ledger yet: the new generation registering while its `up` still runs.
   */
  early: SessionHostInfo | undefined;
  /** Power state of the original VM, when it matters (committed and out of the pool). */
  originalPower?: PowerState | "notFound";
  /** Sessions on `original` as last listed (hosts under notice or leaving service). */
  sessions?: readonly UserSessionInfo[];
  /** Sessions on `fresh` as last listed (a new generation that must go back to deallocated). */
  freshSessions?: readonly UserSessionInfo[];
  phase: HostPhase;
}

export interface PoolObservation {
  /** The pool's per-host session limit. */
  maxSessionLimit: number;
  /** Session hosts serving and taking new sessions, of the whole pool (ours or not). */
  acceptingHosts: number;
  /** Session slots under the limit on those hosts. */
  freeSlots: number;
  /** Sign-ins per hour, estimated from the sessions' creation times. */
  arrivalsPerHour: number;
  /**
   * Users who leave a host now and sign in again would land on hosts already on the new
   * configuration, this many of them, before the load balancer sends them to a host still to be
   * updated (BreadthFirst fills the least loaded first); unbounded where the load balancer does not
   * prefer them anyway.
   */
  freshRoom: number;
}

export interface BudgetObservation {
  /** Of the stack's hosts that count (serving and accepting at the start), those serving now and not committed. */
  inService: number;
  /** The stack's budget hosts down now that this rollout has not taken out (they cost budget too). */
  downOnTheirOwn: string[];
}

/** What the reconciler has in flight: decide() must not start it twice, and counts it as done. */
export interface InFlight {
  /** Hosts with an action running, and which. */
  hosts: ReadonlyMap<string, string>;
  /** A `pulumi up` is running (for these hosts). */
  up: readonly string[] | null;
}

/** A set of host names, read-only (done hosts are counted, not listed, in a large pool). */
export interface HostSet {
  has(host: string): boolean;
  readonly size: number;
}

export interface Observation {
  now: number;
  record: RolloutRecord;
  /** Views of every planned host with a record entry, by name. */
  views: ReadonlyMap<string, HostView>;
  /** The planned hosts in batches (batch 0 is the initial host). */
  batches: readonly (readonly string[])[];
  /** Per batch, for the notice schedule and progress. */
  batchStates: readonly BatchState[];
  /** Planned hosts that are done (new generation in the ledger, nothing left to do). */
  done: HostSet;
  /** The session host of a planned host's current VM (original, or new generation), when registered. */
  sessionHostOf: (host: string) => SessionHostInfo | undefined;
  /** Planned hosts without an entry and not done (not touched yet). */
  pendingCount: number;
  pool: PoolObservation;
  budget: BudgetObservation;
  inFlight: InFlight;
}
