/**
 * What the emulator's routes need from "the world": the state behind the ARM endpoints.
 *
 * The emulator speaks HTTP and the REST specification; a backend holds the state. The
 * in-memory backend (memory-backend.ts) serves the emulator's own tests; the simulated-world
 * backend (world-backend.ts) answers from the SimulatedWorld that the simulated ports use, so
 * the adapters over HTTP and the simulated ports see one and the same pool.
 *
 * Resource ids are full ARM ids; backends compare them case-insensitively, as ARM does.
 */
import type { PowerState, SessionHostStatus, SessionState } from "../../../automation/core/ports";

export interface BackendSessionHost {
  /** AVD name of the session host (FQDN). */
  name: string;
  /** ARM id of the VM behind it. */
  resourceId: string;
  status: SessionHostStatus;
  allowNewSession: boolean;
  sessions: number;
  lastHeartBeat?: string;
}

export interface BackendUserSession {
  sessionHostName: string;
  /** Session id (last segment of the ARM id). */
  id: string;
  userPrincipalName: string;
  sessionState: SessionState;
  createTime?: string;
}

/** What deleting a VM does to a resource attached to it (`deleteOption` in the VM model). */
export type DeleteOption = "Delete" | "Detach";

export interface BackendVm {
  resourceId: string;
  location: string;
  /** OS computer name (the host name). */
  computerName: string;
  powerState: PowerState;
  nicIds: string[];
  osDiskId: string;
  /** `networkProfile.networkInterfaces[].properties.deleteOption` (the program declares `Delete`). */
  nicDeleteOption: DeleteOption;
  /** `storageProfile.osDisk.deleteOption` (the program declares `Delete`). */
  osDiskDeleteOption: DeleteOption;
}

export interface RegistrationState {
  expirationTime: string | null;
  token: string | null;
}

export interface EmulatorBackend {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly hostPoolName: string;
  readonly location: string;

  /** The host pool's `maxSessionLimit` and `loadBalancerType`. */
  hostPoolSettings(): { maxSessionLimit: number; loadBalancerType: "BreadthFirst" | "DepthFirst" };

  /** The world's time (virtual in a rehearsal): registration expiry is checked against it. */
  now(): number;

  hostPoolTags(): Record<string, string>;
  /** Replaces the host pool's tags as a whole (ARM's PATCH semantics for `tags`). */
  setHostPoolTags(tags: Record<string, string>): void;

  registration(): RegistrationState;
  /** `registrationTokenOperation: "Update"`: a new token valid until `expirationTime`. */
  renewRegistration(expirationTime: string): void;
  /** `registrationTokenOperation: "Delete"`. */
  deleteRegistration(): void;

  listSessionHosts(): BackendSessionHost[];
  /** Returns false when no such session host exists. */
  setAllowNewSession(sessionHostName: string, allowNewSession: boolean): boolean;
  /** Returns false when no such session host exists. */
  removeSessionHost(sessionHostName: string): boolean;

  listUserSessions(sessionHostName?: string): BackendUserSession[];
  /** Forced sign-out; false when no such session exists. */
  signOut(sessionHostName: string, sessionId: string): boolean;
  /** false when no such session exists. */
  sendMessage(sessionHostName: string, sessionId: string, title: string, body: string): boolean;
  disconnect(sessionHostName: string, sessionId: string): boolean;

  getVm(resourceId: string): BackendVm | undefined;
  /** Every VM that exists (NIC and disk deletes check what still references them). */
  listVms(): BackendVm[];
  /** The VM enters the transitional state (`deallocating` / `starting`) of a power operation. */
  beginPowerChange(resourceId: string, target: "deallocated" | "running"): void;
  /** The power operation completes. */
  completePowerChange(resourceId: string, target: "deallocated" | "running"): void;
  /** false when the VM did not exist. */
  deleteVm(resourceId: string): boolean;

  nicExists(resourceId: string): boolean;
  deleteNic(resourceId: string): boolean;
  diskExists(resourceId: string): boolean;
  deleteDisk(resourceId: string): boolean;
}
