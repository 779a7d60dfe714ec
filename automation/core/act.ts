/**
 * The "act" of observe -> decide -> act: carries out decide()'s actions through the ports.
 *
 * Every action is idempotent, and every fact that cannot be observed afterwards is written to the
 * rollout record *before* it is acted on: original drain mode and power state before a drain,
 * who is notified before a message goes out, a commit before the host leaves service. So a
 * driver killed anywhere resumes from the record and the world: it never loses a host, messages
 * a session twice, or shortens a notice — a notice whose delivery was not confirmed counts from
 * when the resumed driver finds it.
 */
import type { Action } from "./actions";
import type { Strategy } from "./strategy";
import {
  backoffMs,
  classifyError,
  errorMessage,
  isTransientMessage,
  mayRetry,
  waitAfter,
} from "./retryPolicy";
import type { DriverEventBody, EventSink, RolloutEvent } from "./events";
import type { HostView, Observation } from "./observation";
import type { Observer } from "./observer";
import { isFreshGeneration } from "./phase";
import { batchOfPlanIndex, isServing, resourceKey } from "./planner";
import { noticeBody, sessionsPastDeadline, unconfirmedGroups, unnotifiedSessions } from "./policies/notices";
import type { DeployedHost, Ports, PowerState } from "./ports";
import type { HostRecord, NoticeGroup, RolloutRecord } from "./record";
import type { RecordStore } from "./recordStore";
import type { DriverTuning } from "./tuning";

const MINUTE = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface ActuatorDeps {
  ports: Ports;
  store: RecordStore;
  observer: Observer;
  events: EventSink;
  tuning: DriverTuning;
  strategy: Strategy;
}

export class Actuator {
  /** Batches whose start this driver reported (until the record says so). */
  private readonly startsReported = new Set<number>();

  constructor(private readonly deps: ActuatorDeps) {}

  private get ports(): Ports {
    return this.deps.ports;
  }

  private get record(): RolloutRecord {
    return this.deps.store.current;
  }

  private get delayMs(): number {
    return this.record.params.logOffDelayMinutes * MINUTE;
  }

  private now(): number {
    return this.ports.clock.now();
  }

  /** Emits a driver event stamped with the time and the rollout id. */
  emit(event: DriverEventBody): void {
    this.deps.events.emit({ t: iso(this.now()), rollout: this.record.id, ...event } as RolloutEvent);
  }

  private update(mutate: (record: RolloutRecord) => void): Promise<RolloutRecord> {
    return this.deps.store.update(mutate);
  }

  /** Runs an action; failures become host retries or failures, except fatal ones (a crash, a bug). */
  async run(action: Action, obs: Observation): Promise<void> {
    const hosts = "hosts" in action ? action.hosts : "host" in action ? [action.host] : [];
    try {
      await this.execute(action, obs);
    } catch (error) {
      if (hosts.length === 0 || classifyError(error) === "fatal") throw error;
      await this.recordFailure(hosts, errorMessage(error), classifyError(error) === "transient", error);
    }
  }

  private async execute(action: Action, obs: Observation): Promise<void> {
    const view = "host" in action ? obs.views.get(action.host) : undefined;
    switch (action.kind) {
      case "startNotice":
        return this.startNotice(action.host, action.batch, action.steer, obs);
      case "notifyArrivals":
        return this.notifyArrivals(action.host, action.sessionIds, action.restore, view);
      case "confirmNotice":
        return this.confirmNotice(action.host, action.restore);
      case "steer":
        return this.steer(action.host, action.drain, obs);
      case "commit":
        return this.commit(action.host, view);
      case "evacuate":
        return this.evacuate(action.host, view);
      case "deallocateOriginal":
        return this.deallocateOriginal(action.host);
      case "up":
        return this.up(action.batch, action.hosts);
      case "markProvisioned":
        return this.markProvisioned([action.host]);
      case "guardRegistration":
        return this.guardRegistration(action.sessionHost);
      case "restore":
        return this.restore(action.host, view);
      case "registrationTimeout":
        return this.registrationTimeout(action.host, view);
      case "finalize":
        return this.finalize(action.host);
      case "withdraw":
        return this.withdraw(action.host, view, obs);
      case "finishBatches":
        return this.finishBatches(action.batches);
    }
  }

