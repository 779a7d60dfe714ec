/**
 * A self-contained in-memory world behind the emulator, for the emulator's own tests (the
 * contract suite and the end-to-end rehearsal use the simulated world instead).
 */
import { randomUUID } from "node:crypto";
import type { PowerState, SessionHostStatus, SessionState } from "../../../automation/core/ports";
import type {
  BackendSessionHost,
  BackendUserSession,
  BackendVm,
  DeleteOption,
  EmulatorBackend,
  RegistrationState,
} from "./backend";

export interface MemoryHostSpec {
  /** Host name `<prefix>-<i>`; the session host is `<host>.<domain>`, the VM `<host>-vm`. */
  host: string;
  sessions?: Array<{ user: string; state?: SessionState }>;
  allowNewSession?: boolean;
  status?: SessionHostStatus;
  powerState?: PowerState;
  /** The NIC's and OS disk's `deleteOption` (default `Delete`, as the program declares). */
  deleteOption?: DeleteOption;
}

export interface DeliveredMessage {
  sessionHostName: string;
  sessionId: string;
  title: string;
  body: string;
}

export class MemoryBackend implements EmulatorBackend {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly hostPoolName: string;
  readonly location = "westeurope";
  readonly domain = "corp.contoso.com";
  readonly messages: DeliveredMessage[] = [];

  private tags: Record<string, string> = {};
  private reg: RegistrationState = { expirationTime: null, token: null };
  private readonly hosts = new Map<string, BackendSessionHost>();
  private readonly sessions: BackendUserSession[] = [];
  private readonly vms = new Map<string, BackendVm>();
  private readonly nics = new Set<string>();
  private readonly disks = new Set<string>();
  private nextSessionId = 1;

  constructor(options: { subscriptionId?: string; resourceGroupName?: string; hostPoolName?: string } = {}) {
    this.subscriptionId = options.subscriptionId ?? "00000000-0000-0000-0000-0000000000aa";
    this.resourceGroupName = options.resourceGroupName ?? "rg-avd";
    this.hostPoolName = options.hostPoolName ?? "hp-test";
  }

  now(): number {
    return Date.now();
  }

