/**
 * Runs the real driver on C's SimulatedWorld (automation/sim) on a virtual clock, with direct
 * access to the world, its events and an operator's ports, for driver tests that need to
 * interleave control operations or inspect the world.
 */
import type { DriverDeps, RolloutOutcome } from "../../automation/core/driver";
import type { AnyEvent, EventSink } from "../../automation/core/events";
import type { Ports } from "../../automation/core/ports";
import { parseScenario } from "../../automation/sim/scenario";
import type { Scenario, ScenarioInput } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import { DEFAULT_START, SimulatedWorld } from "../../automation/sim/world";

export const MIN = 60_000;
export const OWNER = "driver@test";

export interface Sim {
  scenario: Scenario;
  clock: VirtualClock;
  world: SimulatedWorld;
  events: AnyEvent[];
  sink: EventSink;
  /** Ports of the driver's generation. */
  ports: Ports;
  deps(over?: Partial<DriverDeps>): DriverDeps;
  /** Runs virtual time until `work` settles. */
  run<T>(work: Promise<T>): Promise<T>;
  /** Ports for an operator (another process): a separate generation. */
  operatorPorts(): Ports;
  ofType<T extends AnyEvent["type"]>(type: T): Extract<AnyEvent, { type: T }>[];
  minutesOf(event: AnyEvent): number;
}

export function simulate(raw: ScenarioInput): Sim {
  const scenario = parseScenario(raw);
  const clock = new VirtualClock(DEFAULT_START);
  const events: AnyEvent[] = [];
  const sink: EventSink = { emit: (event) => void events.push(event) };
  const world = new SimulatedWorld(scenario, clock, sink);
  world.start();
  const ports = world.ports();
  let operator: Ports | null = null;
  return {
    scenario,
    clock,
    world,
    events,
    sink,
    ports,
    deps: (over = {}) => ({ ports, events: sink, owner: OWNER, ...over }),
    run: (work) => clock.runUntilSettled(work, { untilMs: DEFAULT_START + 30 * 24 * 60 * MIN }),
    operatorPorts: () => (operator ??= world.ports()),
    ofType: (type) => events.filter((e) => e.type === type) as never,
    minutesOf: (event) => (Date.parse(event.t) - DEFAULT_START) / MIN,
  };
}

export function request(scenario: Scenario) {
  const { update } = scenario;
  return {
    batchSize: update.maxVmsRemoved,
    logOffDelayMinutes: update.logOffDelayMinutes,
    logOffMessage: update.logOffMessage,
    deleteOriginalVm: update.deleteOriginalVm,
  };
}

export type { RolloutOutcome };
