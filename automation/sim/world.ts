/**
 * SimulatedWorld: one AVD host pool, its VMs and its Pulumi stack, on a virtual clock.
 *
 * The world holds the state the real services would hold and offers it as operations that
 * mirror the Azure and Pulumi APIs. The simulated ports (simulatedPorts.ts) are thin wrappers
 * around these operations, and the ARM emulator (test/azure) can back its routes with them too.
 *
 * State API (read-only views unless noted):
 * - hosts:     `hostNames()`, `host(name)` — per host: FQDN, current VM, session host entry;
 * - VMs:       `vm(resourceId)`, `vms()`; operations `deallocateVm`, `startVm`, `deleteVm` (long-running:
 *              they resolve when done, in virtual time);
 * - session hosts (AVD data plane): `sessionHosts()`, `setAllowNewSession`, `removeSessionHost`;
 * - sessions:  `userSessions(fqdn?)`, `sendMessage`, `signOutSession`;
 * - registration token: `updateRegistrationToken(expiresAt)`, `registrationToken()`;
 * - host pool tags with an etag (where the rollout record lives): `tags()`, `updateTags(tags, ifMatch)`;
 * - stack (the ledger): `deployedHosts()`, `desired()`, `previewBatch`, `upBatch`;
 * - capacity (kept up to date host by host, poolCapacity.ts): `availableCount()`, `chooseHost()`; stats.
 * Every state change that alters the number of available hosts emits `world.availability`;
 * every sign-in/out emits `world.session`.
 */
import { PortError } from "../core/errors";
import type { CrashPoint } from "./crashes";
import { DriverGeneration, planCrashes } from "./crashes";
import { createSimulatedPorts } from "./simulatedPorts";
import type { AnyEvent, EventSink, EventWithoutTime } from "../core/events";
import type {
  Ports,
  BatchSpec,
  DeployedHost,
  DesiredPool,
  PowerState,
  PreviewVerdict,
  SessionHostInfo,
  SessionHostStatus,
  UpResult,
  UserSessionInfo,
} from "../core/ports";
import type { RolloutRecord } from "../core/record";
import { PoolCapacity } from "./poolCapacity";
import { Random } from "./random";
import type { Scenario } from "./scenario";
import { scenarioHostNames } from "./scenario";
import { unmanagedHosts } from "./scenarioHosts";
import { UserBehaviour } from "./users";
import type { VirtualClock } from "./virtualClock";

export * from "./worldModel";
import {
  DEPLOYED_REVISION,
  DESIRED_REVISION,
  DRAIN_REVERT_MS,
  ORIGINAL_AGE_MS,
  RECORD_TAG,
  UNMANAGED_RESOURCE_GROUP,
  generationSuffix,
  type LedgerEntry,
  type SimHost,
  type SimSession,
  type SimSessionHost,
  type SimVm,
  type WorldOptions,
  type WorldStats,
} from "./worldModel";

const MINUTE = 60_000;

/** Map key of a resource id: ARM ids compare case-insensitively. */
const keyOf = (resourceId: string): string => resourceId.toLowerCase();

const iso = (ms: number): string => new Date(ms).toISOString();

export class SimulatedWorld {
  readonly clock: VirtualClock;
  readonly scenario: Scenario;
  readonly random: Random;
  readonly stats: WorldStats = {
    forcedSignOuts: 0,
    voluntarySignOuts: 0,
    sessionsNotifiedTwice: 0,
    sessionsRenotified: 0,
    rejectedSignIns: 0,
    stackUps: 0,
    transientFaults: 0,
    registrationFailures: 0,
    maxInitialHostsOut: 0,
  };
  readonly subscriptionId: string;
  readonly vmResourceGroup: string;
  readonly hostPoolName: string;

