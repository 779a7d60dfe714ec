/**
 * The simulated world's data model: its VMs, session hosts, user sessions and hosts, the stack's
 * ledger entries, the statistics a rehearsal reports, and the names and revisions a rehearsal
 * starts with. State only: world.ts holds the operations.
 */
import type { PowerState, UserSessionInfo } from "../core/ports";

/** Host pool tag holding the rollout record (JSON) in the simulation. */
export const RECORD_TAG = "avd-rollout-record";

/** Where a rehearsal starts in virtual time: a Monday morning. */
export const DEFAULT_START = Date.parse("2026-04-13T08:00:00.000Z");
/** Revision every host runs at the start, and the one stack config now asks for. */
export const DEPLOYED_REVISION = "r-1a2b3c4d";
export const DESIRED_REVISION = "r-5e6f7a8b";

/** Resource group of the VMs of session hosts this stack does not manage (`hostPool.unmanaged`). */
export const UNMANAGED_RESOURCE_GROUP = "rg-other-hosts";
/** A drain of a host listed in `faults.drainReverts` turns itself back off this long after it was set. */
export const DRAIN_REVERT_MS = 25_000;

/** The VMs a rehearsal starts with were built this long before it. */
export const ORIGINAL_AGE_MS = 30 * 24 * 3600_000;

/** Name of a host's original VM in a world started at {@link DEFAULT_START}. */
export function originalVmName(host: string, start = DEFAULT_START): string {
  return `${host}-${generationSuffix(start - ORIGINAL_AGE_MS)}`;
}

export interface WorldOptions {
  subscriptionId?: string;
  /** Resource group of the session host VMs. */
  vmResourceGroup?: string;
  /** Host pool, for the session host `name` prefix AVD uses (`hostPool/sessionHost`). */
  hostPoolName?: string;
}

export interface SimVm {
  name: string;
  resourceId: string;
  host: string;
  revision: string;
  powerState: PowerState;
  /** Extensions (directory join, AVD agent) finished; false while building or after a failed registration. */
  provisioned: boolean;
  createdAt: number;
  /** Deleted VMs no longer exist in Azure; a session host can still point at one. */
  deleted: boolean;
  /** Down for reasons of its own (an outage, `faults.outages`): its session host reports NoHeartbeat. */
  hung: boolean;
}

export interface SimSessionHost {
  /** FQDN: AVD's name of the session host. */
  name: string;
  /** `properties.resourceId`: the ARM id of the VM that registered. */
  resourceId: string;
  allowNewSession: boolean;
  /** That VM (kept by reference: status is read on every sign-in). */
  vm: SimVm;
}

export interface SimSession {
  id: string;
  user: string;
  host: string;
  state: "Active" | "Disconnected";
  createdAt: number;
  /** The session as AVD lists it, made once. */
  info?: UserSessionInfo;
  /** Messages this session received. */
  notices: number;
  /** Counted in sessionsNotifiedTwice (its user had been notified before). */
  notifiedTwice: boolean;
}

export interface SimHost {
  name: string;
  /** In the stack's ledger; false for a session host of the pool this stack does not manage. */
  managed: boolean;
  index: number;
  fqdn: string;
  /** Resource id of the newest VM generation (the one the ledger points to after an up). */
  vmId: string;
  /** The host's entry in the AVD host pool, or null when it is not registered. */
  sessionHost: SimSessionHost | null;
  sessions: Map<string, SimSession>;
}

export interface LedgerEntry {
  vmName: string;
  vmResourceId: string;
  revision: string;
}

export interface WorldStats {
  /** Sessions ended by the driver: forced sign-out, or killed by removal/deallocation. */
  forcedSignOuts: number;
  /** Notified sessions that their users signed out of themselves. */
  voluntarySignOuts: number;
  /** Sessions notified although their user had been notified before (same or earlier session). */
  sessionsNotifiedTwice: number;
  /** Messages delivered to a session that had already received one (a re-notification). */
  sessionsRenotified: number;
  /** Sign-ins that found no host with room. */
  rejectedSignIns: number;
  stackUps: number;
  /** ARM calls failed by injected transient faults. */
  transientFaults: number;
  registrationFailures: number;
  /**
   * The most hosts that were serving and accepting when the world started (the rollout's start)
   * and were not serving at the same moment: the capacity budget of spec 5.2, measured per host.
   */
  maxInitialHostsOut: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** `yyyy-MM-ddTHH-mm-ss` of a UTC instant, the suffix of a VM generation's name. */
export function generationSuffix(ms: number): string {
  return iso(ms).slice(0, 19).replace(/:/g, "-");
}
