/**
 * The seams between the rollout driver and the world (spec section 2).
 *
 * The driver depends only on these interfaces. Each has a real adapter (Azure SDK under
 * `automation/azure/`, Automation API under `automation/pulumi/`) and a simulated one under
 * `automation/sim/`, all backed, in the simulation, by one shared simulated world.
 *
 * Every port instance is bound to one host pool (and its stack) at construction.
 * Methods are idempotent where the spec allows: re-running a step after a crash must be safe.
 */
import type { RolloutRecord } from "./record";

// ---------------------------------------------------------------------------------------------
// HostPool port — the AVD data plane (Microsoft.DesktopVirtualization)
// ---------------------------------------------------------------------------------------------

/** Session host `status` as AVD reports it; only `Available` counts as serving. */
export type SessionHostStatus =
  | "Available"
  | "Unavailable"
  | "Shutdown"
  | "Disconnected"
  | "Upgrading"
  | "UpgradeFailed"
  | "NoHeartbeat"
  | "NotJoinedToDomain"
  | "DomainTrustRelationshipLost"
  | "SxSStackListenerNotReady"
  | "FSLogixNotHealthy"
  | "NeedsAssistance";

export interface SessionHostInfo {
  /**
   * AVD's name of the session host: its FQDN (`avdprod-0.corp.contoso.com`), without the
   * host pool prefix. Never match it to a VM by name; use {@link resourceId}.
   */
  name: string;
  /** ARM id of the VM behind it (`properties.resourceId`); compare case-insensitively. */
  resourceId: string;
  status: SessionHostStatus;
  /** false = drain mode on. */
  allowNewSession: boolean;
  /** Number of user sessions AVD counts on the host. */
  sessions: number;
  /** Health-relevant last update as AVD reports it (ISO), when known. */
  lastHeartBeat?: string;
}

export type SessionState =
  "Unknown" | "Active" | "Disconnected" | "Pending" | "LogOff" | "UserProfileDiskMounted";

export interface UserSessionInfo {
  /** The session host's AVD name (FQDN) this session is on. */
  sessionHostName: string;
  /** The session id used by sendMessage / signOut: the last segment of the ARM id. */
  id: string;
  userPrincipalName: string;
  sessionState: SessionState;
  /** ISO time the session was created, when known. */
  createTime?: string;
}

/** The stored rollout record with the concurrency token it was read with. */
export interface StoredRecord {
  /** null when no rollout record exists on the pool. */
  record: RolloutRecord | null;
  /** Opaque concurrency token (ARM etag or equivalent); null when none exists yet. */
  etag: string | null;
}

/** Thrown by {@link HostPoolPort.writeRecord} when the stored record changed since it was read. */
export class RecordConflictError extends Error {
  constructor(message = "the rollout record was changed by someone else since it was read") {
    super(message);
    this.name = "RecordConflictError";
  }
}

/** Load balancing of a pooled host pool, as AVD names it. */
export type LoadBalancerType = "BreadthFirst" | "DepthFirst" | "Persistent" | "MultiplePersistent";

/** The host pool's settings that decide where new sessions go (read once per rollout step). */
export interface HostPoolInfo {
  /** Sessions a session host takes at most (`maxSessionLimit`). */
  maxSessionLimit: number;
  loadBalancerType: LoadBalancerType;
}

