/**
 * A deliberately simple driver used to test the rehearsal harness, the world and the invariant
 * checker independently of the real engine: batches strictly one after another (no overlap),
 * every step idempotent, per-host facts in the rollout record so it resumes after a crash.
 * It is a test fixture, not the product's driver (automation/core/driver.ts).
 */
import { PortError, isTransient } from "../../automation/core/errors";
import type { DriverEventBody, EventSink } from "../../automation/core/events";
import type { Ports } from "../../automation/core/ports";
import type { RolloutRecord } from "../../automation/core/record";
import type {
  RehearsalDriver,
  RehearsalDriverDeps,
  RehearsalOutcome,
  RehearsalStartRequest,
} from "../../automation/sim/driverModule";
import { naturalCompare } from "../../automation/sim/invariants";

const MINUTE = 60_000;

interface Ctx {
  ports: Ports;
  events: EventSink;
  record: RolloutRecord;
  etag: string | null;
}

async function retry<T>(ports: Ports, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (!isTransient(error) || attempt >= 20) throw error;
      await ports.clock.sleep(Math.min(attempt, 5) * 10_000);
    }
  }
}

function emit(ctx: Ctx, event: DriverEventBody): void {
  ctx.events.emit({
    t: new Date(ctx.ports.clock.now()).toISOString(),
    rollout: ctx.record.id,
    ...event,
  } as Parameters<EventSink["emit"]>[0]);
}

async function save(ctx: Ctx): Promise<void> {
  // A copy: this fixture keeps changing its record in place, the pool's must not change unwritten.
  const written = structuredClone(ctx.record);
  ctx.etag = await retry(ctx.ports, () => ctx.ports.hostPool.writeRecord(written, ctx.etag));
}

function batchesOf(planned: string[], size: number): string[][] {
  const batches = [planned.slice(0, 1)];
  for (let i = 1; i < planned.length; i += size) batches.push(planned.slice(i, i + size));
  return batches.filter((b) => b.length > 0);
}

async function sessionHostOf(ctx: Ctx, vmId: string) {
  const hosts = await retry(ctx.ports, () => ctx.ports.hostPool.listSessionHosts());
  return hosts.find((h) => h.resourceId.toLowerCase() === vmId.toLowerCase());
}

/** What the reference driver remembers of a host (in the record's `hosts`, under its own shape). */
interface Facts {
  originalVm?: { name: string; resourceId: string };
  originalAllowNewSession?: boolean;
  originalPowerState?: "running" | "deallocated";
  /** Session ids being messaged (written before sending: never sent twice). */
  sending?: string[];
  /** Deadline (ms) of each session whose notice was reported. */
  deadlines?: Record<string, number>;
  done?: boolean;
  /** The original VM was deleted or kept (and reported) after the host was done. */
  originalHandled?: boolean;
}

const factsOf = (record: RolloutRecord, host: string): Facts =>
  ((record.hosts as unknown as Record<string, Facts>)[host] ??= {});