  private readonly hostsByName = new Map<string, SimHost>();
  /** The stack's hosts (the program's), in index order; hostsByName also holds unmanaged ones. */
  private readonly managedNames: string[] = [];
  private readonly hostsByFqdn = new Map<string, SimHost>();
  private readonly vmsById = new Map<string, SimVm>();
  private readonly ledger = new Map<string, LedgerEntry>();
  private readonly latencyRandom: Random;
  private readonly faultRandom: Random;
  private readonly users: UserBehaviour;
  private hostPoolTags: Record<string, string> = {};
  private record: RolloutRecord | null = null;
  private tagsEtag: string | null = null;
  private etagCounter = 0;
  private tokenExpiresAt: number | null = null;
  private lastAvailability = { available: -1, accepting: -1, freeSlots: -1 };
  private readonly capacity: PoolCapacity<SimHost>;
  private started = false;
  /** The session hosts as listed, rebuilt only after something changed. */
  private cachedSessionHosts: SessionHostInfo[] | null = null;
  /** Each host's entry in the list, by host index (null: not registered); rebuilt when it changed. */
  private readonly hostInfos: (SessionHostInfo | null)[] = [];
  private readonly changedHosts = new Set<SimHost>();
  /** Serializes `up`s: Pulumi runs one update per stack at a time (later ones wait for the lock). */
  private stackBusy: Promise<unknown> = Promise.resolve();
  private readonly sinks: EventSink[] = [];
  private readonly lowerIds = new Map<string, string>();
  private currentGeneration: DriverGeneration | null = null;
  private generationCount = 0;
  private portCalls = 0;
  private readonly crashPlan: CrashPoint[];
  private crashesArmed = false;
  /** Crashes injected so far. */
  crashCount = 0;

  constructor(scenario: Scenario, clock: VirtualClock, events?: EventSink, options: WorldOptions = {}) {
    this.scenario = scenario;
    this.clock = clock;
    if (events) this.sinks.push(events);
    this.random = new Random(scenario.seed, scenario.name);
    this.latencyRandom = this.random.fork("latency");
    this.faultRandom = this.random.fork("faults");
    this.subscriptionId = options.subscriptionId ?? "00000000-0000-0000-0000-000000000000";
    this.vmResourceGroup = options.vmResourceGroup ?? "rg-avd-hosts";
    this.hostPoolName = options.hostPoolName ?? "hp-rehearsal";
    this.capacity = new PoolCapacity<SimHost>(
      scenario.hostPool.maxSessionsPerHost,
      scenario.hostPool.loadBalancer,
      (host) => ({
        serving: this.isServing(host),
        accepting: this.isAccepting(host),
        sessions: host.sessions.size,
        // Down for reasons of its own while still in the pool: not the rollout's doing.
        outOnItsOwn: host.sessionHost?.vm.hung ?? false,
      }),
    );
    const deallocated = new Set(scenario.hostPool.deallocated);
    const drained = new Set(scenario.hostPool.drained);
    const builtAt = clock.now() - ORIGINAL_AGE_MS;
    scenarioHostNames(scenario).forEach((name, index) => {
      const vm = this.createVm(
        name,
        DEPLOYED_REVISION,
        builtAt,
        deallocated.has(name) ? "deallocated" : "running",
      );
      vm.provisioned = true;
      const host: SimHost = {
        name,
        managed: true,
        index,
        fqdn: `${name}.${scenario.hostPool.domainName}`,
        vmId: vm.resourceId,
        sessionHost: null,
        sessions: new Map(),
      };
      host.sessionHost = {
        name: host.fqdn,
        resourceId: vm.resourceId,
        allowNewSession: !drained.has(name),
        vm,
      };
      this.hostsByName.set(name, host);
      this.managedNames.push(name);
      this.hostsByFqdn.set(host.fqdn.toLowerCase(), host);
      this.ledger.set(name, { vmName: vm.name, vmResourceId: vm.resourceId, revision: DEPLOYED_REVISION });
      this.capacity.update(host);
      this.hostInfos.push(null);
      this.changedHosts.add(host);
    });
    this.addUnmanagedHosts(builtAt);
    this.users = new UserBehaviour(this, this.random.fork("users"));
    this.crashPlan = planCrashes(
      this.random.fork("crashes"),
      scenario.faults.crashes,
      expectedRolloutMinutes(scenario) * 60_000,
      scenario.hostPool.hosts * 6,
    );
  }

