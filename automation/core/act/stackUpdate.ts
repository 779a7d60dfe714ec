/**
 * The stack update of a batch: checks first (configuration unchanged, a registration token, a
 * preview that touches nothing outside the batch), then `pulumi up`, then which hosts got a new
 * generation; a generation given up on is forgotten in the record before it is deleted.
 */
import type { HostView } from "../observation";
import { isFreshGeneration } from "../phase";
import { resourceKey } from "../planner";
import type { DeployedHost } from "../ports";
import { classifyError, errorMessage, isTransientMessage } from "../retryPolicy";
import { type ActContext, iso } from "./context";

const MINUTE = 60_000;

export class StackUpdate {
  constructor(private readonly ctx: ActContext) {}

  async up(batch: number, hosts: string[]): Promise<void> {
    let result: { result: "succeeded" | "failed"; error?: string; failedHosts?: Record<string, string> };
    try {
      const desired = await this.ctx.ports.stack.readDesired();
      if (desired.revision !== this.ctx.record.revision) {
        await this.failRollout(
          hosts,
          `the stack configuration changed during the rollout (revision ${this.ctx.record.revision} -> ${desired.revision}); ` +
            `cancel this rollout and start a new one`,
        );
        return;
      }
      await this.ctx.ports.hostPool.ensureRegistrationToken(
        this.ctx.deps.tuning.registrationTokenValidityMinutes,
      );
      const verdict = await this.ctx.ports.stack.preview({ index: batch, hosts });
      if (verdict.outsideBatchChanges.length > 0) {
        await this.failRollout(hosts, previewRefusal(batch, verdict.outsideBatchChanges));
        return;
      }
      this.ctx.emit({ type: "stack.up", batch, hosts });
      result = await this.ctx.ports.stack.up({ index: batch, hosts });
    } catch (error) {
      if (classifyError(error) === "fatal") throw error;
      const message = errorMessage(error);
      this.ctx.emit({ type: "stack.upFinished", batch, result: "failed", error: message });
      await this.ctx.recordFailure(hosts, message, classifyError(error) === "transient", error);
      return;
    }
    this.ctx.emit({
      type: "stack.upFinished",
      batch,
      result: result.result,
      ...(result.error ? { error: result.error } : {}),
    });
    this.ctx.deps.observer.forgetLedger();
    const ledger = await this.ctx.deps.observer.deployedHosts();
    const deployed = (h: string): DeployedHost | undefined => ledger.get(h)?.deployed;
    const failedHosts = result.failedHosts ?? {};
    const replaced = hosts.filter((h) => isFreshGeneration(this.ctx.record.hosts[h], deployed(h)));
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
      await this.ctx.recordFailure(
        [h],
        message,
        isTransientMessage(message) || (result.result === "succeeded" && !fresh),
      );
    }
  }
  private async failRollout(hosts: string[], message: string): Promise<void> {
    await this.ctx.update((r) => {
      r.error = message;
    });
    await this.ctx.recordFailure(hosts, message, false);
  }
  async markProvisioned(hosts: readonly string[]): Promise<void> {
    const at = iso(this.ctx.now());
    await this.ctx.update((r) => {
      for (const h of hosts) {
        const e = r.hosts[h];
        if (e && !e.provisionedAt) e.provisionedAt = at;
      }
    });
  }
  /** Gives up on a new generation: forget it in the record first, then take it out of the pool and delete it. */
  private async discard(host: string, vm: DeployedHost, sessionHost?: string): Promise<void> {
    await this.ctx.update((r) => {
      const e = r.hosts[host];
      if (!e) return;
      const list = e.discardedVms ?? [];
      if (!list.some((d) => resourceKey(d.resourceId) === resourceKey(vm.vmResourceId)))
        e.discardedVms = [...list, { name: vm.vmName, resourceId: vm.vmResourceId }];
      delete e.provisionedAt;
      delete e.registeredAt;
    });
    if (sessionHost) await this.ctx.ports.hostPool.removeSessionHost(sessionHost);
    await this.ctx.ports.compute.deleteVm(vm.vmResourceId);
  }
  async guardRegistration(sessionHost: string): Promise<void> {
    try {
      await this.ctx.ports.hostPool.setDrainMode(sessionHost, true);
    } catch (error) {
      // Not critical: the restore drains it again.
      if (classifyError(error) === "fatal") throw error;
    }
  }
  async registrationTimeout(host: string, view: HostView | undefined): Promise<void> {
    const minutes = Math.round(this.ctx.deps.tuning.registrationTimeoutMs / MINUTE);
    const deployed = view?.deployed;
    const message = `${host}: the new session host ${deployed?.vmName ?? ""} did not become Available within ${minutes} minutes (registration timeout)`;
    if (deployed) await this.discard(host, deployed, view?.fresh?.name);
    await this.ctx.recordFailure([host], message, true);
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
