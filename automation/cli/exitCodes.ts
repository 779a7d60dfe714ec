/**
 * Exit codes (spec section 7) and how errors map to them. A pipeline acts on each: the README's
 * table is the reference.
 *
 * | code | meaning |
 * | 0 | done |
 * | 1 | the rollout failed, or the command could not run (Pulumi CLI missing, no credential, Azure unreachable) |
 * | 2 | invalid input: a flag, the stack configuration, a scenario; nothing was changed |
 * | 3 | the pool is busy with another rollout, or the stack is locked |
 * | 4 | a time-boxed run (`--max-run-minutes`) ended with the rollout still active: run `continue` again |
 * | 5 | `drift` found drift |
 */
import { BusyError, InputError } from "../core/errors";

export const EXIT = {
  /** Done. */
  ok: 0,
  /** The rollout failed, or the operation could not be carried out. */
  failed: 1,
  /** Invalid input; nothing was changed. */
  invalidInput: 2,
  /** The pool is busy with another rollout, or the stack is locked. */
  busy: 3,
  /** A time-boxed run ended with the rollout still active: run `continue` again. */
  stillRunning: 4,
  /** `drift` found drift: distinct from "could not run" (1), so a scheduled check does not cry wolf. */
  drift: 5,
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