  /**
   * Session hosts of the pool this stack does not manage: registered in the host pool (they take
   * sign-ins and count in its capacity) but never in the stack's ledger, with VMs in another
   * resource group.
   */
  private addUnmanagedHosts(builtAt: number): void {
    let index = this.managedNames.length;
    for (const { name, state } of unmanagedHosts(this.scenario)) {
      const resourceId = `/subscriptions/${this.subscriptionId}/resourceGroups/${UNMANAGED_RESOURCE_GROUP}/providers/Microsoft.Compute/virtualMachines/${name}`;
      const vm: SimVm = {
        name,
        resourceId,
        host: name,
        revision: "unmanaged",
        powerState: "running",
        provisioned: true,
        createdAt: builtAt,
        deleted: false,
        hung: state === "down",
      };
      this.vmsById.set(this.keyCache(resourceId), vm);
      const host: SimHost = {
        name,
        managed: false,
        index: index++,
        fqdn: `${name}.${this.scenario.hostPool.domainName}`,
        vmId: resourceId,
        sessionHost: null,
        sessions: new Map(),
      };
      host.sessionHost = { name: host.fqdn, resourceId, allowNewSession: state !== "drained", vm };
      this.hostsByName.set(name, host);
      this.hostsByFqdn.set(host.fqdn.toLowerCase(), host);
      this.capacity.update(host);
      this.hostInfos.push(null);
      this.changedHosts.add(host);
    }
  }

  /** Adds an event sink (the rehearsal's event list, a JSON-lines file). */
  addSink(sink: EventSink): void {
    this.sinks.push(sink);
  }

  /** Emits an event stamped with the current virtual time. */
  emit(event: EventWithoutTime): void {
    const stamped = { t: this.clock.iso(), ...event } as AnyEvent;
    for (const sink of this.sinks) sink.emit(stamped);
  }

  /** Signs in the initial users, starts arrivals and arms the crash plan; call once before the driver runs. */
  start(): void {
    // The budget's hosts (spec 5.2): the stack's, serving and accepting at the start; drained ones cost nothing.
    this.capacity.markBaseline((host) => host.managed);
    this.users.start();
    // The first world.availability reports the pool with its initial sessions signed in.
    this.started = true;
    this.noteHost(this.hostsByName.values().next().value);
    this.crashesArmed = true;
    for (const point of this.crashPlan) {
      if (point.kind === "time")
        this.clock.schedule(point.at, () =>
          this.crashCurrent("simulated crash while the driver waited (a sleep or a long-running operation)"),
        );
    }
    for (const outage of this.scenario.faults.outages) {
      let vm: SimVm | undefined;
      this.clock.schedule(outage.atMinutes * MINUTE, () => {
        vm = this.currentVm(outage.host);
        if (vm) this.setHung(outage.host, vm, true);
      });
      if (outage.minutes !== undefined)
        this.clock.schedule((outage.atMinutes + outage.minutes) * MINUTE, () => {
          if (vm) this.setHung(outage.host, vm, false);
        });
    }
  }

  /** The VM a host's session host runs on now, else the newest generation the ledger points to. */
  private currentVm(name: string): SimVm | undefined {
    const host = this.hostsByName.get(name);
    if (!host) return undefined;
    return host.sessionHost?.vm ?? this.vm(host.vmId);
  }

  /** An outage starts or ends (the VM stops or resumes answering heartbeats). */
  private setHung(host: string, vm: SimVm, hung: boolean): void {
    if (vm.hung === hung) return;
    vm.hung = hung;
    this.emit({ type: "world.fault", host, fault: hung ? "outageStarted" : "outageEnded", vm: vm.name });
    this.noteHost(this.hostOfVm(vm));
  }

  /** Stops user activity and crash injection (after the rollout), so the clock runs out of timers. */
  stop(): void {
    this.users.stop();
    this.crashesArmed = false;
  }

  // ------------------------------------------------------------------------------------------
  // Driver generations and crashes (see crashes.ts)
  // ------------------------------------------------------------------------------------------

  /** A fresh set of ports for a new driver generation; earlier generations stay dead. */
  ports(): Ports {
    this.currentGeneration = new DriverGeneration(++this.generationCount);
    return createSimulatedPorts(this, this.currentGeneration, {
      beforeCall: (generation) => {
        this.portCalls++;
        const next = this.crashPlan.findIndex((p) => p.kind === "call" && p.at <= this.portCalls);
        if (next >= 0 && generation === this.currentGeneration && this.crashesArmed) {
          this.crashPlan.splice(next, 1);
          this.crashCurrent(`simulated crash at port call ${this.portCalls} (the call was not sent)`);
        }
      },
    });
  }

