/**
 * The emulator's backend over C's SimulatedWorld (automation/sim/world.ts): the routes answer
 * from the same state the simulated ports use.
 *
 * A thin layer adds what ARM has and the world does not model: NIC and OS disk resources (named
 * by the program's convention, program/sessionHosts/naming.ts), registration token strings,
 * the host pool's resource group, and the timing of long-running operations. The world runs
 * compute operations in virtual time, while an adapter polls an LRO in real time with virtual
 * time held still (the clock's `hold()`), so the layer starts the world's operation when ARM
 * accepts the request and, once the LRO reports completion, shows the VM in its final state
 * until the world's own state catches up (or shows the VM gone after a delete).
 */
import { randomUUID } from "node:crypto";
import { nicNameOf, osDiskNameOf } from "../../../program/sessionHosts/naming";
import type { PowerState } from "../../../automation/core/ports";
import type { SimulatedWorld, SimVm } from "../../../automation/sim/world";
import type {
  BackendSessionHost,
  BackendUserSession,
  BackendVm,
  DeleteOption,
  EmulatorBackend,
  RegistrationState,
} from "./backend";

export interface WorldBackendOptions {
  /** Resource group of the host pool (the world only knows the VMs' group). Default `rg-avd`. */
  resourceGroupName?: string;
  location?: string;
  /** The VMs' NIC and OS disk `deleteOption` (default `Delete`, as the program declares). */
  deleteOption?: DeleteOption;
}

export class WorldBackend implements EmulatorBackend {
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly hostPoolName: string;
  readonly location: string;
  readonly deleteOption: DeleteOption;

  /** VMs whose delete LRO completed; the world removes them when virtual time runs. */
  private readonly deleted = new Set<string>();
  /** Power state a completed LRO reported, shown while the world is still in transition to it. */
  private readonly settledPower = new Map<string, "deallocated" | "running">();
  /** NIC / disk ids known to exist (every VM's, as seen) and those deleted through ARM. */
  private readonly nics = new Set<string>();
  private readonly disks = new Set<string>();
  private readonly removedResources = new Set<string>();
  private tokenFor: { expiresAt: number; token: string } | null = null;

  constructor(
    readonly world: SimulatedWorld,
    options: WorldBackendOptions = {},
  ) {
    this.subscriptionId = world.subscriptionId;
    this.hostPoolName = world.hostPoolName;
    this.resourceGroupName = options.resourceGroupName ?? "rg-avd";
    this.location = options.location ?? "westeurope";
    this.deleteOption = options.deleteOption ?? "Delete";
  }

  now(): number {
    return this.world.clock.now();
  }

  hostPoolTags(): Record<string, string> {
    return this.world.tags().tags;
  }

  setHostPoolTags(tags: Record<string, string>): void {
    // ARM replaces the tags whatever they were (no If-Match on host pools): the world's own
    // check is against the tag etag it has now.
    this.world.updateTags(tags, this.world.tags().etag);
  }

  hostPoolSettings(): { maxSessionLimit: number; loadBalancerType: "BreadthFirst" | "DepthFirst" } {
    const { maxSessionsPerHost, loadBalancer } = this.world.scenario.hostPool;
    return { maxSessionLimit: maxSessionsPerHost, loadBalancerType: loadBalancer };
  }

  registration(): RegistrationState {
    const expiresAt = this.world.registrationToken();
    if (expiresAt === null) return { expirationTime: null, token: null };
    if (this.tokenFor?.expiresAt !== expiresAt)
      this.tokenFor = { expiresAt, token: `fake-registration-token-${randomUUID()}` };
    return { expirationTime: new Date(expiresAt).toISOString(), token: this.tokenFor.token };
  }

  renewRegistration(expirationTime: string): void {
    this.world.updateRegistrationToken(Date.parse(expirationTime));
  }

  deleteRegistration(): void {
    // The world cannot forget a token; an expired one is the same to every caller.
    this.world.updateRegistrationToken(this.world.clock.now() - 1);
  }

  listSessionHosts(): BackendSessionHost[] {
    return this.world.sessionHosts().map((h) => ({ ...h }));
  }

  setAllowNewSession(sessionHostName: string, allowNewSession: boolean): boolean {
    if (!this.world.hostByFqdn(sessionHostName)?.sessionHost) return false;
    this.world.setAllowNewSession(sessionHostName, allowNewSession);
    return true;
  }

  removeSessionHost(sessionHostName: string): boolean {
    if (!this.world.hostByFqdn(sessionHostName)?.sessionHost) return false;
    this.world.removeSessionHost(sessionHostName);
    return true;
  }

  listUserSessions(sessionHostName?: string): BackendUserSession[] {
    return this.world.userSessions(sessionHostName).map((s) => ({ ...s }));
  }