  // --- notices ------------------------------------------------------------------------------

  /**
   * The host's notice: record what it was (drain mode, power state, VM) and that its notice
   * started, steer new sessions away when decided, then notify every session on it. Resumable:
   * a driver that died half-way carries on from what the record holds.
   */
  private async startNotice(host: string, batch: number, steer: boolean, obs: Observation): Promise<void> {
    const sessionHost = obs.views.get(host)?.original ?? obs.sessionHostOf.get(host);
    await this.recordOriginal(host, batch, obs, true);
    const entry = this.record.hosts[host];
    if (!entry?.original || !entry.noticeAt || (entry.notices ?? []).length > 0) return;
    if (steer && sessionHost?.allowNewSession && entry.original.allowNewSession) {
      await this.ports.hostPool.setDrainMode(sessionHost.name, true);
      this.emit({ type: "host.drained", host, reason: "notice" });
    }
    const ids = sessionHost
      ? (await this.ports.hostPool.listUserSessions(sessionHost.name)).map((s) => s.id)
      : [];
    const index = await this.addGroup(host, ids, false, true);
    if (index !== null) await this.deliver(host, sessionHost?.name, false, index);
  }

  /**
   * Records what the host was before the rollout touches it — once, before anything changes it —
   * and, for a notice, when the notice started (and that its batch started).
   */
  private async recordOriginal(
    host: string,
    batch: number,
    obs: Observation,
    notice: boolean,
  ): Promise<void> {
    const current = this.record.hosts[host];
    if (current?.original && (!notice || current.noticeAt)) return;
    const deployed = (await this.deps.observer.deployedHosts()).get(host)?.deployed;
    if (!deployed) throw new Error(`${host} is planned but not in the stack's ledger`);
    const sessionHost = obs.sessionHostOf.get(host);
    const power = current?.original ? null : await this.ports.compute.getPowerState(deployed.vmResourceId);
    const at = iso(this.now());
    // Reported before the record says so: a driver that dies in between reports it again (a log may
    // show a batch started twice around a crash, never not at all).
    // (Hosts of one batch start their notices concurrently: reported once by this driver.)
    const startsBatch = notice && !current?.failed && !(this.record.startedBatches ?? []).includes(batch);
    if (startsBatch && !this.startsReported.has(batch)) {
      this.startsReported.add(batch);
      this.emit({ type: "batch.started", batch, hosts: [...obs.batches[batch]] });
    }
    await this.update((r) => {
      const previous = r.hosts[host];
      if (previous?.failed) return;
      const entry: HostRecord = previous ?? { batch };
      entry.batch = batch;
      entry.original ??= {
        vm: { name: deployed.vmName, resourceId: deployed.vmResourceId },
        ...(sessionHost ? { sessionHostName: sessionHost.name } : {}),
        allowNewSession: sessionHost ? sessionHost.allowNewSession : true,
        powerState: originalPower(power ?? "unknown"),
        accepting: power !== null && isServing(sessionHost, power),
      };
      if (notice && !entry.noticeAt) {
        entry.noticeAt = at;
        if (!(r.startedBatches ?? []).includes(batch))
          r.startedBatches = [...(r.startedBatches ?? []), batch].sort((a, b) => a - b);
      }
      r.hosts[host] = entry;
    });
  }

  /** Sessions that appeared on a host under notice (or on a new generation going back to deallocated). */
  private async notifyArrivals(
    host: string,
    sessionIds: string[],
    restore: boolean,
    view: HostView | undefined,
  ): Promise<void> {
    const sessionHost = restore ? view?.fresh : view?.original;
    if (!sessionHost) return;
    const index = await this.addGroup(host, sessionIds, restore);
    if (index !== null) await this.deliver(host, sessionHost.name, restore, index);
    this.deps.observer.forgetSessions(sessionHost.name);
  }

