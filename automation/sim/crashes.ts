/**
 * Driver crash injection (spec section 5.9 rehearsed).
 *
 * A rehearsal runs the driver as a sequence of *generations*. Each generation gets its own
 * ports from {@link SimulatedWorld.ports}. When the world injects a crash, the current
 * generation dies: the call that triggered it and every call or clock sleep still pending or
 * made later through that generation rejects with DriverCrashedError, as if the process had
 * been killed. The world itself carries on:
 * - world operations already started (a deallocation, a deletion, a `pulumi up`) run to
 *   completion, like Azure operations and a Pulumi update whose CLI outlived the driver; the
 *   next `up` waits for the previous one (the stack lock), and then only builds what is still
 *   not built;
 * - a call that triggers a crash is not applied (the process died before sending it).
 * The rehearsal then resumes the rollout with `continueRollout` on a fresh generation.
 *
 * Crash points are drawn from the seed: half of them at a random virtual time within the
 * rollout's expected duration (the driver is then waiting on a sleep or a long operation),
 * half at a random port call (between two steps, e.g. after a message and before the record
 * write that remembers it).
 */
import { DriverCrashedError } from "../core/errors";
import type { Random } from "./random";

export class DriverGeneration {
  crashed = false;
  private readonly listeners = new Set<() => void>();
  private resolveCrash: () => void = () => undefined;
  /** Resolves when this generation crashes. */
  readonly crashSignal: Promise<void>;

  constructor(readonly id: number) {
    this.crashSignal = new Promise((resolve) => {
      this.resolveCrash = resolve;
    });
  }

  crash(): void {
    if (this.crashed) return;
    this.crashed = true;
    for (const listener of [...this.listeners]) listener();
    this.listeners.clear();
    this.resolveCrash();
  }

  /**
   * Runs `work` on behalf of this generation: rejects with DriverCrashedError if the
   * generation is dead, or dies while the work is pending (the work itself goes on).
   */
  guard<T>(work: () => Promise<T>): Promise<T> {
    if (this.crashed) return Promise.reject(new DriverCrashedError());
    return new Promise<T>((resolve, reject) => {
      const onCrash = (): void => reject(new DriverCrashedError());
      this.listeners.add(onCrash);
      let pending: Promise<T>;
      try {
        pending = work();
      } catch (error) {
        pending = Promise.reject(error);
      }
      pending.then(
        (value) => {
          this.listeners.delete(onCrash);
          if (this.crashed) reject(new DriverCrashedError());
          else resolve(value);
        },
        (error: unknown) => {
          this.listeners.delete(onCrash);
          reject(this.crashed ? new DriverCrashedError() : error);
        },
      );
    });
  }
}

export interface CrashPoint {
  kind: "time" | "call";
  /** Virtual ms after the rollout start (kind time), or the global port-call number (kind call). */
  at: number;
}

/** Draws `count` crash points for a rollout expected to take about `expectedMs` and `expectedCalls` calls. */
export function planCrashes(
  random: Random,
  count: number,
  expectedMs: number,
  expectedCalls: number,
): CrashPoint[] {
  const points: CrashPoint[] = [];
  for (let i = 0; i < count; i++) {
    if (random.chance(0.5))
      points.push({ kind: "time", at: Math.max(1, Math.floor(random.float() * expectedMs)) });
    else points.push({ kind: "call", at: random.int(1, Math.max(1, expectedCalls)) });
  }
  return points;
}