  signOut(sessionHostName: string, sessionId: string): boolean {
    if (!this.hasSession(sessionHostName, sessionId)) return false;
    this.world.signOutSession(sessionHostName, sessionId);
    return true;
  }

  sendMessage(sessionHostName: string, sessionId: string): boolean {
    if (!this.hasSession(sessionHostName, sessionId)) return false;
    this.world.sendMessage(sessionHostName, sessionId);
    return true;
  }

  disconnect(sessionHostName: string, sessionId: string): boolean {
    const session = this.world.hostByFqdn(sessionHostName)?.sessions.get(sessionId);
    if (!session) return false;
    session.state = "Disconnected";
    return true;
  }

  getVm(resourceId: string): BackendVm | undefined {
    const key = resourceId.toLowerCase();
    const vm = this.world.vm(resourceId);
    if (!vm || this.deleted.has(key)) return undefined;
    this.noteResources(vm);
    return this.toBackendVm(vm);
  }

  listVms(): BackendVm[] {
    return this.world
      .vms()
      .filter((vm) => !this.deleted.has(vm.resourceId.toLowerCase()))
      .map((vm) => {
        this.noteResources(vm);
        return this.toBackendVm(vm);
      });
  }

  beginPowerChange(resourceId: string, target: "deallocated" | "running"): void {
    this.settledPower.delete(resourceId.toLowerCase());
    const operation =
      target === "deallocated" ? this.world.deallocateVm(resourceId) : this.world.startVm(resourceId);
    // The LRO reports the outcome; a VM that vanished meanwhile is the delete's business.
    operation.catch(() => undefined);
  }

  completePowerChange(resourceId: string, target: "deallocated" | "running"): void {
    this.settledPower.set(resourceId.toLowerCase(), target);
  }

  deleteVm(resourceId: string): boolean {
    const vm = this.world.vm(resourceId);
    if (!vm || this.deleted.has(resourceId.toLowerCase())) return false;
    this.noteResources(vm);
    this.deleted.add(resourceId.toLowerCase());
    this.world.deleteVm(resourceId).catch(() => undefined);
    return true;
  }

  nicExists(resourceId: string): boolean {
    this.listVms();
    return this.nics.has(resourceId.toLowerCase()) && !this.removedResources.has(resourceId.toLowerCase());
  }

  deleteNic(resourceId: string): boolean {
    if (!this.nicExists(resourceId)) return false;
    this.removedResources.add(resourceId.toLowerCase());
    return true;
  }

  diskExists(resourceId: string): boolean {
    this.listVms();
    return this.disks.has(resourceId.toLowerCase()) && !this.removedResources.has(resourceId.toLowerCase());
  }

  deleteDisk(resourceId: string): boolean {
    if (!this.diskExists(resourceId)) return false;
    this.removedResources.add(resourceId.toLowerCase());
    return true;
  }

  /** The NIC id the program gives a VM. */
  nicIdOf(vmResourceId: string): string {
    return this.siblingId(
      vmResourceId,
      "Microsoft.Network/networkInterfaces",
      nicNameOf(lastSegment(vmResourceId)),
    );
  }

  /** The OS disk id the program gives a VM. */
  osDiskIdOf(vmResourceId: string): string {
    return this.siblingId(vmResourceId, "Microsoft.Compute/disks", osDiskNameOf(lastSegment(vmResourceId)));
  }

  private siblingId(vmResourceId: string, type: string, name: string): string {
    const prefix = vmResourceId.slice(0, vmResourceId.toLowerCase().indexOf("/providers/"));
    return `${prefix}/providers/${type}/${name}`;
  }

  private noteResources(vm: SimVm): void {
    this.nics.add(this.nicIdOf(vm.resourceId).toLowerCase());
    this.disks.add(this.osDiskIdOf(vm.resourceId).toLowerCase());
  }

  private toBackendVm(vm: SimVm): BackendVm {
    return {
      resourceId: vm.resourceId,
      location: this.location,
      computerName: vm.host,
      powerState: this.shownPower(vm),
      nicIds: [this.nicIdOf(vm.resourceId)],
      osDiskId: this.osDiskIdOf(vm.resourceId),
      nicDeleteOption: this.deleteOption,
      osDiskDeleteOption: this.deleteOption,
    };
  }

  private shownPower(vm: SimVm): PowerState {
    const key = vm.resourceId.toLowerCase();
    const settled = this.settledPower.get(key);
    if (settled === undefined) return vm.powerState;
    const transitional = settled === "deallocated" ? "deallocating" : "starting";
    if (vm.powerState === transitional) return settled;
    // The world has caught up (or moved on): its state is the truth again.
    this.settledPower.delete(key);
    return vm.powerState;
  }

  private hasSession(sessionHostName: string, sessionId: string): boolean {
    return this.world.hostByFqdn(sessionHostName)?.sessions.has(sessionId) ?? false;
  }
}

function lastSegment(id: string): string {
  return id.split("/").pop() ?? id;
}