  /**
   * Records a notice group for the sessions not notified yet — before any message goes out, so
   * none is ever sent twice. Returns its index, or null when every session was notified already.
   */
  private async addGroup(
    host: string,
    sessionIds: readonly string[],
    restore: boolean,
    first = false,
  ): Promise<number | null> {
    let index: number | null = null;
    const at = iso(this.now());
    await this.update((r) => {
      index = null;
      const e = r.hosts[host];
      if (!e) return;
      const groups = (restore ? e.restoreNotices : e.notices) ?? [];
      // The first group is recorded even when empty: the host's notice and deadline start with it.
      if (first && groups.length > 0) return;
      const fresh = unnotifiedSessions(sessionIds, groups);
      if (fresh.length === 0 && !first) return;
      const next: NoticeGroup[] = [...groups, { ids: fresh, sendingSince: at }];
      if (restore) e.restoreNotices = next;
      else e.notices = next;
      index = next.length - 1;
    });
    return index;
  }

  /**
   * Messages the sessions of a recorded group once, then records when the sends returned — the
   * moment their notice counts from — and reports it.
   */
  private async deliver(
    host: string,
    sessionHost: string | undefined,
    restore: boolean,
    index: number,
  ): Promise<void> {
    const group = this.groupOf(host, restore, index);
    if (!group || group.sentAt) return;
    const body = noticeBody(this.record.params.logOffMessage, this.now() + this.delayMs, this.now());
    if (sessionHost) {
      await Promise.all(
        group.ids.map(async (id) => {
          try {
            await this.ports.hostPool.sendMessage(sessionHost, id, this.deps.tuning.messageTitle, body);
          } catch (error) {
            // At most once: a message that may not have arrived is not sent again.
            if (classifyError(error) === "fatal") throw error;
          }
        }),
      );
    }
    // Reported the moment the sends returned: the deadline counts from here, and the record
    // says so next. A driver that dies in between finds the group unconfirmed and confirms it
    // later still (a later deadline, a `resumed` report), never sending again.
    const sentAt = this.now();
    this.emit({
      type: "host.notified",
      host,
      sessions: group.ids.length,
      sessionIds: group.ids,
      deadline: iso(sentAt + this.delayMs),
    });
    await this.confirmGroups(host, restore, [index], sentAt);
  }

  /**
   * Sending died with the driver: confirm as delivered now (later than any real delivery); send
   * nothing. Reported the moment it is confirmed, as a delivery is — the deadline counts from the
   * report's own time — then recorded; a driver that dies in between confirms it later still.
   */
  private async confirmNotice(host: string, restore: boolean): Promise<void> {
    const entry = this.record.hosts[host];
    const groups = (restore ? entry?.restoreNotices : entry?.notices) ?? [];
    const indexes = unconfirmedGroups(groups);
    if (indexes.length === 0) return;
    const sentAt = this.now();
    for (const index of indexes) {
      const group = groups[index];
      this.emit({
        type: "host.notified",
        host,
        sessions: group.ids.length,
        sessionIds: group.ids,
        deadline: iso(sentAt + this.delayMs),
        resumed: true,
      });
    }
    await this.confirmGroups(host, restore, indexes, sentAt);
  }

  /** Records when groups were delivered (groups already confirmed keep their time). */
  private async confirmGroups(
    host: string,
    restore: boolean,
    indexes: readonly number[],
    sentAt: number,
  ): Promise<void> {
    if (indexes.length === 0) return;
    await this.update((r) => {
      const e = r.hosts[host];
      const groups = restore ? e?.restoreNotices : e?.notices;
      if (!e || !groups) return;
      const next = groups.map((group, i) =>
        !indexes.includes(i) || group.sentAt ? group : { ids: group.ids, sentAt: iso(sentAt) },
      );
      if (restore) e.restoreNotices = next;
      else e.notices = next;
    });
  }

