/**
 * `rehearse`: runs the real driver against a SimulatedWorld on a virtual clock and reports
 * what the rollout did (spec section 9). Every figure is computed from the world and the
 * event log of this run.
 *
 * Crashes: when the world kills the driver's generation, the rehearsal waits
 * {@link RESTART_DELAY_MS} of virtual time (an operator or pipeline re-running it), emits
 * `driver.resumed` and calls `continueRollout` on a fresh generation of ports — or
 * `startRollout` again if the driver died before it recorded the rollout at all.
 */
import { continueRollout, startRollout } from "../core/driver";
import type { StartRequest } from "../core/driverTypes";
import { DriverCrashedError } from "../core/errors";
import type { AnyEvent, EventSink } from "../core/events";
import type { ProgressSnapshot } from "../core/progress";
import type { DriverTuning } from "../core/tuning";
import type { RehearsalDriver, RehearsalOutcome, Strategy } from "./driverModule";
import type { Scenario } from "./scenario";
import { readSessionLedger, summarizeUsers } from "./sessionLedger";
import { ClockStalledError, VirtualClock } from "./virtualClock";
import { DEFAULT_START, DESIRED_REVISION, SimulatedWorld } from "./world";

export type { Strategy } from "./driverModule";

/** Virtual time between a crash and the resumed driver. */
export const RESTART_DELAY_MS = 60_000;
/** Lease owner of every generation: the same rehearsal "pipeline" re-run after a crash. */
export const REHEARSAL_OWNER = "rehearsal@simulated-world";

export interface RehearsalResult {
  scenario: string;
  strategy: Strategy;
  result: RehearsalOutcome["result"];
  hosts: number;
  updated: number;
  failed: string[];
  makespanMinutes: number;
  minAvailable: number;
  forcedSignOuts: number;
  voluntarySignOuts: number;
  sessionsNotifiedTwice: number;
  stackUps: number;
  crashes: number;
  /** Sessions signed out by force earlier than the delay after their own notice (or with none). */
  shortNotices: number;
  /** The shortest notice a session signed out by force had (minutes); the full delay when none was. */
  shortestNoticeMinutes: number;
  /** Sign-ins that found no host with room. */
  refusedSignIns: number;
  /** Distinct users signed out by force or notified twice. */
  disruptedUsers: number;
  /** When each batch started and finished (ISO; `end` null when it did not finish). */
  batches: { batch: number; start: string; end: string | null }[];
}

export interface RehearseOptions {
  strategy?: Strategy;
  /** Receives every event (driver and world) in time order, e.g. a JSON-lines file. */
  events?: EventSink;
  /** The driver to run; defaults to automation/core/driver. */
  driver?: RehearsalDriver;
  tuning?: Partial<DriverTuning>;
  /** Receives the driver's progress after every step (e.g. for a line on stderr). */
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /**
   * The rollout id; by default a fresh one per run, so logs that several rehearsals appended to
   * can be told apart. Give one to compare two runs' logs to the letter.
   */
  rolloutId?: string;
}

export interface RehearsalRun {
  result: RehearsalResult;
  /** Every event of the run, in order. */
  events: AnyEvent[];
  world: SimulatedWorld;
  outcome: RehearsalOutcome;
}

const defaultDriver: RehearsalDriver = { startRollout, continueRollout };

type Step =
  { kind: "done"; outcome: RehearsalOutcome } | { kind: "error"; error: unknown } | { kind: "crashed" };

export async function rehearse(scenario: Scenario, options: RehearseOptions = {}): Promise<RehearsalResult> {
  return (await rehearseWithDetails(scenario, options)).result;
}

export async function rehearseWithDetails(
  scenario: Scenario,
  options: RehearseOptions = {},
): Promise<RehearsalRun> {
  const strategy = options.strategy ?? "avd-rollout";
  const driver = options.driver ?? defaultDriver;
  const events: AnyEvent[] = [];
  const sink: EventSink = {
    emit: (event) => {
      events.push(event);
      options.events?.emit(event);
    },
  };
  const clock = new VirtualClock(DEFAULT_START);
  const world = new SimulatedWorld(scenario, clock, sink);
  // A driver that never finishes must not keep the users of the world busy forever: give up
  // far beyond any sane rollout of this pool (the azure strategy, retries and crashes included).
  const deadline = clock.now() + rehearsalLimitMinutes(scenario) * 60_000;
  const deps = () => ({
    ports: world.ports(),
    events: sink,
    owner: REHEARSAL_OWNER,
    strategy,
    tuning: options.tuning,
    ...(options.rolloutId !== undefined ? { rolloutId: options.rolloutId } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });

  const lastDriverEvent = (): string => {
    for (let i = events.length - 1; i >= 0; i--)
      if (!events[i].type.startsWith("world.")) return `${events[i].type} at ${events[i].t}`;
    return "none";
  };
  /** Drives the clock until `work` settles; explains a driver that never finishes. */
  const runUntil = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await clock.runUntilSettled(work, { untilMs: deadline });
    } catch (error) {
      if (!(error instanceof RangeError) && !(error instanceof ClockStalledError)) throw error;
      const record = world.rolloutRecord().record;
      const waiting = record?.blocked?.reason ? `; it waits: ${record.blocked.reason}` : "";
      throw new Error(
        `rehearsal of ${scenario.name}: the driver did not finish (${error.message}); rollout record status ${record?.status ?? "none"}, last driver event ${lastDriverEvent()}${waiting}`,
      );
    }
  };

  const request = rolloutRequestOf(scenario);
  world.start();
  let run = driver.startRollout(deps(), request);
  let outcome: RehearsalOutcome;
  for (;;) {
    const generation = world.generation;
    if (!generation) throw new Error("no driver generation");
    const step = await runUntil<Step>(
      Promise.race([
        run.then(
          (value): Step => ({ kind: "done", outcome: value }),
          (error: unknown): Step => ({ kind: "error", error }),
        ),
        generation.crashSignal.then((): Step => ({ kind: "crashed" })),
      ]),
    );
    if (step.kind === "done") {
      outcome = step.outcome;
      break;
    }
    if (step.kind === "error" && !(step.error instanceof DriverCrashedError) && !generation.crashed)
      throw step.error;
    // The dead generation's promise still settles (with DriverCrashedError); nobody listens.
    run.catch(() => undefined);
    await runUntil(clock.sleep(RESTART_DELAY_MS));
    world.emit({ type: "driver.resumed" });
    // The pipeline runs again: a driver that died before recording the rollout starts it anew.
    const recorded = world.rolloutRecord().record !== null;
    run = recorded ? driver.continueRollout(deps()) : driver.startRollout(deps(), request);
  }
  const finishedAt = clock.now();
  world.stop();
  return {
    result: summarize(scenario, strategy, world, events, outcome, finishedAt),
    events,
    world,
    outcome,
  };
}

