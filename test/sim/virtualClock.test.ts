import { describe, expect, it } from "vitest";
import { ClockStalledError, VirtualClock } from "../../automation/sim/virtualClock";

const T0 = Date.parse("2026-01-01T00:00:00Z");

describe("VirtualClock", () => {
  it("does not move time until the run drives it, then jumps to each timer", async () => {
    const clock = new VirtualClock(T0);
    const seen: number[] = [];
    const work = (async () => {
      await clock.sleep(60_000);
      seen.push(clock.now() - T0);
      await clock.sleep(3_600_000);
      seen.push(clock.now() - T0);
      return "done";
    })();
    expect(clock.now()).toBe(T0);
    await expect(clock.runUntilSettled(work)).resolves.toBe("done");
    expect(seen).toEqual([60_000, 3_660_000]);
  });

  it("fires timers due at the same instant in insertion order", async () => {
    const clock = new VirtualClock(T0);
    const order: string[] = [];
    clock.schedule(1000, () => order.push("a"));
    clock.schedule(500, () => order.push("b"));
    clock.schedule(1000, () => order.push("c"));
    clock.schedule(500, () => order.push("d"));
    await clock.advance(1000);
    expect(order).toEqual(["b", "d", "a", "c"]);
  });

  it("lets microtask and setImmediate work finish before advancing", async () => {
    const clock = new VirtualClock(T0);
    const order: string[] = [];
    const work = (async () => {
      const short = clock.sleep(10).then(() => order.push(`short@${clock.now() - T0}`));
      // Work started by the first timer (a chain of promises) completes before the next timer fires.
      const long = clock.sleep(20).then(() => order.push(`long@${clock.now() - T0}`));
      await short;
      await Promise.resolve();
      await new Promise((r) => setImmediate(r));
      order.push(`after-short@${clock.now() - T0}`);
      await long;
    })();
    await clock.runUntilSettled(work);
    expect(order).toEqual(["short@10", "after-short@10", "long@20"]);
  });

  it("keeps time still while held real I/O is in flight", async () => {
    const clock = new VirtualClock(T0);
    let timerFiredDuringIo = false;
    clock.schedule(1, () => {
      timerFiredDuringIo = !ioDone;
    });
    let ioDone = false;
    const io = new Promise<string>((resolve) =>
      setTimeout(() => {
        ioDone = true;
        resolve("response");
      }, 5),
    );
    const work = (async () => {
      const response = await clock.hold(io);
      await clock.sleep(10);
      return response;
    })();
    await expect(clock.runUntilSettled(work)).resolves.toBe("response");
    expect(timerFiredDuringIo).toBe(false);
    expect(clock.now()).toBe(T0 + 10);
  });

  it("propagates rejections of the awaited work", async () => {
    const clock = new VirtualClock(T0);
    const work = clock.sleep(5).then(() => {
      throw new Error("boom");
    });
    await expect(clock.runUntilSettled(work)).rejects.toThrow("boom");
  });

  it("reports a stall instead of hanging", async () => {
    const clock = new VirtualClock(T0);
    await expect(clock.runUntilSettled(new Promise(() => undefined))).rejects.toBeInstanceOf(
      ClockStalledError,
    );
  });

  it("cancelled timers do not fire and a limit stops runaway time", async () => {
    const clock = new VirtualClock(T0);
    let fired = false;
    clock.schedule(10, () => (fired = true)).cancel();
    await clock.advance(20);
    expect(fired).toBe(false);
    const forever = (async () => {
      for (;;) await clock.sleep(1000);
    })();
    await expect(clock.runUntilSettled(forever, { untilMs: T0 + 60_000 })).rejects.toThrow(RangeError);
  });
});
