/** The Clock port on real time, for commands that act on Azure. */
import type { Clock } from "../core/ports";

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};