async function runBatch(ctx: Ctx, index: number, hosts: string[]): Promise<string[]> {
  const { ports, record } = ctx;
  const { params } = record;
  const delayMs = params.logOffDelayMinutes * MINUTE;
  const started = (record as RolloutRecord & { startedBatches?: number[] }).startedBatches ?? [];
  if (!started.includes(index)) {
    (record as RolloutRecord & { startedBatches?: number[] }).startedBatches = [...started, index];
    await save(ctx);
    emit(ctx, { type: "batch.started", batch: index, hosts });
  }
  /** Deletes or keeps the original of a done host, once (a driver that died before it does it on resume). */
  const handleOriginal = async (host: string): Promise<void> => {
    const facts = factsOf(record, host);
    const original = facts.originalVm;
    if (original) {
      if (params.deleteOriginalVm) {
        await retry(ports, () => ports.compute.deleteVm(original.resourceId));
        emit(ctx, { type: "vm.deleted", host, vm: original.name });
      } else emit(ctx, { type: "vm.retained", host, vm: original.name });
    }
    facts.originalHandled = true;
    await save(ctx);
  };
  for (const host of hosts) {
    const facts = factsOf(record, host);
    if (facts.done && !facts.originalHandled) await handleOriginal(host);
  }
  const deployed = await retry(ports, () => ports.stack.readDeployedHosts());
  const pending = hosts.filter((h) => !factsOf(record, h).done);
  // Remember the original facts once, before touching anything.
  for (const host of pending) {
    const facts = factsOf(record, host);
    if (!facts.originalVm) {
      const entry = deployed.find((d) => d.host === host);
      if (!entry) throw new PortError("permanent", "reference", `host ${host} not in the stack`);
      const sessionHost = await sessionHostOf(ctx, entry.vmResourceId);
      const power = await retry(ports, () => ports.compute.getPowerState(entry.vmResourceId));
      facts.originalVm = { name: entry.vmName, resourceId: entry.vmResourceId };
      facts.originalAllowNewSession = sessionHost?.allowNewSession ?? true;
      facts.originalPowerState = power === "deallocated" ? "deallocated" : "running";
      await save(ctx);
    }
  }
  const fqdnOf = new Map<string, string>();
  for (const host of pending) {
    const vm = factsOf(record, host).originalVm;
    const sessionHost = vm ? await sessionHostOf(ctx, vm.resourceId) : undefined;
    if (sessionHost) fqdnOf.set(host, sessionHost.name);
  }
  /** Messages sessions not messaged yet; each session's deadline counts from the report. */
  const notifyNew = async (host: string, fqdn: string): Promise<void> => {
    const facts = factsOf(record, host);
    if (facts.sending?.length) {
      // Died while sending: confirm now, send nothing again.
      // Reported when confirmed (the deadline counts from the report), then recorded.
      const at = ports.clock.now();
      for (const id of facts.sending) (facts.deadlines ??= {})[id] = at + delayMs;
      const ids = facts.sending;
      facts.sending = [];
      emit(ctx, {
        type: "host.notified",
        host,
        sessions: ids.length,
        sessionIds: ids,
        deadline: new Date(at + delayMs).toISOString(),
        resumed: true,
      });
      await save(ctx);
    }
    const sessions = await retry(ports, () => ports.hostPool.listUserSessions(fqdn));
    const fresh = sessions.map((s) => s.id).filter((id) => facts.deadlines?.[id] === undefined);
    if (fresh.length === 0) return;
    facts.sending = fresh;
    await save(ctx); // remembered before sending: a crash never re-sends
    for (const id of fresh)
      await retry(ports, () => ports.hostPool.sendMessage(fqdn, id, "Update", params.logOffMessage));
    const at = ports.clock.now();
    emit(ctx, {
      type: "host.notified",
      host,
      sessions: fresh.length,
      sessionIds: fresh,
      deadline: new Date(at + delayMs).toISOString(),
    });
    for (const id of fresh) (facts.deadlines ??= {})[id] = at + delayMs;
    facts.sending = [];
    await save(ctx);
  };
  /** Notifies newcomers, signs out sessions whose notice ran out, until the host is empty. */
  const evacuate = async (host: string, fqdn: string): Promise<void> => {
    const facts = factsOf(record, host);
    for (;;) {
      await notifyNew(host, fqdn);
      const left = await retry(ports, () => ports.hostPool.listUserSessions(fqdn));
      if (left.length === 0) break;
      const now = ports.clock.now();
      const due = left.filter((s) => (facts.deadlines?.[s.id] ?? Infinity) <= now);
      for (const s of due) await retry(ports, () => ports.hostPool.signOut(fqdn, s.id));
      if (due.length > 0)
        emit(ctx, { type: "host.signedOut", host, forced: due.length, sessionIds: due.map((s) => s.id) });
      if (due.length === left.length) continue;
      const next = Math.min(...left.map((s) => facts.deadlines?.[s.id] ?? now + MINUTE));
      await ports.clock.sleep(Math.max(1, Math.min(MINUTE, next - now)));
    }
  };
  // Drain, then notify, each host of the batch; wait until each is empty or its users' notices ran out.
  for (const host of pending) {
    const fqdn = fqdnOf.get(host);
    if (!fqdn) continue;
    const sessionHost = await sessionHostOf(ctx, factsOf(record, host).originalVm?.resourceId ?? "");
    if (sessionHost?.allowNewSession) {
      await retry(ports, () => ports.hostPool.setDrainMode(fqdn, true));
      emit(ctx, { type: "host.drained", host });
    }
    await notifyNew(host, fqdn);
  }
  for (const host of pending) {
    const facts = factsOf(record, host);
    const fqdn = fqdnOf.get(host);
    if (fqdn) {
      await evacuate(host, fqdn);
      await retry(ports, () => ports.hostPool.removeSessionHost(fqdn));
      emit(ctx, { type: "host.removed", host });
    }
    const vm = facts.originalVm;
    if (vm && (await retry(ports, () => ports.compute.getPowerState(vm.resourceId))) !== "deallocated") {
      await retry(ports, () => ports.compute.deallocate(vm.resourceId));
      emit(ctx, { type: "vm.deallocated", host, vm: vm.name });
    }
  }
  // Up with bounded retries, then wait for Available, restore and handle the original.
  let toBuild = [...pending];
  const failed: string[] = [];
  for (let attempt = 1; toBuild.length > 0; attempt++) {
    await retry(ports, () => ports.hostPool.ensureRegistrationToken(180));
    emit(ctx, { type: "stack.up", batch: index, hosts: toBuild });
    const result = await ports.stack.up({ index, hosts: toBuild });
    emit(ctx, { type: "stack.upFinished", batch: index, result: result.result });
    const bad = Object.keys(result.failedHosts ?? {});
    if (result.result === "succeeded" || bad.length === 0) break;
    if (attempt >= 4) {
      for (const host of bad) {
        emit(ctx, { type: "host.failed", host, error: result.failedHosts?.[host] ?? "failed" });
        failed.push(host);
      }
      break;
    }
    for (const host of bad) emit(ctx, { type: "host.retry", host, attempt: attempt + 1 });
    toBuild = bad;
    await ports.clock.sleep(MINUTE);
  }
  const after = await retry(ports, () => ports.stack.readDeployedHosts());
  for (const host of pending) {
    if (failed.includes(host)) continue;
    const facts = factsOf(record, host);
    const entry = after.find((d) => d.host === host);
    if (!entry) continue;
    const sessionHost = await sessionHostOf(ctx, entry.vmResourceId);
    if (!sessionHost) continue;
    emit(ctx, { type: "host.registered", host, vm: entry.vmName });
    if (facts.originalAllowNewSession === false)
      await retry(ports, () => ports.hostPool.setDrainMode(sessionHost.name, true));
    if (facts.originalPowerState === "deallocated") {
      // Users who signed in while it registered get their notice before it goes back down.
      await retry(ports, () => ports.hostPool.setDrainMode(sessionHost.name, true));
      await evacuate(host, sessionHost.name);
      await retry(ports, () => ports.compute.deallocate(entry.vmResourceId));
      if (facts.originalAllowNewSession !== false)
        await retry(ports, () => ports.hostPool.setDrainMode(sessionHost.name, false));
    }
    facts.done = true;
    await save(ctx);
    emit(ctx, {
      type: "host.ready",
      host,
      vm: entry.vmName,
      allowNewSession: facts.originalAllowNewSession !== false,
      powerState: facts.originalPowerState ?? "running",
    });
    await handleOriginal(host);
  }
  emit(ctx, { type: "batch.finished", batch: index });
  return failed;
}

