/**
 * Translation of Automation API failures into the errors the CLI and driver understand:
 * a stack locked by another update is {@link BusyError} (exit code 3); a CLI that could not be
 * spawned because it is not installed is {@link PulumiCliMissingError}; anything else keeps its
 * (redacted) message.
 */
import { BusyError, PortError } from "../core/errors";
import { PulumiCliMissingError, PulumiCliVersionError, pulumiCliMissingMessage } from "./pulumiCli";
import { redactSecrets } from "./redact";

const LOCKED =
  /ConcurrentUpdateError|\[409\] Conflict: Another update is currently in progress|currently locked by|conflict: another update/i;

/** What a failed spawn of a missing executable looks like on a Node error (execa keeps these fields). */
interface SpawnFailure {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
}

/**
 * The errors behind an Automation API failure: the error itself, then the one its
 * `CommandResult` wraps, and so on (the SDK wraps a failed `execa` call's error once more when
 * rethrowing it: automation/cmd.js, exec).
 */
function causeChain(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (typeof current === "object" && current !== null && chain.length < 5 && !chain.includes(current)) {
    chain.push(current);
    const withResult = current as { commandResult?: { err?: unknown }; cause?: unknown };
    current = withResult.commandResult?.err ?? withResult.cause;
  }
  return chain;
}

/**
 * Whether spawning the `pulumi` executable itself failed because there is none: a Node spawn
 * error (`code: "ENOENT"`, `syscall: "spawn <command>"`) whose command is pulumi. An ENOENT in the
 * CLI's own output (a file the program could not read) is a program error, not a missing CLI.
 */
export function isPulumiSpawnMissing(error: unknown): boolean {
  return causeChain(error).some((candidate) => {
    const failure = candidate as SpawnFailure;
    if (failure.code !== "ENOENT" || typeof failure.syscall !== "string") return false;
    if (!failure.syscall.startsWith("spawn")) return false;
    const command = typeof failure.path === "string" ? failure.path : failure.syscall.slice("spawn ".length);
    return /(^|[\\/])pulumi(\.exe|\.cmd)?$/i.test(command);
  });
}

function textOf(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

/** Maps an error thrown by `@pulumi/pulumi/automation` for `operation` on stack `stackName`. */
export function translateStackError(
  error: unknown,
  operation: string,
  stackName: string,
  secrets: readonly string[],
): Error {
  if (
    error instanceof BusyError ||
    error instanceof PulumiCliMissingError ||
    error instanceof PulumiCliVersionError ||
    error instanceof PortError
  )
    return error;
  const text = textOf(error);
  if (LOCKED.test(text)) {
    const lockLine = /locked by[^\n]*/i.exec(text)?.[0];
    return new BusyError(
      `stack ${stackName} is locked by another update${lockLine ? ` (${redactSecrets(lockLine.trim(), secrets)})` : ""}; ` +
        `wait for it to finish; if the process that held it died, \`pulumi cancel --stack ${stackName}\` clears the lock`,
    );
  }
  if (isPulumiSpawnMissing(error)) return new PulumiCliMissingError(pulumiCliMissingMessage());
  const summary = redactSecrets(text, secrets).replace(/\s+/g, " ").trim().slice(0, 1500);
  return new PortError("permanent", `stack.${operation}(${stackName})`, summary);
}
