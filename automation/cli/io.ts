/**
 * What a command needs of its process — streams, terminal, environment, a yes/no prompt and an
 * exit code — behind one small interface, so every command runs in-process in tests.
 */
import { createInterface } from "node:readline";

export interface CliIo {
  /** stdout: with --json, exactly one JSON document goes here. */
  out(text: string): void;
  /** stderr: logs, progress, errors. */
  err(text: string): void;
  /** Whether stderr is an interactive terminal (live progress) and stdin can answer a prompt. */
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Asks a yes/no question on the terminal; only called when isTTY. */
  confirm(question: string): Promise<boolean>;
  setExitCode(code: number): void;
  /** Columns of the terminal, for the live display. */
  columns: number;
  /** The raw stream the live progress display draws on. */
  progressStream: NodeJS.WritableStream;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    isTTY: Boolean(process.stderr.isTTY && process.stdin.isTTY),
    env: process.env,
    confirm: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    setExitCode: (code) => {
      process.exitCode = code;
    },
    columns: process.stderr.columns ?? 100,
    progressStream: process.stderr,
  };
}

/** Whether to draw a live display: a terminal, and not a pipeline (`CI` set). */
export function wantsLiveProgress(io: CliIo): boolean {
  const ci = io.env.CI;
  return io.isTTY && (ci === undefined || ci === "" || ci === "0" || ci.toLowerCase() === "false");
}