  /** The generation the latest `ports()` call created. */
  get generation(): DriverGeneration | null {
    return this.currentGeneration;
  }

  /** Port calls made so far, over all generations. */
  get portCallCount(): number {
    return this.portCalls;
  }

  /** Kills the current driver generation (no-op when it is already dead or crashes are off). */
  crashCurrent(reason = "simulated crash"): void {
    const generation = this.currentGeneration;
    if (!this.crashesArmed || !generation || generation.crashed) return;
    this.crashCount++;
    this.emit({ type: "driver.crashed", reason });
    generation.crash();
  }

  // ------------------------------------------------------------------------------------------
  // Hosts and availability
  // ------------------------------------------------------------------------------------------

  /** The stack's hosts (the ones the program declares). */
  hostNames(): string[] {
    return [...this.managedNames];
  }

  host(name: string): SimHost | undefined {
    return this.hostsByName.get(name);
  }

  /** Every host of the pool, the stack's and the unmanaged ones. */
  hosts(): IterableIterator<SimHost> {
    return this.hostsByName.values();
  }

  /** A host of the stack (not an unmanaged session host of the pool). */
  private managedHost(name: string): SimHost | undefined {
    const host = this.hostsByName.get(name);
    return host?.managed ? host : undefined;
  }

  hostByFqdn(fqdn: string): SimHost | undefined {
    return this.hostsByFqdn.get(fqdn.toLowerCase());
  }

  /** AVD's status of a registered session host, derived from its VM. */
  statusOf(host: SimHost): SessionHostStatus {
    const entry = host.sessionHost;
    if (!entry) return "Unavailable";
    const vm = entry.vm;
    if (vm.deleted) return "Unavailable";
    if (vm.powerState === "deallocated" || vm.powerState === "stopped") return "Shutdown";
    if (vm.powerState !== "running" || !vm.provisioned) return "Unavailable";
    if (vm.hung) return "NoHeartbeat";
    return "Available";
  }

  /** Serving users: registered, Available (running, extensions done), whatever its drain mode. */
  isServing(host: SimHost): boolean {
    return host.sessionHost !== null && this.statusOf(host) === "Available";
  }

  /** Serving and taking new sessions (drain mode off): where the load balancer may put a sign-in. */
  isAccepting(host: SimHost): boolean {
    return this.isServing(host) && (host.sessionHost as SimSessionHost).allowNewSession;
  }

  /** Hosts serving users now (the capacity budget's measure). */
  availableCount(): number {
    return this.capacity.current.available;
  }

  /** Where the load balancer puts a sign-in (never on `exclude`), or null when no host has room. */
  chooseHost(exclude?: SimHost): SimHost | null {
    return this.capacity.choose(exclude);
  }

  private keyCache(resourceId: string): string {
    let key = this.lowerIds.get(resourceId);
    if (key === undefined) {
      key = keyOf(resourceId);
      this.lowerIds.set(resourceId, key);
    }
    return key;
  }

  /**
   * Something about `host` changed (its VM, registration, drain mode or sessions): the capacity
   * counts follow, and `world.availability` reports them when they moved.
   */
  noteHost(host: SimHost | undefined): void {
    if (!host) return;
    this.capacity.update(host);
    this.cachedSessionHosts = null;
    this.changedHosts.add(host);
    if (!this.started) return;
    this.stats.maxInitialHostsOut = this.capacity.maxBaselineOut;
    const { available, accepting, freeSlots } = this.capacity.current;
    const last = this.lastAvailability;
    if (last.available === available && last.accepting === accepting && last.freeSlots === freeSlots) return;
    this.lastAvailability = { available, accepting, freeSlots };
    this.emit({ type: "world.availability", available, accepting, freeSlots, total: this.hostsByName.size });
  }

  // ------------------------------------------------------------------------------------------
  // AVD data plane: session hosts and user sessions
  // ------------------------------------------------------------------------------------------

