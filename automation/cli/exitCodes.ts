/** Exit codes (spec section 7) and how errors map to them. */
import { BusyError, InputError } from "../core/errors";

export const EXIT = {
  /** Done. */
  ok: 0,
  /** The rollout failed, or drift was found, or the operation could not be carried out. */
  failed: 1,
  /** Invalid input; nothing was changed. */
  invalidInput: 2,
  /** The pool is busy with another rollout, or the stack is locked. */
  busy: 3,
  /** A time-boxed run ended with the rollout still active: run `continue` again. */
  stillRunning: 4,
} as const;

export function exitCodeOf(error: unknown): number {
  if (error instanceof InputError) return EXIT.invalidInput;
  if (error instanceof BusyError) return EXIT.busy;
  return EXIT.failed;
}

export function errorKindOf(error: unknown): "invalidInput" | "busy" | "failed" {
  if (error instanceof InputError) return "invalidInput";
  if (error instanceof BusyError) return "busy";
  return "failed";
}
