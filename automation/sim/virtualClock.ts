/**
 * A virtual clock for rehearsals and tests: `sleep` never waits for real time.
 *
 * Timers sit in a priority queue ordered by due time, ties broken by insertion order, so a
 * run is deterministic. Time moves only inside {@link VirtualClock.runUntilSettled}: whenever
 * the process is otherwise idle (every pending microtask and `setImmediate` callback has run),
 * the clock jumps to the earliest timer and fires it — one timer per idle point, so the work a
 * timer triggers completes before the next one fires.
 *
 * Real I/O (an HTTP call to the ARM emulator) is invisible to that idleness test, so callers
 * wrap it in {@link VirtualClock.hold}: while any hold is open, time stands still.
 */
import type { Clock } from "../core/ports";

export interface TimerHandle {
  /** Removes the timer if it has not fired yet. */
  cancel(): void;
}

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

/** The awaited promise can never settle: nothing is scheduled and nothing is in flight. */
export class ClockStalledError extends Error {
  constructor(nowIso: string) {
    super(
      `virtual clock stalled at ${nowIso}: the awaited work is neither settled nor waiting on any timer or held I/O`,
    );
    this.name = "ClockStalledError";
  }
}

export interface RunOptions {
  /** Give up (ClockStalledError-like RangeError) when virtual time would pass this instant (ms). */
  untilMs?: number;
}

/** Binary min-heap of timers by (at, seq). */
class TimerQueue {
  private readonly items: Timer[] = [];

  get size(): number {
    return this.items.length;
  }

  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }

  peek(): Timer | undefined {
    return this.items[0];
  }

  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l], items[m])) m = l;
        if (r < items.length && before(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** setImmediate callbacks queued by anyone (Node lists them as "Immediate" resources). */
function pendingImmediates(): boolean {
  return process.getActiveResourcesInfo().includes("Immediate");
}

/**
 * Resolves once every pending microtask and setImmediate callback has run — including
 * callbacks that those queue in turn (bounded, so a busy-looping caller cannot hang us).
 */
async function idle(): Promise<void> {
  await nextTurn();
  for (let turns = 0; turns < 1000 && pendingImmediates(); turns++) await nextTurn();
}

export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly queue = new TimerQueue();
  private holds = 0;
  private holdsReleased: (() => void)[] = [];
  private firedCount = 0;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** The current virtual time as an ISO string. */
  iso(): string {
    return new Date(this.current).toISOString();
  }

  /** Timers fired so far (a measure of simulation work). */
  get fired(): number {
    return this.firedCount;
  }

  /** Timers waiting (including cancelled ones not yet discarded). */
  get pending(): number {
    return this.queue.size;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.schedule(ms, resolve);
    });
  }

  /** Runs `fire` after `delayMs` of virtual time (negative or NaN delays count as 0). */
  schedule(delayMs: number, fire: () => void): TimerHandle {
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    return this.scheduleAt(this.current + delay, fire);
  }

  /** Runs `fire` at the virtual instant `atMs` (or now, if that has passed). */
  scheduleAt(atMs: number, fire: () => void): TimerHandle {
    const timer: Timer = { at: Math.max(atMs, this.current), seq: this.seq++, fire, cancelled: false };
    this.queue.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /**
   * Keeps virtual time still until `work` settles (real I/O in flight); returns `work`.
   * Never hold work that itself waits on virtual time (a clock sleep, a world operation's
   * latency): time could not advance and the run would wait forever. An emulated long-running
   * operation should answer 202 at once and be polled, each poll held on its own.
   */
  hold<T>(work: Promise<T>): Promise<T> {
    this.holds++;
    const release = (): void => {
      this.holds--;
      if (this.holds === 0) {
        const waiting = this.holdsReleased;
        this.holdsReleased = [];
        for (const wake of waiting) wake();
      }
    };
    return work.then(
      (value) => {
        release();
        return value;
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }

  /**
   * Drives virtual time until `work` settles and returns (or throws) its outcome. Throws
   * {@link ClockStalledError} if `work` waits on something that can never happen.
   */
  async runUntilSettled<T>(work: Promise<T>, options: RunOptions = {}): Promise<T> {
    let settled = false;
    const observed = work.then(
      (value) => {
        settled = true;
        return value;
      },
      (error: unknown) => {
        settled = true;
        throw error;
      },
    );
    // Keep an unhandled rejection from surfacing before we await `observed` below.
    observed.catch(() => undefined);
    for (;;) {
      await idle();
      if (settled) break;
      if (this.holds > 0) {
        await new Promise<void>((resolve) => {
          this.holdsReleased.push(resolve);
        });
        continue;
      }
      const timer = this.nextLiveTimer();
      if (!timer) throw new ClockStalledError(this.iso());
      if (options.untilMs !== undefined && timer.at > options.untilMs) {
        throw new RangeError(
          `virtual time limit ${new Date(options.untilMs).toISOString()} reached before the awaited work settled`,
        );
      }
      this.queue.pop();
      this.current = timer.at;
      this.firedCount++;
      timer.fire();
    }
    return observed;
  }

  /** Advances virtual time by `ms`, firing every timer due on the way (for tests). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    const marker = new Promise<void>((resolve) => this.scheduleAt(target, resolve));
    await this.runUntilSettled(marker);
  }

  private nextLiveTimer(): Timer | undefined {
    let timer = this.queue.peek();
    while (timer && timer.cancelled) {
      this.queue.pop();
      timer = this.queue.peek();
    }
    return timer;
  }
}