  /**
   * The pool's session hosts as AVD lists them. Each host's entry is rebuilt only after it
   * changed, and the list only after any did: a step of the driver costs the world what changed.
   */
  sessionHosts(): SessionHostInfo[] {
    if (!this.cachedSessionHosts) {
      for (const host of this.changedHosts) {
        const entry = host.sessionHost;
        this.hostInfos[host.index] = entry
          ? {
              name: entry.name,
              resourceId: entry.resourceId,
              status: this.statusOf(host),
              allowNewSession: entry.allowNewSession,
              sessions: host.sessions.size,
              lastHeartBeat: this.clock.iso(),
            }
          : null;
      }
      this.changedHosts.clear();
      this.cachedSessionHosts = this.hostInfos.filter((info): info is SessionHostInfo => info !== null);
    }
    return [...this.cachedSessionHosts];
  }

  userSessions(fqdn?: string): UserSessionInfo[] {
    const hosts = fqdn === undefined ? [...this.hostsByName.values()] : [this.hostByFqdn(fqdn)];
    const list: UserSessionInfo[] = [];
    for (const host of hosts) {
      if (!host?.sessionHost) continue;
      // A session's entry never changes: made once, listed as is.
      for (const session of host.sessions.values()) {
        session.info ??= {
          sessionHostName: host.sessionHost.name,
          id: session.id,
          userPrincipalName: session.user,
          sessionState: session.state,
          createTime: iso(session.createdAt),
        };
        list.push(session.info);
      }
    }
    return list;
  }

  private registeredHost(operation: string, fqdn: string): SimHost {
    const host = this.hostByFqdn(fqdn);
    if (!host?.sessionHost)
      throw new PortError("notFound", operation, `session host ${fqdn} is not in the host pool`, "NotFound");
    return host;
  }

  /** Shows a message; a disconnected or vanished session cannot read it (no error, as the port documents). */
  sendMessage(fqdn: string, sessionId: string): void {
    const host = this.registeredHost(`hostPool.sendMessage(${fqdn})`, fqdn);
    const session = host.sessions.get(sessionId);
    if (!session || session.state !== "Active") return;
    session.notices++;
    if (session.notices > 1) this.stats.sessionsRenotified++;
    this.users.onNotice(session);
  }

  /**
   * Forced sign-out; an absent session is success. On a host of `faults.stuckSessions` the call
   * succeeds and the session stays (a hung session AVD cannot log off).
   */
  signOutSession(fqdn: string, sessionId: string): void {
    const host = this.registeredHost(`hostPool.signOut(${fqdn})`, fqdn);
    const session = host.sessions.get(sessionId);
    if (!session) return;
    if (this.scenario.faults.stuckSessions.includes(host.name) && this.isOriginal(host)) {
      this.emit({ type: "world.fault", host: host.name, fault: "signOutIgnored", session: session.id });
      return;
    }
    this.endSession(host, session, "loggedOff");
  }

  /**
   * Drain mode on or off. On a host of `faults.drainReverts`, a drain turns itself back off a
   * minute later (an agent upgrade, a script resetting it), for as long as its original VM is in
   * the pool.
   */
  setAllowNewSession(fqdn: string, allow: boolean): void {
    const host = this.registeredHost(`hostPool.setDrainMode(${fqdn})`, fqdn);
    const entry = host.sessionHost;
    if (entry) entry.allowNewSession = allow;
    this.noteHost(host);
    if (!allow && entry && this.scenario.faults.drainReverts.includes(host.name) && this.isOriginal(host)) {
      this.clock.schedule(DRAIN_REVERT_MS, () => {
        if (host.sessionHost !== entry || entry.allowNewSession) return;
        entry.allowNewSession = true;
        this.emit({ type: "world.fault", host: host.name, fault: "drainReverted" });
        this.noteHost(host);
      });
    }
  }

  /** Whether the host's session host is still its original VM (the one the faults afflict). */
  private isOriginal(host: SimHost): boolean {
    return host.sessionHost?.vm.revision === DEPLOYED_REVISION;
  }

  /** Forced removal: remaining sessions are dropped (counted as forced sign-outs). */
  removeSessionHost(fqdn: string): void {
    const host = this.hostByFqdn(fqdn);
    if (!host?.sessionHost) return;
    this.dropSessions(host);
    host.sessionHost = null;
    this.noteHost(host);
  }