export interface HostPoolPort {
  /** The host pool's session limit and load balancing. */
  getHostPoolInfo(): Promise<HostPoolInfo>;
  /** Every session host of the pool (all pages). */
  listSessionHosts(): Promise<SessionHostInfo[]>;
  /** User sessions of the pool, or of one session host (all pages). */
  listUserSessions(sessionHostName?: string): Promise<UserSessionInfo[]>;
  /** Shows a message in the session; disconnected sessions cannot read it (no error). */
  sendMessage(sessionHostName: string, sessionId: string, title: string, body: string): Promise<void>;
  /** Forced sign-out. Signing out a session that is already gone succeeds. */
  signOut(sessionHostName: string, sessionId: string): Promise<void>;
  /**
   * Sets drain mode (`drain: true` means allowNewSession=false), then re-reads and re-asserts
   * until the host reports the requested value.
   */
  setDrainMode(sessionHostName: string, drain: boolean): Promise<void>;
  /** Removes the session host from the pool (forced). Removing an absent host succeeds. */
  removeSessionHost(sessionHostName: string): Promise<void>;
  /**
   * Makes sure the pool has a registration token valid for at least `validForMinutes` more
   * minutes, renewing it when needed. Returns its expiry only: the token itself is a secret
   * that the Pulumi program reads with the azure-native invoke.
   */
  ensureRegistrationToken(validForMinutes: number): Promise<{ expiresAt: string }>;
  /** Reads the rollout record (spec section 6). */
  readRecord(): Promise<StoredRecord>;
  /**
   * Writes (or with `record: null`, clears) the rollout record if the stored one still has
   * `expectedEtag`; returns the new etag. Throws {@link RecordConflictError} otherwise.
   */
  writeRecord(record: RolloutRecord | null, expectedEtag: string | null): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// Compute port — VMs (Microsoft.Compute / Microsoft.Network)
// ---------------------------------------------------------------------------------------------

/** The `PowerState/...` code of the VM instance view, without the prefix. */
export type PowerState =
  "running" | "starting" | "stopping" | "stopped" | "deallocating" | "deallocated" | "unknown";

export interface ComputePort {
  /** Power state of the VM with this ARM id, or `notFound` when the VM does not exist. */
  getPowerState(vmResourceId: string): Promise<PowerState | "notFound">;
  /** Deallocates and waits for completion (long-running operation). Idempotent. */
  deallocate(vmResourceId: string): Promise<void>;
  /** Starts and waits for completion. Idempotent. */
  start(vmResourceId: string): Promise<void>;
  /** Deletes the VM, then its NIC(s) and OS disk, waiting for each. A 404 is success. */
  deleteVm(vmResourceId: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Stack port — the Pulumi stack (Automation API)
// ---------------------------------------------------------------------------------------------

/** One host as the stack state records it: the ledger (spec section 4). */
export interface DeployedHost {
  /** The host name `<prefix>-<i>` (also the VM's computer name). */
  host: string;
  /** Azure resource name of the current VM generation, `<host>-<yyyy-MM-ddTHH-mm-ss>`. */
  vmName: string;
  /** ARM id of that VM. */
  vmResourceId: string;
  /** Configuration revision the generation was built from (the VM's revision tag). */
  revision: string;
}

/** What the program would declare now (from stack configuration). */
export interface DesiredPool {
  /** Revision of the session host configuration in stack config. */
  revision: string;
  /** Host names `<prefix>-0 .. <prefix>-<count-1>`. */
  hosts: string[];
  /** Update policy from stack config (`avd-rollout:update`). */
  update: {
    maxVmsRemoved: number;
    logOffDelayMinutes: number;
    logOffMessage: string;
    deleteOriginalVm: boolean;
  };
}

/** A batch as handed to the program: which hosts may change, and to what. */
export interface BatchSpec {
  /** Batch index; 0 is the initial host. */
  index: number;
  /** Hosts whose resources may be replaced by this `up`. */
  hosts: string[];
}

export interface PreviewVerdict {
  /** URNs (or host-qualified names) of resources outside the batch that would be replaced or deleted. */
  outsideBatchChanges: string[];
  /** Resources of the batch that would be replaced or created. */
  batchChanges: string[];
}

export interface UpResult {
  result: "succeeded" | "failed";
  /** Summary of the failure, secrets redacted. */
  error?: string;
  /** Per-host failure message when the failure could be attributed to hosts. */
  failedHosts?: Record<string, string>;
}

export interface StackPort {
  /** The hosts recorded in stack state, in no particular order. */
  readDeployedHosts(): Promise<DeployedHost[]>;
  /** The desired configuration as the program would read it from stack config. */
  readDesired(): Promise<DesiredPool>;
  /** Previews the batch program and reports what would change (spec section 4, last paragraph). */
  preview(batch: BatchSpec): Promise<PreviewVerdict>;
  /** Runs `pulumi up` with the batch program; creates the new generation of the batch's hosts. */
  up(batch: BatchSpec): Promise<UpResult>;
}

// ---------------------------------------------------------------------------------------------
// Clock
// ---------------------------------------------------------------------------------------------

export interface Clock {
  /** Milliseconds since the epoch (virtual in the simulation). */
  now(): number;
  /** Resolves after `ms` milliseconds of (virtual or real) time. */
  sleep(ms: number): Promise<void>;
}

/** The ports the driver runs on. */
export interface Ports {
  hostPool: HostPoolPort;
  compute: ComputePort;
  stack: StackPort;
  clock: Clock;
}