function summarize(
  scenario: Scenario,
  strategy: Strategy,
  world: SimulatedWorld,
  events: readonly AnyEvent[],
  outcome: RehearsalOutcome,
  finishedAt: number,
): RehearsalResult {
  let minAvailable = Number.POSITIVE_INFINITY;
  for (const event of events)
    if (event.type === "world.availability") minAvailable = Math.min(minAvailable, event.available);
  const first = events.length > 0 ? Date.parse(events[0].t) : finishedAt;
  let updated = 0;
  for (const host of world.hosts()) {
    const entry = world.ledgerEntry(host.name);
    const vm = entry ? world.vm(entry.vmResourceId) : undefined;
    if (
      entry?.revision === DESIRED_REVISION &&
      vm?.provisioned &&
      host.sessionHost?.resourceId === vm.resourceId
    )
      updated++;
  }
  const { stats } = world;
  const users = summarizeUsers(readSessionLedger(events), scenario.update.logOffDelayMinutes);
  return {
    scenario: scenario.name,
    strategy,
    result: outcome.result,
    hosts: scenario.hostPool.hosts,
    updated,
    failed: [...outcome.failed],
    makespanMinutes: Math.round(((finishedAt - first) / 60_000) * 10) / 10,
    minAvailable: Number.isFinite(minAvailable) ? minAvailable : world.availableCount(),
    forcedSignOuts: stats.forcedSignOuts,
    voluntarySignOuts: stats.voluntarySignOuts,
    sessionsNotifiedTwice: stats.sessionsNotifiedTwice,
    stackUps: stats.stackUps,
    crashes: world.crashCount,
    shortNotices: users.shortNotices,
    shortestNoticeMinutes: users.shortestNoticeMinutes,
    refusedSignIns: users.refusedSignIns,
    disruptedUsers: users.disruptedUsers,
    batches: batchTimes(events),
  };
}

function batchTimes(events: readonly AnyEvent[]): RehearsalResult["batches"] {
  const batches = new Map<number, { batch: number; start: string; end: string | null }>();
  for (const event of events) {
    if (event.type === "batch.started" && !batches.has(event.batch))
      batches.set(event.batch, { batch: event.batch, start: event.t, end: null });
    if (event.type === "batch.finished") {
      const batch = batches.get(event.batch);
      if (batch) batch.end = event.t;
    }
  }
  return [...batches.values()].sort((a, b) => a.batch - b.batch);
}

/** Virtual minutes after which a rehearsal gives up on the driver. */
/** The `start` request a rehearsal makes: the scenario's update policy. */
export function rolloutRequestOf(scenario: Scenario): StartRequest {
  const { update } = scenario;
  return {
    batchSize: update.maxVmsRemoved,
    logOffDelayMinutes: update.logOffDelayMinutes,
    logOffMessage: update.logOffMessage,
    deleteOriginalVm: update.deleteOriginalVm,
  };
}

export function rehearsalLimitMinutes(scenario: Scenario): number {
  const { update, latency } = scenario;
  const batches = 1 + Math.ceil(Math.max(0, scenario.hostPool.hosts - 1) / update.maxVmsRemoved);
  const perBatch =
    update.logOffDelayMinutes +
    latency.deallocateMinutes +
    latency.vmCreateMinutes +
    latency.extensionsMinutes +
    latency.registrationMinutes +
    latency.deleteMinutes;
  // The azure strategy takes about batches x perBatch; allow 3x that plus time for retries
  // (backoff per batch) and crashes. Past it the driver is stuck, not slow.
  return Math.max(24 * 60, 3 * batches * (perBatch + 30) + 60 * scenario.faults.crashes);
}