  /** Ends a session and records why; emits world.session. */
  endSession(host: SimHost, session: SimSession, action: "signedOut" | "loggedOff"): void {
    if (!host.sessions.delete(session.id)) return;
    if (action === "loggedOff") this.stats.forcedSignOuts++;
    else if (session.notices > 0) this.stats.voluntarySignOuts++;
    this.users.onSessionEnded(session, action);
    this.emit({ type: "world.session", host: host.name, user: session.user, session: session.id, action });
    this.noteHost(host);
  }

  private dropSessions(host: SimHost): void {
    for (const session of [...host.sessions.values()]) this.endSession(host, session, "loggedOff");
  }

  updateRegistrationToken(expiresAt: number): void {
    this.tokenExpiresAt = expiresAt;
  }

  /** Expiry of the pool's registration token (ms), or null when none was issued. */
  registrationToken(): number | null {
    return this.tokenExpiresAt;
  }

  // ------------------------------------------------------------------------------------------
  // Host pool tags (where the rollout record lives), with an etag
  // ------------------------------------------------------------------------------------------

  /** The host pool's tags, the rollout record among them (as its JSON, under RECORD_TAG). */
  tags(): { tags: Record<string, string>; etag: string | null } {
    const tags = { ...this.hostPoolTags };
    if (this.record) tags[RECORD_TAG] = JSON.stringify(this.record);
    return { tags, etag: this.tagsEtag };
  }

  /** Replaces the tags (ARM replaces them whole) if `ifMatch` is the current etag; null on conflict. */
  updateTags(tags: Record<string, string>, ifMatch: string | null): string | null {
    if (ifMatch !== this.tagsEtag) return null;
    const { [RECORD_TAG]: recordText, ...others } = tags;
    this.hostPoolTags = others;
    this.record = recordText === undefined ? null : (JSON.parse(recordText) as RolloutRecord);
    return this.bumpEtag();
  }

  /**
   * The rollout record in the tags, kept as the object the simulated ports wrote (no JSON round
   * trip per step). The driver never changes a record it read or wrote: it copies, then writes.
   */
  rolloutRecord(): { record: RolloutRecord | null; etag: string | null } {
    return { record: this.record, etag: this.tagsEtag };
  }

  /** Writes (or clears) the rollout record if `ifMatch` is the current etag; null on conflict. */
  writeRolloutRecord(record: RolloutRecord | null, ifMatch: string | null): string | null {
    if (ifMatch !== this.tagsEtag) return null;
    // Frozen: a reader that changed it in place would change the pool's record unwritten.
    if (record) {
      for (const entry of Object.values(record.hosts)) Object.freeze(entry);
      Object.freeze(record.hosts);
      Object.freeze(record);
    }
    this.record = record;
    return this.bumpEtag();
  }

  private bumpEtag(): string {
    this.tagsEtag = `W/"${(++this.etagCounter).toString(16).padStart(8, "0")}"`;
    return this.tagsEtag;
  }

  // ------------------------------------------------------------------------------------------
  // Compute: VMs
  // ------------------------------------------------------------------------------------------

  vm(resourceId: string): SimVm | undefined {
    return this.vmsById.get(this.keyCache(resourceId));
  }

  vms(): SimVm[] {
    return [...this.vmsById.values()];
  }

  vmResourceId(vmName: string): string {
    return `/subscriptions/${this.subscriptionId}/resourceGroups/${this.vmResourceGroup}/providers/Microsoft.Compute/virtualMachines/${vmName}`;
  }

  private createVm(host: string, revision: string, at: number, powerState: PowerState): SimVm {
    const name = `${host}-${generationSuffix(at)}`;
    const vm: SimVm = {
      name,
      resourceId: this.vmResourceId(name),
      host,
      revision,
      powerState,
      provisioned: false,
      createdAt: at,
      deleted: false,
      hung: false,
    };
    this.vmsById.set(this.keyCache(vm.resourceId), vm);
    return vm;
  }

  /** Jittered duration of a latency-model step, in ms. */
  latency(
    kind:
      "deallocateMinutes" | "vmCreateMinutes" | "extensionsMinutes" | "registrationMinutes" | "deleteMinutes",
  ): number {
    const { latency } = this.scenario;
    return this.latencyRandom.jittered(latency[kind], latency.jitter) * 60_000;
  }

