/**
 * Runs the CLI's commands in-process against a simulated world on a virtual clock: the
 * commands get their ports through the same PortsFactory seam as in production.
 */
import { buildCli, withDefaultCommand } from "../../automation/cli/commands";
import { exitCodeOf } from "../../automation/cli/exitCodes";
import type { AnyEvent } from "../../automation/core/events";
import type { CliIo } from "../../automation/cli/io";
import type { PortsFactory } from "../../automation/cli/portsFactory";
import type { CliRuntime } from "../../automation/cli/runtime";
import { parseScenario, type ScenarioInput } from "../../automation/sim/scenario";
import { VirtualClock } from "../../automation/sim/virtualClock";
import { DEFAULT_START, SimulatedWorld } from "../../automation/sim/world";

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface IoOptions {
  tty?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Answer to the confirmation prompt (TTY only). */
  answer?: boolean;
}

export interface RecordingIo extends CliIo {
  stdoutText(): string;
  stderrText(): string;
  exitCode: number | undefined;
  questions: string[];
}

export function recordingIo(options: IoOptions = {}): RecordingIo {
  let stdout = "";
  let stderr = "";
  const io: RecordingIo = {
    out: (text) => {
      stdout += text;
    },
    err: (text) => {
      stderr += text;
    },
    isTTY: options.tty ?? false,
    env: options.env ?? {},
    confirm: async (question) => {
      io.questions.push(question);
      return options.answer ?? false;
    },
    setExitCode: (code) => {
      io.exitCode = code;
    },
    columns: 120,
    progressStream: {
      isTTY: options.tty ?? false,
      columns: 120,
      write: (chunk: string | Uint8Array) => {
        stderr += String(chunk);
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    stdoutText: () => stdout,
    stderrText: () => stderr,
    exitCode: undefined,
    questions: [],
  };
  return io;
}

export interface SimulatedPool {
  clock: VirtualClock;
  world: SimulatedWorld;
  events: AnyEvent[];
  factory: PortsFactory;
  /** Stacks the factory was asked to open. */
  opened: string[];
}

export function simulatedPool(scenario: ScenarioInput = {}): SimulatedPool {
  const clock = new VirtualClock(DEFAULT_START);
  const events: AnyEvent[] = [];
  const world = new SimulatedWorld(parseScenario({ name: "cli", seed: 3, ...scenario }), clock, {
    emit: (event) => events.push(event),
  });
  world.start();
  const opened: string[] = [];
  return {
    clock,
    world,
    events,
    opened,
    factory: {
      open: async (stack) => {
        opened.push(stack);
        return { ports: world.ports() };
      },
    },
  };
}

/** A runtime for commands that never open a stack (rehearse, validate): opening one fails the test. */
export function offlineRuntime(): CliRuntime {
  return {
    io: recordingIo(),
    owner: "test",
    now: () => 0,
    ports: {
      open: () => {
        throw new Error("this command must not open a stack");
      },
    },
  };
}

export function runtimeFor(pool: SimulatedPool, io: RecordingIo, owner = "alice@laptop"): CliRuntime {
  return { io, ports: pool.factory, owner, now: () => pool.clock.now() };
}

/** Parses and runs `args` with the CLI's commands, letting virtual time run while the command waits. */
export async function runCli(args: string[], runtime: CliRuntime, clock?: VirtualClock): Promise<CliRun> {
  const io = runtime.io as RecordingIo;
  io.exitCode = undefined;
  const before = { out: io.stdoutText().length, err: io.stderrText().length };
  // The production command line (C's buildCli: strict, usage errors → InputError), with the
  // runtime handed to the handlers through yargs' parse context.
  const parser = buildCli(args);
  // yargs' fail handler throws synchronously out of parseAsync: run it inside a promise.
  const work = Promise.resolve()
    // The arguments as buildCli sees them (with the default command), plus the runtime.
    .then(() => parser.parseAsync(withDefaultCommand(args), { runtime }))
    .then(
      () => undefined,
      (error: unknown) => {
        io.err(`avd-rollout: ${error instanceof Error ? error.message : String(error)}\n`);
        io.setExitCode(exitCodeOf(error));
      },
    );
  await (clock ? clock.runUntilSettled(work) : work);
  return {
    exitCode: io.exitCode ?? 0,
    stdout: io.stdoutText().slice(before.out),
    stderr: io.stderrText().slice(before.err),
  };
}