  private groupOf(host: string, restore: boolean, index: number): NoticeGroup | undefined {
    const entry = this.record.hosts[host];
    return (restore ? entry?.restoreNotices : entry?.notices)?.[index];
  }

  // --- steering and leaving service ----------------------------------------------------------

  /** Drains a host under notice or next in line (what it was is recorded first), or lets it accept again. */
  private async steer(host: string, drain: boolean, obs: Observation): Promise<void> {
    const view = obs.views.get(host);
    const sessionHost = view?.original ?? obs.sessionHostOf.get(host);
    if (!sessionHost || sessionHost.allowNewSession === !drain) return;
    if (drain) {
      const batch = view?.batch ?? obs.batches.findIndex((hosts) => hosts.includes(host));
      await this.recordOriginal(host, batch, obs, false);
      if (!this.record.hosts[host]?.original?.allowNewSession) return;
    }
    await this.ports.hostPool.setDrainMode(sessionHost.name, drain);
    const reason = view?.entry?.noticeAt ? "notice" : "ahead";
    this.emit(drain ? { type: "host.drained", host, reason } : { type: "host.undrained", host });
  }

  private async commit(host: string, view: HostView | undefined): Promise<void> {
    const at = iso(this.now());
    await this.update((r) => {
      const e = r.hosts[host];
      if (e?.noticeAt && !e.committedAt) e.committedAt = at;
    });
    if (this.record.hosts[host]?.committedAt) await this.evacuate(host, view);
  }

  /**
   * Drain (re-asserted: an agent upgrade can turn drain mode off), notify whoever is not notified,
   * sign out the sessions whose notice ran out, and once the host is empty remove it from the
   * pool and deallocate the original. Draining first closes the door: nobody signs in between
   * the last sign-out and the removal.
   */
  private async evacuate(host: string, view: HostView | undefined): Promise<void> {
    const sessionHost = view?.original;
    if (sessionHost) {
      const name = sessionHost.name;
      if (sessionHost.allowNewSession) {
        await this.ports.hostPool.setDrainMode(name, true);
        this.emit({ type: "host.drained", host, reason: "commit" });
      }
      let sessions = await this.ports.hostPool.listUserSessions(name);
      const ids = sessions.map((s) => s.id);
      const index = await this.addGroup(host, ids, false);
      if (index !== null) await this.deliver(host, name, false, index);
      const due = sessionsPastDeadline(ids, this.record.hosts[host]?.notices, this.delayMs, this.now());
      if (due.length > 0) {
        await Promise.all(due.map((id) => this.ports.hostPool.signOut(name, id)));
        this.emit({ type: "host.signedOut", host, forced: due.length, sessionIds: due });
      }
      this.deps.observer.forgetSessions(name);
      if (due.length > 0 || index !== null) sessions = await this.ports.hostPool.listUserSessions(name);
      // Notices still running: a later step. Sessions whose notice ran out and that outlived their
      // forced sign-out (a hung session, or one still logging off) go with the forced removal.
      const notices = this.record.hosts[host]?.notices;
      const left = sessions.map((s) => s.id);
      if (sessionsPastDeadline(left, notices, this.delayMs, this.now()).length < left.length) return;
      await this.ports.hostPool.removeSessionHost(name);
    }
    this.emit({ type: "host.removed", host });
    await this.deallocateOriginal(host);
  }

  private async deallocateOriginal(host: string): Promise<void> {
    const original = this.record.hosts[host]?.original;
    if (!original) return;
    const power = await this.ports.compute.getPowerState(original.vm.resourceId);
    if (power === "deallocated" || power === "notFound") return;
    await this.ports.compute.deallocate(original.vm.resourceId);
    this.emit({ type: "vm.deallocated", host, vm: original.vm.name });
  }

  // --- the stack update ---------------------------------------------------------------------

