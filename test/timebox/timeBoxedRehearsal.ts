/**
 * A rehearsal cut into time-boxed runs (issue 10): one SimulatedWorld on one virtual clock, the
 * real driver started with `startRollout` and carried on with `continueRollout`, each run with its
 * own `runUntil`, lease owner and ports (a new pipeline job on a new machine), and a virtual gap
 * between runs (the wait for the next scheduled job). Nothing carries over between runs but the
 * world: the rollout record on the pool and the stack state.
 */
import { continueRollout, startRollout } from "../../automation/core/driver";
import type { RolloutOutcome } from "../../automation/core/driver";
import type { AnyEvent, EventSink } from "../../automation/core/events";
import { rehearsalLimitMinutes, rolloutRequestOf } from "../../automation/sim/rehearse";
import type { Scenario } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import { DEFAULT_START, SimulatedWorld } from "../../automation/sim/world";

const MINUTE = 60_000;

export interface RunPlan {
  /** Minutes after the run's start at which it stops starting new work (its `runUntil`). */
  workMinutes: number;
  /** Virtual minutes between this run's end and the next one's start. */
  gapMinutes: number;
}

export interface RunRecord {
  startedAt: number;
  runUntil: number;
  endedAt: number;
  outcome: RolloutOutcome;
}

export interface TimeBoxedRehearsal {
  events: AnyEvent[];
  runs: RunRecord[];
  /** Minutes from the first event to the end of the last run. */
  makespanMinutes: number;
  /** Sum of the gaps actually waited (after runs that handed over). */
  gapMinutes: number;
  outcome: RolloutOutcome;
  world: SimulatedWorld;
}

/**
 * Runs the rollout of `scenario` as a sequence of time-boxed runs following `plan` (the last entry
 * repeats), until a run ends without handing over.
 */
export async function rehearseInTimeBoxedRuns(
  scenario: Scenario,
  plan: readonly RunPlan[],
  rolloutId = "rollout-timeboxed",
): Promise<TimeBoxedRehearsal> {
  const clock = new VirtualClock(DEFAULT_START);
  const events: AnyEvent[] = [];
  const sink: EventSink = { emit: (event) => void events.push(event) };
  const world = new SimulatedWorld(scenario, clock, sink);
  const deadline = clock.now() + rehearsalLimitMinutes(scenario) * MINUTE;
  const request = rolloutRequestOf(scenario);
  world.start();
  const runs: RunRecord[] = [];
  let gapMinutes = 0;
  for (let index = 0; ; index++) {
    const step = plan[Math.min(index, plan.length - 1)];
    const startedAt = clock.now();
    const deps = {
      ports: world.ports(),
      events: sink,
      owner: `pipeline-run-${index + 1}`,
      rolloutId,
      runUntil: startedAt + step.workMinutes * MINUTE,
    };
    const work = index === 0 ? startRollout(deps, request) : continueRollout(deps);
    const outcome = await clock.runUntilSettled(work, { untilMs: deadline });
    runs.push({ startedAt, runUntil: deps.runUntil, endedAt: clock.now(), outcome });
    if (outcome.result !== "handover") break;
    await clock.runUntilSettled(clock.sleep(step.gapMinutes * MINUTE), { untilMs: deadline });
    gapMinutes += step.gapMinutes;
  }
  const finishedAt = clock.now();
  world.stop();
  const first = events.length > 0 ? Date.parse(events[0].t) : finishedAt;
  return {
    events,
    runs,
    makespanMinutes: (finishedAt - first) / MINUTE,
    gapMinutes,
    outcome: runs[runs.length - 1].outcome,
    world,
  };
}
