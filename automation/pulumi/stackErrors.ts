/**
 * Translation of Automation API failures into the errors the CLI and driver understand:
 * a stack locked by another update is {@link BusyError} (exit code 3); a CLI that is not
 * installed is {@link PulumiCliMissingError}; anything else keeps its (redacted) message.
 */
import { BusyError, PortError } from "../core/errors";
import { PulumiCliMissingError, pulumiCliMissingMessage } from "./pulumiCli";
import { redactSecrets } from "./redact";

const LOCKED =
  /ConcurrentUpdateError|\[409\] Conflict: Another update is currently in progress|currently locked by|conflict: another update/i;
const NOT_INSTALLED =
  /ENOENT|spawn pulumi|pulumi: (command )?not found|is not recognized as an internal or external command/i;

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
  if (error instanceof BusyError || error instanceof PulumiCliMissingError || error instanceof PortError)
    return error;
  const text = textOf(error);
  if (LOCKED.test(text)) {
    const lockLine = /locked by[^\n]*/i.exec(text)?.[0];
    return new BusyError(
      `stack ${stackName} is locked by another update${lockLine ? ` (${redactSecrets(lockLine.trim(), secrets)})` : ""}; ` +
        `wait for it to finish; if the process that held it died, \`pulumi cancel --stack ${stackName}\` clears the lock`,
    );
  }
  if (NOT_INSTALLED.test(text)) return new PulumiCliMissingError(pulumiCliMissingMessage());
  const summary = redactSecrets(text, secrets).replace(/\s+/g, " ").trim().slice(0, 1500);
  return new PortError("permanent", `stack.${operation}(${stackName})`, summary);
}