  private async up(batch: number, hosts: string[]): Promise<void> {
    let result: { result: "succeeded" | "failed"; error?: string; failedHosts?: Record<string, string> };
    try {
      const desired = await this.ports.stack.readDesired();
      if (desired.revision !== this.record.revision) {
        await this.failRollout(
          hosts,
          `the stack configuration changed during the rollout (revision ${this.record.revision} -> ${desired.revision}); ` +
            `cancel this rollout and start a new one`,
        );
        return;
      }
      await this.ports.hostPool.ensureRegistrationToken(this.deps.tuning.registrationTokenValidityMinutes);
      const verdict = await this.ports.stack.preview({ index: batch, hosts });
      if (verdict.outsideBatchChanges.length > 0) {
        await this.failRollout(hosts, previewRefusal(batch, verdict.outsideBatchChanges));
        return;
      }
      this.emit({ type: "stack.up", batch, hosts });
      result = await this.ports.stack.up({ index: batch, hosts });
    } catch (error) {
      if (classifyError(error) === "fatal") throw error;
      const message = errorMessage(error);
      this.emit({ type: "stack.upFinished", batch, result: "failed", error: message });
      await this.recordFailure(hosts, message, classifyError(error) === "transient", error);
      return;
    }
    this.emit({
      type: "stack.upFinished",
      batch,
      result: result.result,
      ...(result.error ? { error: result.error } : {}),
    });
    this.deps.observer.forgetLedger();
    const ledger = await this.deps.observer.deployedHosts();
    const deployed = (h: string): DeployedHost | undefined => ledger.get(h)?.deployed;
    const failedHosts = result.failedHosts ?? {};
    const replaced = hosts.filter((h) => isFreshGeneration(this.record.hosts[h], deployed(h)));
    const failed = hosts.filter(
      (h) => !replaced.includes(h) || (result.result === "failed" && h in failedHosts),
    );
    const good = hosts.filter((h) => !failed.includes(h));
    if (good.length > 0) await this.markProvisioned(good);
    for (const h of failed) {
      const message =
        failedHosts[h] ??
        result.error ??
        `the up of batch ${batch} succeeded but did not create a new generation of ${h}`;
      const fresh = replaced.includes(h) ? deployed(h) : undefined;
      if (fresh) await this.discard(h, fresh);
      await this.recordFailure(
        [h],
        message,
        isTransientMessage(message) || (result.result === "succeeded" && !fresh),
      );
    }
  }

  private async failRollout(hosts: string[], message: string): Promise<void> {
    await this.update((r) => {
      r.error = message;
    });
    await this.recordFailure(hosts, message, false);
  }

  private async markProvisioned(hosts: readonly string[]): Promise<void> {
    const at = iso(this.now());
    await this.update((r) => {
      for (const h of hosts) {
        const e = r.hosts[h];
        if (e && !e.provisionedAt) e.provisionedAt = at;
      }
    });
  }

  /** Gives up on a new generation: forget it in the record first, then take it out of the pool and delete it. */
  private async discard(host: string, vm: DeployedHost, sessionHost?: string): Promise<void> {
    await this.update((r) => {
      const e = r.hosts[host];
      if (!e) return;
      const list = e.discardedVms ?? [];
      if (!list.some((d) => resourceKey(d.resourceId) === resourceKey(vm.vmResourceId)))
        e.discardedVms = [...list, { name: vm.vmName, resourceId: vm.vmResourceId }];
      delete e.provisionedAt;
      delete e.registeredAt;
    });
    if (sessionHost) await this.ports.hostPool.removeSessionHost(sessionHost);
    await this.ports.compute.deleteVm(vm.vmResourceId);
  }

  private async guardRegistration(sessionHost: string): Promise<void> {
    try {
      await this.ports.hostPool.setDrainMode(sessionHost, true);
    } catch (error) {
      // Not critical: the restore drains it again.
      if (classifyError(error) === "fatal") throw error;
    }
  }

  private async registrationTimeout(host: string, view: HostView | undefined): Promise<void> {
    const minutes = Math.round(this.deps.tuning.registrationTimeoutMs / MINUTE);
    const deployed = view?.deployed;
    const message = `${host}: the new session host ${deployed?.vmName ?? ""} did not become Available within ${minutes} minutes (registration timeout)`;
    if (deployed) await this.discard(host, deployed, view?.fresh?.name);
    await this.recordFailure([host], message, true);
  }