  private hostOfVm(vm: SimVm): SimHost | undefined {
    return this.hostsByName.get(vm.host);
  }

  /** Deallocates (long-running); sessions on it end (forced). Idempotent; a missing VM is notFound. */
  async deallocateVm(resourceId: string): Promise<void> {
    const vm = this.requireVm("compute.deallocate", resourceId);
    if (vm.powerState === "deallocated") return;
    const host = this.hostOfVm(vm);
    vm.powerState = "deallocating";
    if (host && host.sessionHost?.resourceId.toLowerCase() === vm.resourceId.toLowerCase())
      this.dropSessions(host);
    this.noteHost(host);
    await this.clock.sleep(this.latency("deallocateMinutes"));
    if (this.vm(resourceId) === vm) vm.powerState = "deallocated";
    this.noteHost(host);
  }

  /** Starts (long-running, as long as a deallocation). Idempotent. */
  async startVm(resourceId: string): Promise<void> {
    const vm = this.requireVm("compute.start", resourceId);
    if (vm.powerState === "running") return;
    vm.powerState = "starting";
    this.noteHost(this.hostOfVm(vm));
    await this.clock.sleep(this.latency("deallocateMinutes"));
    if (this.vm(resourceId) === vm) vm.powerState = "running";
    this.noteHost(this.hostOfVm(vm));
  }

  /** Deletes the VM with its NIC and OS disk (long-running). A missing VM is success. */
  async deleteVm(resourceId: string): Promise<void> {
    const vm = this.vm(resourceId);
    if (!vm) return;
    vm.powerState = "stopping";
    this.noteHost(this.hostOfVm(vm));
    await this.clock.sleep(this.latency("deleteMinutes"));
    this.vmsById.delete(this.keyCache(resourceId));
    vm.deleted = true;
    this.noteHost(this.hostOfVm(vm));
  }

  private requireVm(operation: string, resourceId: string): SimVm {
    const vm = this.vm(resourceId);
    if (!vm)
      throw new PortError(
        "notFound",
        `${operation}(${resourceId})`,
        "the VM does not exist",
        "ResourceNotFound",
      );
    return vm;
  }

  // ------------------------------------------------------------------------------------------
  // Stack: the ledger, preview and up
  // ------------------------------------------------------------------------------------------

  deployedHosts(): DeployedHost[] {
    return [...this.ledger.entries()].map(([host, entry]) => ({ host, ...entry }));
  }

  ledgerEntry(host: string): LedgerEntry | undefined {
    return this.ledger.get(host);
  }

  desired(): DesiredPool {
    const { update } = this.scenario;
    return {
      revision: DESIRED_REVISION,
      hosts: this.hostNames(),
      update: {
        maxVmsRemoved: update.maxVmsRemoved,
        logOffDelayMinutes: update.logOffDelayMinutes,
        logOffMessage: update.logOffMessage,
        deleteOriginalVm: update.deleteOriginalVm,
      },
    };
  }

  /** A host the batch program would change: not on the desired revision, or its extensions unfinished. */
  needsBuild(host: string): boolean {
    const entry = this.ledger.get(host);
    if (!entry || entry.revision !== DESIRED_REVISION) return true;
    const vm = this.vm(entry.vmResourceId);
    return !vm || !vm.provisioned;
  }

  previewBatch(batch: BatchSpec): PreviewVerdict {
    const batchChanges: string[] = [];
    for (const host of batch.hosts) {
      if (!this.managedHost(host)) continue;
      if (this.needsBuild(host)) batchChanges.push(`${host}: virtualMachine replace`);
    }
    // The batch program pins every other host (ignoreChanges), so nothing outside the batch changes.
    return { outsideBatchChanges: [], batchChanges };
  }

  /**
   * `pulumi up` of a batch: for each batch host not yet built, a new VM generation is created
   * (vmCreate), then its extensions run (extensions) and the AVD agent registers
   * (registration). Hosts already on the desired revision with finished extensions are left
   * alone; a host whose registration failed before gets its extensions re-run on the same VM.
   * The original VM is not touched (the program retains it; the driver deletes or keeps it).
   * Ups are serialized like Pulumi's stack lock: a second up waits for the first.
   */
  upBatch(batch: BatchSpec): Promise<UpResult> {
    const run = this.stackBusy.then(() => this.runUp(batch));
    this.stackBusy = run.catch(() => undefined);
    return run;
  }

