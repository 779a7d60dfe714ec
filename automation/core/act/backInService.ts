/**
 * Back in service: the new generation is recorded, its drain mode and power state restored as
 * they were (a host that was deallocated goes back down once the sessions that found it have had
 * their notice), then the original is deleted or kept deallocated and the host is done.
 */
import type { HostView } from "../observation";
import { type ActContext, iso } from "./context";
import type { Notices } from "./notices";

export class BackInService {
  constructor(
    private readonly ctx: ActContext,
    private readonly notices: Notices,
  ) {}

  /** The new generation is Available: record it, then restore the original drain mode and power state. */
  async restore(host: string, view: HostView | undefined): Promise<void> {
    const deployed = view?.deployed;
    if (!deployed) return;
    if (!this.ctx.record.hosts[host]?.registeredAt) {
      const at = iso(this.ctx.now());
      let registeredHere = false;
      await this.ctx.update((r) => {
        registeredHere = false;
        const e = r.hosts[host];
        if (e && !e.registeredAt) {
          e.registeredAt = at;
          registeredHere = true;
        }
      });
      if (registeredHere) this.ctx.emit({ type: "host.registered", host, vm: deployed.vmName });
    }
    const original = this.ctx.record.hosts[host]?.original;
    if (!original) return;
    const sessionHost = view?.fresh;
    if (original.powerState === "deallocated") {
      // Close the door first; users who signed in while it registered get their own full notice.
      if (sessionHost?.allowNewSession) await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, true);
      if (sessionHost && !(await this.emptyForDeallocation(host, sessionHost.name))) return;
      const power = await this.ctx.ports.compute.getPowerState(deployed.vmResourceId);
      if (power !== "deallocated") await this.ctx.ports.compute.deallocate(deployed.vmResourceId);
      if (sessionHost && original.allowNewSession)
        await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, false);
    } else if (sessionHost && sessionHost.allowNewSession !== original.allowNewSession) {
      await this.ctx.ports.hostPool.setDrainMode(sessionHost.name, !original.allowNewSession);
    }
    const now = this.ctx.now();
    let restoredHere = false;
    await this.ctx.update((r) => {
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
      this.ctx.emit({
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
    const sessions = await this.ctx.ports.hostPool.listUserSessions(sessionHost);
    if (sessions.length === 0) return true;
    const ids = sessions.map((s) => s.id);
    const { signedOut } = await this.notices.enforce(host, sessionHost, ids, true);
    if (signedOut.length === 0) return false;
    this.ctx.deps.observer.forgetSessions(sessionHost);
    return (await this.ctx.ports.hostPool.listUserSessions(sessionHost)).length === 0;
  }
  /** Delete the original VM (with NIC and disk) or keep it deallocated, then the host is done. */
  async finalize(host: string): Promise<void> {
    const entry = this.ctx.record.hosts[host];
    if (!entry) return;
    const original = entry.original;
    if (original) {
      if (this.ctx.record.params.deleteOriginalVm) {
        await this.ctx.ports.compute.deleteVm(original.vm.resourceId);
        this.ctx.emit({ type: "vm.deleted", host, vm: original.vm.name });
      } else {
        const power = await this.ctx.ports.compute.getPowerState(original.vm.resourceId);
        if (power !== "deallocated" && power !== "notFound")
          await this.ctx.ports.compute.deallocate(original.vm.resourceId);
        this.ctx.emit({ type: "vm.retained", host, vm: original.vm.name });
      }
    }
    for (const vm of entry.discardedVms ?? []) await this.ctx.ports.compute.deleteVm(vm.resourceId);
    await this.ctx.update((r) => {
      delete r.hosts[host];
    });
  }
}