  // --- back in service ----------------------------------------------------------------------

  /** The new generation is Available: record it, then restore the original drain mode and power state. */
  private async restore(host: string, view: HostView | undefined): Promise<void> {
    const deployed = view?.deployed;
    if (!deployed) return;
    if (!this.record.hosts[host]?.registeredAt) {
      const at = iso(this.now());
      let registeredHere = false;
      await this.update((r) => {
        registeredHere = false;
        const e = r.hosts[host];
        if (e && !e.registeredAt) {
          e.registeredAt = at;
          registeredHere = true;
        }
      });
      if (registeredHere) this.emit({ type: "host.registered", host, vm: deployed.vmName });
    }
    const original = this.record.hosts[host]?.original;
    if (!original) return;
    const sessionHost = view?.fresh;
    if (original.powerState === "deallocated") {
      // Close the door first; users who signed in while it registered get their own full notice.
      if (sessionHost?.allowNewSession) await this.ports.hostPool.setDrainMode(sessionHost.name, true);
      if (sessionHost && !(await this.emptyForDeallocation(host, sessionHost.name))) return;
      const power = await this.ports.compute.getPowerState(deployed.vmResourceId);
      if (power !== "deallocated") await this.ports.compute.deallocate(deployed.vmResourceId);
      if (sessionHost && original.allowNewSession)
        await this.ports.hostPool.setDrainMode(sessionHost.name, false);
    } else if (sessionHost && sessionHost.allowNewSession !== original.allowNewSession) {
      await this.ports.hostPool.setDrainMode(sessionHost.name, !original.allowNewSession);
    }
    const now = this.now();
    let restoredHere = false;
    await this.update((r) => {
      restoredHere = false;
      const e = r.hosts[host];
      if (!e || e.restoredAt) return;
      e.restoredAt = iso(now);
      restoredHere = true;
      if (e.committedAt) {
        const took = now - Date.parse(e.committedAt);
        const stats = r.stats ?? { count: 0, totalMs: 0 };
        r.stats = {
          count: stats.count + 1,
          totalMs: stats.totalMs + took,
          minMs: stats.minMs === undefined ? took : Math.min(stats.minMs, took),
        };
      }
    });
    if (restoredHere) {
      this.emit({
        type: "host.ready",
        host,
        vm: deployed.vmName,
        allowNewSession: original.allowNewSession,
        powerState: original.powerState,
      });
    }
  }

  /** Notifies and, once their notice ran out, signs out the sessions on a new generation going back to deallocated. */
  private async emptyForDeallocation(host: string, sessionHost: string): Promise<boolean> {
    const sessions = await this.ports.hostPool.listUserSessions(sessionHost);
    if (sessions.length === 0) return true;
    const ids = sessions.map((s) => s.id);
    const index = await this.addGroup(host, ids, true);
    if (index !== null) await this.deliver(host, sessionHost, true, index);
    const due = sessionsPastDeadline(ids, this.record.hosts[host]?.restoreNotices, this.delayMs, this.now());
    if (due.length === 0) return false;
    await Promise.all(due.map((id) => this.ports.hostPool.signOut(sessionHost, id)));
    this.emit({ type: "host.signedOut", host, forced: due.length, sessionIds: due });
    this.deps.observer.forgetSessions(sessionHost);
    return (await this.ports.hostPool.listUserSessions(sessionHost)).length === 0;
  }