  private async runUp(batch: BatchSpec): Promise<UpResult> {
    this.stats.stackUps++;
    const unknown = batch.hosts.filter((host) => !this.managedHost(host));
    if (unknown.length > 0) {
      return { result: "failed", error: `hosts not in the program: ${unknown.join(", ")}` };
    }
    const outcomes = await Promise.all(
      batch.hosts.filter((host) => this.needsBuild(host)).map((host) => this.buildHost(host)),
    );
    const failedHosts: Record<string, string> = {};
    for (const outcome of outcomes) if (outcome.error) failedHosts[outcome.host] = outcome.error;
    const failed = Object.keys(failedHosts);
    if (failed.length === 0) return { result: "succeeded" };
    return {
      result: "failed",
      error: `${failed.length} host(s) failed: ${failed.map((h) => `${h}: ${failedHosts[h]}`).join("; ")}`,
      failedHosts,
    };
  }

  private async buildHost(name: string): Promise<{ host: string; error?: string }> {
    const host = this.managedHost(name);
    if (!host) return { host: name, error: "unknown host" };
    const entry = this.ledger.get(name);
    let vm = entry && entry.revision === DESIRED_REVISION ? this.vm(entry.vmResourceId) : undefined;
    if (!vm) {
      await this.clock.sleep(this.latency("vmCreateMinutes"));
      vm = this.createVm(name, DESIRED_REVISION, this.clock.now(), "running");
      host.vmId = vm.resourceId;
      // The VM resource (with its revision tag) is in state as soon as it exists.
      this.ledger.set(name, { vmName: vm.name, vmResourceId: vm.resourceId, revision: DESIRED_REVISION });
    } else if (vm.powerState !== "running") {
      // Extensions need a running VM; Pulumi's extension create would start it.
      await this.clock.sleep(this.latency("deallocateMinutes"));
      vm.powerState = "running";
      this.noteHost(host);
    }
    await this.clock.sleep(this.latency("extensionsMinutes"));
    await this.clock.sleep(this.latency("registrationMinutes"));
    const problem = this.registrationProblem(host, vm);
    if (problem) {
      this.stats.registrationFailures++;
      return { host: name, error: problem };
    }
    vm.provisioned = true;
    // A newly registered session host accepts new sessions (drain mode off), as in AVD.
    host.sessionHost = { name: host.fqdn, resourceId: vm.resourceId, allowNewSession: true, vm };
    this.noteHost(host);
    return { host: name };
  }

  private registrationProblem(host: SimHost, vm: SimVm): string | null {
    const token = this.tokenExpiresAt;
    if (token === null || token <= this.clock.now()) {
      return "InvalidRegistrationToken: the host pool's registration token is missing or expired (ensure a token before up)";
    }
    const existing = host.sessionHost;
    if (existing && existing.resourceId.toLowerCase() !== vm.resourceId.toLowerCase()) {
      return `SessionHostAlreadyExists: ${host.fqdn} is still registered for another VM; remove it from the host pool first`;
    }
    if (this.faultRandom.chance(this.scenario.faults.registrationFailureRate)) {
      return "AgentRegistrationFailureGeneric: the AVD agent failed to register (simulated transient fault)";
    }
    return null;
  }

  /** Draws whether an ARM call fails transiently (scenario.faults.armTransientRate). */
  transientFault(): boolean {
    const hit = this.faultRandom.chance(this.scenario.faults.armTransientRate);
    if (hit) this.stats.transientFaults++;
    return hit;
  }
}

/** A rough duration of the rollout (lower bound of spec's bench), to place timed crashes inside it. */
export function expectedRolloutMinutes(scenario: Scenario): number {
  const { latency, update, hostPool } = scenario;
  const replace =
    latency.deallocateMinutes +
    latency.vmCreateMinutes +
    latency.extensionsMinutes +
    latency.registrationMinutes;
  const batches = Math.ceil(Math.max(0, hostPool.hosts - 1) / update.maxVmsRemoved);
  return update.logOffDelayMinutes + replace + batches * replace;
}
