/**
 * Leaving service: steering (drain ahead of or under notice, or accepting again), the commit
 * (recorded before anything changes), the evacuation — drain re-asserted, newcomers notified,
 * sessions whose notice ran out signed out, removal once empty — and the original's deallocation;
 * and taking a notice back when the rollout stops.
 */
import type { HostView, Observation } from "../observation";
import { sessionsPastDeadline } from "../policies/notices";
import { type ActContext, iso } from "./context";
import type { Notices } from "./notices";

export class LeavingService {
  constructor(
    private readonly ctx: ActContext,
    private readonly notices: Notices,
  ) {}

  /**
   * Drains a host under notice, or one next in line (recorded as drained ahead first: it accepted
   * before), or lets it accept again.
   */
  async steer(host: string, drain: boolean, obs: Observation): Promise<void> {
    const view = obs.views.get(host);
    const sessionHost = view?.original ?? obs.sessionHostOf(host);
    if (!sessionHost) return;
    const ahead = !view?.entry?.noticeAt;
    if (drain && sessionHost.allowNewSession) {
      if (ahead) await this.setDrainedAhead(host, true);
      await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, true);
      this.ctx.emit({ type: "host.drained", host, reason: ahead ? "ahead" : "notice" });
    } else if (!drain && !sessionHost.allowNewSession) {
      // Only what the rollout drained accepts again: a host drained by its administrators stays so.
      const drainedByUs = ahead
        ? (this.ctx.record.drainedAhead ?? []).includes(host)
        : this.ctx.record.hosts[host]?.original?.allowNewSession === true;
      if (!drainedByUs) return;
      await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, false);
      this.ctx.emit({ type: "host.undrained", host });
    }
    if (!drain && ahead) await this.setDrainedAhead(host, false);
  }
  private async setDrainedAhead(host: string, drained: boolean): Promise<void> {
    if ((this.ctx.record.drainedAhead ?? []).includes(host) === drained) return;
    await this.ctx.update((r) => {
      const list = r.drainedAhead ?? [];
      if (list.includes(host) === drained) return;
      r.drainedAhead = drained ? [...list, host] : list.filter((h) => h !== host);
    });
  }
  async commit(host: string, view: HostView | undefined): Promise<void> {
    const at = iso(this.ctx.now());
    await this.ctx.update((r) => {
      const e = r.hosts[host];
      if (e?.noticeAt && !e.committedAt) e.committedAt = at;
    });
    if (this.ctx.record.hosts[host]?.committedAt) await this.evacuate(host, view);
  }
  /**
   * Drain (re-asserted: an agent upgrade can turn drain mode off), notify whoever is not notified,
   * sign out the sessions whose notice ran out, and once the host is empty remove it from the
   * pool and deallocate the original. Draining first closes the door: nobody signs in between
   * the last sign-out and the removal.
   */
  async evacuate(host: string, view: HostView | undefined): Promise<void> {
    const sessionHost = view?.original;
    if (sessionHost) {
      const name = sessionHost.name;
      if (sessionHost.allowNewSession) {
        await this.ctx.ports.hostPool.setDrainMode(name, true);
        this.ctx.emit({ type: "host.drained", host, reason: "commit" });
      }
      let sessions = await this.ctx.ports.hostPool.listUserSessions(name);
      const ids = sessions.map((s) => s.id);
      const { signedOut, notified } = await this.notices.enforce(host, name, ids, false);
      this.ctx.deps.observer.forgetSessions(name);
      if (signedOut.length > 0 || notified) sessions = await this.ctx.ports.hostPool.listUserSessions(name);
      // Notices still running: a later step. Sessions whose notice ran out and that outlived their
      // forced sign-out (a hung session, or one still logging off) go with the forced removal.
      const left = sessions.map((s) => s.id);
      const notices = this.ctx.record.hosts[host]?.notices;
      if (sessionsPastDeadline(left, notices, this.ctx.delayMs, this.ctx.now()).length < left.length) return;
      await this.ctx.ports.hostPool.removeSessionHost(name);
    }
    this.ctx.emit({ type: "host.removed", host });
    await this.deallocateOriginal(host);
  }
  async deallocateOriginal(host: string): Promise<void> {
    const original = this.ctx.record.hosts[host]?.original;
    if (!original) return;
    const power = await this.ctx.ports.compute.getPowerState(original.vm.resourceId);
    if (power === "deallocated" || power === "notFound") return;
    await this.ctx.ports.compute.deallocate(original.vm.resourceId);
    this.ctx.emit({ type: "vm.deallocated", host, vm: original.vm.name });
  }
  /** Takes back the notice (or the drain ahead) of a host that never left service: drain mode as it was. */
  async withdraw(host: string, view: HostView | undefined, obs: Observation): Promise<void> {
    const entry = this.ctx.record.hosts[host];
    const ahead = (this.ctx.record.drainedAhead ?? []).includes(host);
    if (!ahead && (!entry || entry.committedAt || entry.failed)) return;
    const sessionHost = view?.original ?? obs.sessionHostOf(host);
    const allowed = ahead || entry?.original?.allowNewSession === true;
    if (allowed && sessionHost && !sessionHost.allowNewSession) {
      await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, false);
      this.ctx.emit({ type: "host.undrained", host });
    }
    await this.ctx.update((r) => {
      if (ahead) r.drainedAhead = (r.drainedAhead ?? []).filter((h) => h !== host);
      const e = r.hosts[host];
      if (!e || e.committedAt || e.failed) return;
      if (e.attempts) r.hosts[host] = { batch: e.batch, attempts: e.attempts };
      else delete r.hosts[host];
    });
  }
}