  /** Delete the original VM (with NIC and disk) or keep it deallocated, then the host is done. */
  private async finalize(host: string): Promise<void> {
    const entry = this.record.hosts[host];
    if (!entry) return;
    const original = entry.original;
    if (original) {
      if (this.record.params.deleteOriginalVm) {
        await this.ports.compute.deleteVm(original.vm.resourceId);
        this.emit({ type: "vm.deleted", host, vm: original.vm.name });
      } else {
        const power = await this.ports.compute.getPowerState(original.vm.resourceId);
        if (power !== "deallocated" && power !== "notFound")
          await this.ports.compute.deallocate(original.vm.resourceId);
        this.emit({ type: "vm.retained", host, vm: original.vm.name });
      }
    }
    for (const vm of entry.discardedVms ?? []) await this.ports.compute.deleteVm(vm.resourceId);
    await this.update((r) => {
      delete r.hosts[host];
    });
  }

  // --- stopping ------------------------------------------------------------------------------

  /** Takes back the notice of a host that never left service: drain mode as it was, entry cleared. */
  private async withdraw(host: string, view: HostView | undefined, obs: Observation): Promise<void> {
    const entry = this.record.hosts[host];
    if (!entry || entry.committedAt || entry.failed) return;
    const sessionHost = view?.original ?? obs.sessionHostOf.get(host);
    if (entry.original?.allowNewSession && sessionHost && !sessionHost.allowNewSession) {
      await this.ports.hostPool.setDrainMode(sessionHost.name, false);
      this.emit({ type: "host.undrained", host });
    }
    await this.update((r) => {
      const e = r.hosts[host];
      if (!e || e.committedAt || e.failed) return;
      if (e.attempts) r.hosts[host] = { batch: e.batch, attempts: e.attempts };
      else delete r.hosts[host];
    });
  }

  /** Reported, then recorded (as `batch.started`): around a crash it may be reported twice, never lost. */
  private async finishBatches(batches: readonly number[]): Promise<void> {
    const reported = new Set(this.record.finishedBatches ?? []);
    for (const batch of batches) if (!reported.has(batch)) this.emit({ type: "batch.finished", batch });
    await this.update((r) => {
      const finished = new Set([...(r.finishedBatches ?? []), ...batches]);
      r.finishedBatches = [...finished].sort((a, b) => a - b);
    });
  }

  // --- failures ------------------------------------------------------------------------------

  /**
   * Transient: count an attempt and back off — at least as long as a Retry-After the error
   * carries — or fail when the attempts are used up. Permanent: fail.
   */
  async recordFailure(
    hosts: readonly string[],
    message: string,
    transient: boolean,
    cause?: unknown,
  ): Promise<void> {
    const now = this.now();
    const outcomes = new Map<string, { attempt: number; failed: boolean }>();
    await this.update((r) => {
      outcomes.clear();
      for (const host of hosts) {
        const entry: HostRecord = r.hosts[host] ?? {
          batch: batchOfPlanIndex(r.planned.indexOf(host), r.params.batchSize),
        };
        const attempt = (entry.attempts ?? 0) + 1;
        entry.attempts = attempt;
        entry.error = message;
        const failed = !transient || !mayRetry(attempt, this.deps.tuning.maxAttempts);
        if (failed) {
          entry.failed = true;
          delete entry.retryAt;
        } else entry.retryAt = iso(now + waitAfter(cause, backoffMs(attempt, this.deps.tuning)));
        r.hosts[host] = entry;
        outcomes.set(host, { attempt, failed });
      }
    });
    for (const [host, { attempt, failed }] of outcomes) {
      if (failed) this.emit({ type: "host.failed", host, error: message });
      else this.emit({ type: "host.retry", host, attempt: attempt + 1, error: message });
    }
  }
}

export function previewRefusal(batch: number, outside: readonly string[]): string {
  const shown = outside.slice(0, 10).join(", ");
  const more = outside.length > 10 ? ` and ${outside.length - 10} more` : "";
  return (
    `refusing batch ${batch}: the preview shows resources outside the batch that would be replaced or deleted: ${shown}${more}. ` +
    `Nothing was changed. Check the stack configuration (a plain \`pulumi up\` must never replace existing hosts) and run \`avd-rollout drift\`.`
  );
}

function originalPower(power: PowerState | "notFound"): "running" | "deallocated" {
  return power === "running" || power === "starting" ? "running" : "deallocated";
}