async function drive(
  deps: RehearsalDriverDeps,
  request: RehearsalStartRequest | null,
): Promise<RehearsalOutcome> {
  const { ports } = deps;
  const stored = await retry(ports, () => ports.hostPool.readRecord());
  // Its own copy: this fixture changes the record in place before writing it.
  let record = stored.record ? structuredClone(stored.record) : null;
  const ctx: Ctx = { ports, events: deps.events, record: record as RolloutRecord, etag: stored.etag };
  if (!record) {
    if (!request) return { result: "nothingToDo", rollout: null, updated: [], failed: [] };
    const desired = await retry(ports, () => ports.stack.readDesired());
    const deployed = await retry(ports, () => ports.stack.readDeployedHosts());
    const outOfDate = deployed
      .filter((d) => d.revision !== desired.revision)
      .map((d) => d.host)
      .sort(naturalCompare);
    const now = new Date(ports.clock.now()).toISOString();
    record = {
      version: 2,
      id: "ref-1",
      status: "running",
      revision: desired.revision,
      params: {
        batchSize: request.batchSize ?? desired.update.maxVmsRemoved,
        logOffDelayMinutes: request.logOffDelayMinutes ?? desired.update.logOffDelayMinutes,
        logOffMessage: request.logOffMessage ?? desired.update.logOffMessage,
        deleteOriginalVm: request.deleteOriginalVm ?? desired.update.deleteOriginalVm,
      },
      owner: deps.owner,
      heartbeat: now,
      startedAt: now,
      planned: outOfDate,
      hosts: {},
    };
    ctx.record = record;
    await save(ctx);
    emit(ctx, {
      type: "rollout.started",
      hosts: desired.hosts,
      outOfDate,
      batchSize: record.params.batchSize,
      logOffDelayMinutes: record.params.logOffDelayMinutes,
      deleteOriginalVm: record.params.deleteOriginalVm,
      revision: record.revision,
    });
  }
  const batches = batchesOf(record.planned, record.params.batchSize);
  const failed: string[] = [];
  for (let i = 0; i < batches.length && failed.length === 0; i++) {
    failed.push(...(await runBatch(ctx, i, batches[i])));
    const completed = record.planned.filter((h) => record !== null && factsOf(record, h).done).length;
    emit(ctx, {
      type: "rollout.progress",
      completed,
      total: record.planned.length,
      percent: Math.floor((100 * completed) / record.planned.length),
    });
  }
  const result = failed.length > 0 ? "failed" : "succeeded";
  record.status = result;
  await save(ctx);
  emit(ctx, { type: "rollout.finished", result });
  const updated = record.planned.filter((h) => record !== null && factsOf(record, h).done);
  return { result, rollout: record.id, updated, failed };
}

export const referenceDriver: RehearsalDriver = {
  startRollout: (deps, request) => drive(deps, request),
  continueRollout: (deps) => drive(deps, null),
};