  /** Adds a host with its VM, NIC and OS disk; returns the session host name and VM id. */
  addHost(spec: MemoryHostSpec): { sessionHostName: string; vmResourceId: string } {
    const rg = `/subscriptions/${this.subscriptionId}/resourceGroups/${this.resourceGroupName}`;
    const vmName = `${spec.host}-vm`;
    const vmResourceId = `${rg}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
    const nicId = `${rg}/providers/Microsoft.Network/networkInterfaces/${vmName}-nic`;
    const diskId = `${rg}/providers/Microsoft.Compute/disks/${vmName}-osdisk`;
    const sessionHostName = `${spec.host}.${this.domain}`;
    const powerState = spec.powerState ?? "running";
    this.vms.set(vmResourceId.toLowerCase(), {
      resourceId: vmResourceId,
      location: this.location,
      computerName: spec.host,
      powerState,
      nicIds: [nicId],
      osDiskId: diskId,
      nicDeleteOption: spec.deleteOption ?? "Delete",
      osDiskDeleteOption: spec.deleteOption ?? "Delete",
    });
    this.nics.add(nicId.toLowerCase());
    this.disks.add(diskId.toLowerCase());
    this.hosts.set(sessionHostName.toLowerCase(), {
      name: sessionHostName,
      resourceId: vmResourceId,
      status: spec.status ?? (powerState === "running" ? "Available" : "Unavailable"),
      allowNewSession: spec.allowNewSession ?? true,
      sessions: 0,
      lastHeartBeat: new Date(this.now()).toISOString(),
    });
    for (const session of spec.sessions ?? []) this.addSession(sessionHostName, session.user, session.state);
    return { sessionHostName, vmResourceId };
  }

  addSession(sessionHostName: string, user: string, state: SessionState = "Active"): string {
    const id = String(this.nextSessionId++);
    this.sessions.push({
      sessionHostName: this.requireHost(sessionHostName).name,
      id,
      userPrincipalName: user,
      sessionState: state,
      createTime: new Date(this.now()).toISOString(),
    });
    this.recount();
    return id;
  }

  sessionHost(name: string): BackendSessionHost | undefined {
    return this.hosts.get(name.toLowerCase());
  }

  hostPoolTags(): Record<string, string> {
    return { ...this.tags };
  }

  setHostPoolTags(tags: Record<string, string>): void {
    this.tags = { ...tags };
  }

  hostPoolSettings(): { maxSessionLimit: number; loadBalancerType: "BreadthFirst" | "DepthFirst" } {
    return { maxSessionLimit: 12, loadBalancerType: "BreadthFirst" };
  }

  registration(): RegistrationState {
    return { ...this.reg };
  }

  renewRegistration(expirationTime: string): void {
    this.reg = { expirationTime, token: `fake-registration-token-${randomUUID()}` };
  }

  deleteRegistration(): void {
    this.reg = { expirationTime: null, token: null };
  }

  listSessionHosts(): BackendSessionHost[] {
    return [...this.hosts.values()].map((h) => ({ ...h }));
  }

  setAllowNewSession(sessionHostName: string, allowNewSession: boolean): boolean {
    const host = this.hosts.get(sessionHostName.toLowerCase());
    if (!host) return false;
    host.allowNewSession = allowNewSession;
    return true;
  }

  removeSessionHost(sessionHostName: string): boolean {
    const key = sessionHostName.toLowerCase();
    if (!this.hosts.has(key)) return false;
    this.hosts.delete(key);
    for (let i = this.sessions.length - 1; i >= 0; i--) {
      if (this.sessions[i]!.sessionHostName.toLowerCase() === key) this.sessions.splice(i, 1);
    }
    return true;
  }

  listUserSessions(sessionHostName?: string): BackendUserSession[] {
    return this.sessions
      .filter(
        (s) =>
          sessionHostName === undefined || s.sessionHostName.toLowerCase() === sessionHostName.toLowerCase(),
      )
      .map((s) => ({ ...s }));
  }

  signOut(sessionHostName: string, sessionId: string): boolean {
    const index = this.findSession(sessionHostName, sessionId);
    if (index < 0) return false;
    this.sessions.splice(index, 1);
    this.recount();
    return true;
  }

  sendMessage(sessionHostName: string, sessionId: string, title: string, body: string): boolean {
    const index = this.findSession(sessionHostName, sessionId);
    if (index < 0) return false;
    const session = this.sessions[index]!;
    // A disconnected session cannot show the message; the call still succeeds.
    if (session.sessionState !== "Disconnected") {
      this.messages.push({ sessionHostName: session.sessionHostName, sessionId, title, body });
    }
    return true;
  }

  disconnect(sessionHostName: string, sessionId: string): boolean {
    const index = this.findSession(sessionHostName, sessionId);
    if (index < 0) return false;
    this.sessions[index]!.sessionState = "Disconnected";
    return true;
  }

  getVm(resourceId: string): BackendVm | undefined {
    const vm = this.vms.get(resourceId.toLowerCase());
    return vm ? { ...vm, nicIds: [...vm.nicIds] } : undefined;
  }

  listVms(): BackendVm[] {
    return [...this.vms.values()].map((vm) => ({ ...vm, nicIds: [...vm.nicIds] }));
  }

  beginPowerChange(resourceId: string, target: "deallocated" | "running"): void {
    const vm = this.vms.get(resourceId.toLowerCase());
    if (vm && vm.powerState !== target) vm.powerState = target === "running" ? "starting" : "deallocating";
  }

  completePowerChange(resourceId: string, target: "deallocated" | "running"): void {
    const vm = this.vms.get(resourceId.toLowerCase());
    if (!vm) return;
    vm.powerState = target;
    for (const host of this.hosts.values()) {
      if (host.resourceId.toLowerCase() === resourceId.toLowerCase()) {
        host.status = target === "running" ? "Available" : "Unavailable";
      }
    }
  }

  deleteVm(resourceId: string): boolean {
    return this.vms.delete(resourceId.toLowerCase());
  }

  nicExists(resourceId: string): boolean {
    return this.nics.has(resourceId.toLowerCase());
  }

  deleteNic(resourceId: string): boolean {
    return this.nics.delete(resourceId.toLowerCase());
  }

  diskExists(resourceId: string): boolean {
    return this.disks.has(resourceId.toLowerCase());
  }

  deleteDisk(resourceId: string): boolean {
    return this.disks.delete(resourceId.toLowerCase());
  }

  private requireHost(name: string): BackendSessionHost {
    const host = this.hosts.get(name.toLowerCase());
    if (!host) throw new Error(`no session host ${name}`);
    return host;
  }

  private findSession(sessionHostName: string, sessionId: string): number {
    return this.sessions.findIndex(
      (s) => s.sessionHostName.toLowerCase() === sessionHostName.toLowerCase() && s.id === sessionId,
    );
  }

  private recount(): void {
    for (const host of this.hosts.values()) {
      host.sessions = this.sessions.filter((s) => s.sessionHostName === host.name).length;
    }
  }
}
