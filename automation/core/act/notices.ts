/**
 * Notices (spec §5.3), per session: who is told is recorded before any message goes out (each
 * session at most once), and a group's deadline counts from when its sends returned. A notice
 * whose sending died with the driver is confirmed by the one that resumes — later than any real
 * delivery — and never sent again.
 */
import type { HostView, Observation } from "../observation";
import { isServing } from "../planner";
import { noticeBody, sessionsPastDeadline, unconfirmedGroups, unnotifiedSessions } from "../policies/notices";
import type { PowerState } from "../ports";
import type { HostRecord, NoticeGroup } from "../record";
import { classifyError } from "../retryPolicy";
import { type ActContext, iso } from "./context";

export class Notices {
  /** Batches whose start this driver reported (until the record says so). */
  private readonly startsReported = new Set<number>();

  constructor(private readonly ctx: ActContext) {}

  /**
   * The host's notice: record what it was (drain mode, power state, VM) and that its notice
   * started, steer new sessions away when decided, then notify every session on it. Resumable:
   * a driver that died half-way carries on from what the record holds.
   */
  async startNotice(host: string, batch: number, steer: boolean, obs: Observation): Promise<void> {
    const sessionHost = obs.views.get(host)?.original ?? obs.sessionHostOf(host);
    await this.recordOriginal(host, batch, obs);
    const entry = this.ctx.record.hosts[host];
    if (!entry?.original || !entry.noticeAt || (entry.notices ?? []).length > 0) return;
    if (steer && sessionHost?.allowNewSession && entry.original.allowNewSession) {
      await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, true);
      this.ctx.emit({ type: "host.drained", host, reason: "notice" });
    }
    const ids = sessionHost
      ? (await this.ctx.ports.hostPool.listUserSessions(sessionHost.name)).map((s) => s.id)
      : [];
    const index = await this.addGroup(host, ids, false, true);
    if (index !== null) await this.deliver(host, sessionHost?.name, false, index);
  }
  /**
   * Records what the host was before the rollout touched it — once, before its notice changes
   * anything — and when the notice started (and that its batch started).
   */
  private async recordOriginal(host: string, batch: number, obs: Observation): Promise<void> {
    const current = this.ctx.record.hosts[host];
    if (current?.original && current.noticeAt) return;
    const deployed = (await this.ctx.deps.observer.deployedHosts()).get(host)?.deployed;
    if (!deployed) throw new Error(`${host} is planned but not in the stack's ledger`);
    const sessionHost = obs.sessionHostOf(host);
    const power = current?.original
      ? null
      : await this.ctx.ports.compute.getPowerState(deployed.vmResourceId);
    const at = iso(this.ctx.now());
    // Reported before the record says so: a driver that dies in between reports it again (a log may
    // show a batch started twice around a crash, never not at all). Hosts of one batch start their
    // notices concurrently: reported once by this driver.
    const startsBatch = !current?.failed && !(this.ctx.record.startedBatches ?? []).includes(batch);
    if (startsBatch && !this.startsReported.has(batch)) {
      this.startsReported.add(batch);
      this.ctx.emit({ type: "batch.started", batch, hosts: [...obs.batches[batch]] });
    }
    await this.ctx.update((r) => {
      const previous = r.hosts[host];
      if (previous?.failed) return;
      const entry: HostRecord = previous ?? { batch };
      entry.batch = batch;
      // Drained ahead by the rollout: it accepted new sessions before.
      const drainedAhead = (r.drainedAhead ?? []).includes(host);
      const allowNewSession = drainedAhead || (sessionHost ? sessionHost.allowNewSession : true);
      entry.original ??= {
        vm: { name: deployed.vmName, resourceId: deployed.vmResourceId },
        ...(sessionHost ? { sessionHostName: sessionHost.name } : {}),
        allowNewSession,
        powerState: originalPower(power ?? "unknown"),
        accepting:
          power !== null &&
          sessionHost !== undefined &&
          allowNewSession &&
          isServing({ ...sessionHost, allowNewSession }, power),
      };
      if (drainedAhead) r.drainedAhead = (r.drainedAhead ?? []).filter((h) => h !== host);
      if (!entry.noticeAt) {
        entry.noticeAt = at;
        if (!(r.startedBatches ?? []).includes(batch))
          r.startedBatches = [...(r.startedBatches ?? []), batch].sort((a, b) => a - b);
      }
      r.hosts[host] = entry;
    });
  }
  /** Sessions that appeared on a host under notice (or on a new generation going back to deallocated). */
  async notifyArrivals(
    host: string,
    sessionIds: string[],
    restore: boolean,
    view: HostView | undefined,
  ): Promise<void> {
    const sessionHost = restore ? view?.fresh : view?.original;
    if (!sessionHost) return;
    const index = await this.addGroup(host, sessionIds, restore);
    if (index !== null) await this.deliver(host, sessionHost.name, restore, index);
    this.ctx.deps.observer.forgetSessions(sessionHost.name);
  }
  /**
   * Records a notice group for the sessions not notified yet — before any message goes out, so
   * none is ever sent twice. Returns its index, or null when every session was notified already.
   */
  async addGroup(
    host: string,
    sessionIds: readonly string[],
    restore: boolean,
    first = false,
  ): Promise<number | null> {
    let index: number | null = null;
    const at = iso(this.ctx.now());
    await this.ctx.update((r) => {
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
  async deliver(
    host: string,
    sessionHost: string | undefined,
    restore: boolean,
    index: number,
  ): Promise<void> {
    const group = this.groupOf(host, restore, index);
    if (!group || group.sentAt) return;
    const body = noticeBody(
      this.ctx.record.params.logOffMessage,
      this.ctx.now() + this.ctx.delayMs,
      this.ctx.now(),
    );
    if (sessionHost) {
      await Promise.all(
        group.ids.map(async (id) => {
          try {
            await this.ctx.ports.hostPool.sendMessage(
              sessionHost,
              id,
              this.ctx.deps.tuning.messageTitle,
              body,
            );
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
    const sentAt = this.ctx.now();
    this.report(host, group, sentAt, false);
    await this.confirmGroups(host, restore, [index], sentAt);
  }
  /**
   * Sending died with the driver: confirm as delivered now (later than any real delivery); send
   * nothing. Reported the moment it is confirmed, as a delivery is — the deadline counts from the
   * report's own time — then recorded; a driver that dies in between confirms it later still.
   */
  async confirmNotice(host: string, restore: boolean): Promise<void> {
    const entry = this.ctx.record.hosts[host];
    const groups = (restore ? entry?.restoreNotices : entry?.notices) ?? [];
    const indexes = unconfirmedGroups(groups);
    if (indexes.length === 0) return;
    const sentAt = this.ctx.now();
    for (const index of indexes) this.report(host, groups[index], sentAt, true);
    await this.confirmGroups(host, restore, indexes, sentAt);
  }
  /**
   * The sessions on a host that leaves service (or a new generation going back to deallocated):
   * those not told yet get their notice now, and those whose own notice ran out are signed out
   * by force. Returns who was signed out, and whether a notice went out.
   */
  async enforce(
    host: string,
    sessionHost: string,
    ids: readonly string[],
    restore: boolean,
  ): Promise<{ signedOut: string[]; notified: boolean }> {
    const index = await this.addGroup(host, ids, restore);
    if (index !== null) await this.deliver(host, sessionHost, restore, index);
    const entry = this.ctx.record.hosts[host];
    const groups = restore ? entry?.restoreNotices : entry?.notices;
    const due = sessionsPastDeadline(ids, groups, this.ctx.delayMs, this.ctx.now());
    if (due.length > 0) {
      await Promise.all(due.map((id) => this.ctx.ports.hostPool.signOut(sessionHost, id)));
      this.ctx.emit({ type: "host.signedOut", host, forced: due.length, sessionIds: due });
    }
    return { signedOut: due, notified: index !== null };
  }
  /** `host.notified`: the group's sessions and their deadline, the full delay after `sentAt`. */
  private report(host: string, group: NoticeGroup, sentAt: number, resumed: boolean): void {
    this.ctx.emit({
      type: "host.notified",
      host,
      sessions: group.ids.length,
      sessionIds: group.ids,
      deadline: iso(sentAt + this.ctx.delayMs),
      ...(resumed ? { resumed: true } : {}),
    });
  }
  /** Records when groups were delivered (groups already confirmed keep their time). */
  private async confirmGroups(
    host: string,
    restore: boolean,
    indexes: readonly number[],
    sentAt: number,
  ): Promise<void> {
    if (indexes.length === 0) return;
    await this.ctx.update((r) => {
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
    const entry = this.ctx.record.hosts[host];
    return (restore ? entry?.restoreNotices : entry?.notices)?.[index];
  }
}

function originalPower(power: PowerState | "notFound"): "running" | "deallocated" {
  return power === "running" || power === "starting" ? "running" : "deallocated";
}
