/**
 * Starting a rollout, and continuing the one recorded on the pool (spec §5, §5.8-5.9): plan it,
 * take the lease (the rollout record), then hand over to the reconcile loop.
 */
import { randomBytes } from "node:crypto";
import type { DriverDeps, RolloutOutcome, StartRequest } from "./driverTypes";
import { BusyError, InputError, isTransient } from "./errors";
import { busyMessage, holdsPool, isActive, mayTakeOver } from "./lease";
import { previewRefusal } from "./act";
import { validateParameters } from "./parameters";
import { batchesOf, planRollout } from "./planner";
import { RecordConflictError } from "./ports";
import type { Ports } from "./ports";
import { RECORD_VERSION } from "./record";
import type { RolloutRecord } from "./record";
import { Reconciler, outcomeOf } from "./reconciler";
import { RecordStore } from "./recordStore";
import { withTransientRetries } from "./retryingPorts";
import { waitAfter } from "./retryPolicy";
import { resolveTuning } from "./tuning";

const NOTHING_TO_DO: RolloutOutcome = { result: "nothingToDo", rollout: null, updated: [], failed: [] };

/** Plans, takes the lease and runs a new rollout until it finishes, fails, pauses or is cancelled. */
export async function startRollout(deps: DriverDeps, request: StartRequest): Promise<RolloutOutcome> {
  const ports = withTransientRetries(deps.ports);
  const tuning = resolveTuning(deps.tuning);
  const stored = await ports.hostPool.readRecord();
  if (holdsPool(stored.record)) {
    throw new BusyError(busyMessage(stored.record, ports.clock.now(), tuning.leaseStaleAfterMs));
  }
  const [desired, deployed, sessionHosts] = await Promise.all([
    ports.stack.readDesired(),
    ports.stack.readDeployedHosts(),
    ports.hostPool.listSessionHosts(),
  ]);
  const params = validateParameters(desired.update, request, ports.clock.now());
  const plan = planRollout({ deployed, desired, sessionHosts, batchSize: params.batchSize });
  if (plan.outOfDate.length === 0) return NOTHING_TO_DO;

  // Refuse before anything changes if the program would touch hosts outside the first batch.
  const verdict = await ports.stack.preview({
    index: 0,
    hosts: batchesOf(plan.outOfDate, params.batchSize)[0],
  });
  if (verdict.outsideBatchChanges.length > 0)
    throw new InputError(previewRefusal(0, verdict.outsideBatchChanges));

  const now = ports.clock.now();
  const scheduled = params.startAt !== undefined && Date.parse(params.startAt) > now;
  const nowIso = new Date(now).toISOString();
  const record: RolloutRecord = {
    version: RECORD_VERSION,
    id: deps.rolloutId ?? newRolloutId(now),
    status: scheduled ? "scheduled" : "running",
    revision: plan.revision,
    params,
    strategy: deps.strategy ?? "avd-rollout",
    owner: deps.owner,
    heartbeat: nowIso,
    startedBy: deps.owner,
    startedAt: scheduled ? (params.startAt as string) : nowIso,
    planned: plan.outOfDate,
    hosts: {},
    baselineAvailable: plan.baselineAvailable,
    stats: { count: 0, totalMs: 0 },
    startedBatches: [],
    finishedBatches: [],
  };
  const etag = await createRecord(ports, record, stored.etag, tuning.leaseStaleAfterMs);
  const store = new RecordStore(ports.hostPool, ports.clock, deps.owner, record, etag);
  const reconciler = new Reconciler(deps, ports, tuning, store, plan.hosts);
  if (!scheduled) await reconciler.emitStarted(record);
  return reconciler.run();
}

/** `rollout-<UTC time>-<random>`: unique per rollout, so logs several runs appended to can be told apart. */
export function newRolloutId(now: number): string {
  const time = new Date(now)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `rollout-${time}-${randomBytes(3).toString("hex")}`;
}

/**
 * Writes a new rollout record where none holds the pool. A throttled or failed write may still
 * have been applied: on a conflict the record is re-read, and if it is this very record, that is
 * success; if another rollout got there first, the pool is busy.
 */
async function createRecord(
  ports: Ports,
  record: RolloutRecord,
  etag: string | null,
  staleAfterMs: number,
): Promise<string> {
  let expected = etag;
  for (let attempt = 1; ; attempt++) {
    try {
      return await ports.hostPool.writeRecord(record, expected);
    } catch (error) {
      const conflict = error instanceof RecordConflictError;
      if (!conflict && (!isTransient(error) || attempt >= 5)) throw error;
      if (!conflict) await ports.clock.sleep(waitAfter(error, 2_000 * 2 ** (attempt - 1)));
      const again = await ports.hostPool.readRecord();
      if (again.record?.id === record.id && again.record.owner === record.owner && again.etag)
        return again.etag;
      if (holdsPool(again.record))
        throw new BusyError(busyMessage(again.record, ports.clock.now(), staleAfterMs));
      if (attempt >= 5) throw error;
      expected = again.etag;
    }
  }
}

/**
 * Picks up the rollout recorded on the pool — after a crash, after `resume`/`retry`, after a
 * time-boxed run handed over, or from another machine once the holder's heartbeat is stale —
 * from observed state and the record alone.
 */
export async function continueRollout(deps: DriverDeps): Promise<RolloutOutcome> {
  const ports = withTransientRetries(deps.ports);
  const tuning = resolveTuning(deps.tuning);
  const stored = await ports.hostPool.readRecord();
  const record = stored.record;
  if (!record) return NOTHING_TO_DO;
  if (record.version !== RECORD_VERSION) {
    throw new InputError(
      `rollout ${record.id} was recorded by another version of avd-rollout (record version ${String(record.version)}, this one reads ${RECORD_VERSION}); ` +
        `finish or cancel it with that version`,
    );
  }
  if (!isActive(record.status)) {
    const ledger = new Map((await ports.stack.readDeployedHosts()).map((d) => [d.host, { deployed: d }]));
    return outcomeOf(record, ledger);
  }
  const verdict = mayTakeOver(record, deps.owner, ports.clock.now(), tuning.leaseStaleAfterMs);
  if (!verdict.allowed) throw new BusyError(verdict.reason);
  const store = new RecordStore(ports.hostPool, ports.clock, deps.owner, record, stored.etag);
  await store.update(() => undefined); // take (or renew) the lease: a conditional write
  return new Reconciler(deps, ports, tuning, store, null).run();
}
