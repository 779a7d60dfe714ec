/**
 * The "act" of observe -> decide -> act: carries out decide()'s actions through the ports.
 *
 * Every action is idempotent, and every fact that cannot be observed afterwards is written to the
 * rollout record *before* it is acted on: original drain mode and power state before a drain,
 * who is notified before a message goes out, a commit before the host leaves service. So a
 * driver killed anywhere resumes from the record and the world: it never loses a host, messages
 * a session twice, or shortens a notice — a notice whose delivery was not confirmed counts from
 * when the resumed driver finds it. The actions live in act/, one part of a host's way each.
 */
import type { Action } from "./actions";
import { BackInService } from "./act/backInService";
import { ActContext, type ActuatorDeps } from "./act/context";
import { LeavingService } from "./act/leavingService";
import { Notices } from "./act/notices";
import { StackUpdate } from "./act/stackUpdate";
import type { DriverEventBody } from "./events";
import type { Observation } from "./observation";
import { classifyError, errorMessage } from "./retryPolicy";

export type { ActuatorDeps } from "./act/context";
export { previewRefusal } from "./act/stackUpdate";

export class Actuator {
  private readonly ctx: ActContext;
  private readonly notices: Notices;
  private readonly leaving: LeavingService;
  private readonly stack: StackUpdate;
  private readonly back: BackInService;

  constructor(deps: ActuatorDeps) {
    this.ctx = new ActContext(deps);
    this.notices = new Notices(this.ctx);
    this.leaving = new LeavingService(this.ctx, this.notices);
    this.stack = new StackUpdate(this.ctx);
    this.back = new BackInService(this.ctx, this.notices);
  }

  /** Emits a driver event stamped with the time and the rollout id. */
  emit(event: DriverEventBody): void {
    this.ctx.emit(event);
  }

  /** Runs an action; failures become host retries or failures, except fatal ones (a crash, a bug). */
  async run(action: Action, obs: Observation): Promise<void> {
    const hosts = "hosts" in action ? action.hosts : "host" in action ? [action.host] : [];
    try {
      await this.execute(action, obs);
    } catch (error) {
      if (hosts.length === 0 || classifyError(error) === "fatal") throw error;
      await this.ctx.recordFailure(hosts, errorMessage(error), classifyError(error) === "transient", error);
    }
  }

  private async execute(action: Action, obs: Observation): Promise<void> {
    const view = "host" in action ? obs.views.get(action.host) : undefined;
    switch (action.kind) {
      case "startNotice":
        return this.notices.startNotice(action.host, action.batch, action.steer, obs);
      case "notifyArrivals":
        return this.notices.notifyArrivals(action.host, action.sessionIds, action.restore, view);
      case "confirmNotice":
        return this.notices.confirmNotice(action.host, action.restore);
      case "steer":
        return this.leaving.steer(action.host, action.drain, obs);
      case "commit":
        return this.leaving.commit(action.host, view);
      case "evacuate":
        return this.leaving.evacuate(action.host, view);
      case "deallocateOriginal":
        return this.leaving.deallocateOriginal(action.host);
      case "withdraw":
        return this.leaving.withdraw(action.host, view, obs);
      case "up":
        return this.stack.up(action.batch, action.hosts);
      case "markProvisioned":
        return this.stack.markProvisioned([action.host]);
      case "guardRegistration":
        return this.stack.guardRegistration(action.sessionHost);
      case "registrationTimeout":
        return this.stack.registrationTimeout(action.host, view);
      case "restore":
        return this.back.restore(action.host, view);
      case "finalize":
        return this.back.finalize(action.host);
      case "finishBatches":
        return this.finishBatches(action.batches);
    }
  }

  /** Reported, then recorded (as `batch.started`): around a crash it may be reported twice, never lost. */
  private async finishBatches(batches: readonly number[]): Promise<void> {
    const reported = new Set(this.ctx.record.finishedBatches ?? []);
    for (const batch of batches) if (!reported.has(batch)) this.ctx.emit({ type: "batch.finished", batch });
    await this.ctx.update((r) => {
      const finished = new Set([...(r.finishedBatches ?? []), ...batches]);
      r.finishedBatches = [...finished].sort((a, b) => a - b);
    });
  }
}
