/**
 * Live progress for `start`, `resume`, `retry` and `status --watch` (spec sections 5.10, 7):
 * on a terminal, a bar with completed / in-progress / failed hosts, the phase of each in-flight
 * host, percent and ETA (the driver's own estimate, core/progress); plain lines when there is no
 * terminal or `CI` is set. Driven by the rollout events and the driver's progress snapshots.
 */
import { SingleBar } from "cli-progress";
import type { AnyEvent, EventSink } from "../core/events";
import type { ProgressSnapshot } from "../core/progress";
import type { CliIo } from "./io";
import { wantsLiveProgress } from "./io";
import { etaText, phasesSummary, plainLine, snapshotLine } from "./progressLines";

export { formatMinutes } from "./progressLines";

export interface ProgressDisplay extends EventSink {
  /** The driver's progress after each step (DriverDeps.onProgress). */
  progress(snapshot: ProgressSnapshot): void;
  /** The latest snapshot shown, if any. */
  readonly latest: ProgressSnapshot | null;
  /** Stops the live display (leaves the last frame on screen). */
  stop(): void;
}

/** A snapshot line is printed in plain mode when these change, not on every reconcile step. */
function plainKey(snapshot: ProgressSnapshot): string {
  return `${snapshot.completed}/${snapshot.failed}/${snapshot.total}/${JSON.stringify(snapshot.inFlight)}`;
}

export function progressDisplay(io: CliIo): ProgressDisplay {
  return wantsLiveProgress(io) ? liveDisplay(io) : plainDisplay(io);
}

function plainDisplay(io: CliIo): ProgressDisplay {
  let latest: ProgressSnapshot | null = null;
  let lastKey = "";
  return {
    get latest() {
      return latest;
    },
    emit(event: AnyEvent) {
      const line = plainLine(event);
      if (line !== null) io.err(`${line}\n`);
    },
    progress(snapshot: ProgressSnapshot) {
      latest = snapshot;
      const key = plainKey(snapshot);
      if (key === lastKey) return;
      lastKey = key;
      io.err(`${snapshotLine(snapshot)}\n`);
    },
    stop() {},
  };
}

function liveDisplay(io: CliIo): ProgressDisplay {
  let latest: ProgressSnapshot | null = null;
  const bar = new SingleBar({
    stream: io.progressStream,
    format:
      "{bar} {percentage}% | {value}/{total} hosts | {inFlightCount} in progress | {failedCount} failed | ETA {etaText} | {phases}",
    barsize: 24,
    barCompleteChar: "\u2588",
    barIncompleteChar: "\u2591",
    hideCursor: true,
    clearOnComplete: false,
    stopOnComplete: false,
    linewrap: false,
    forceRedraw: true,
    // Ctrl-C (the driver is crash-safe: `resume` continues) must not leave the cursor hidden.
    gracefulExit: true,
  });
  let started = false;
  const payload = (snapshot: ProgressSnapshot) => ({
    inFlightCount: snapshot.inProgress,
    failedCount: snapshot.failed,
    etaText: etaText(snapshot),
    phases: phasesSummary(snapshot).slice(0, Math.max(10, io.columns - 90)),
  });
  const above = (line: string) => {
    // Clear the bar's line, print, and let the next update redraw the bar under it.
    io.err(started ? `\r\x1b[2K${line}\n` : `${line}\n`);
  };
  return {
    get latest() {
      return latest;
    },
    emit(event: AnyEvent) {
      // Milestones stay in the scroll-back above the bar.
      if (
        event.type === "rollout.started" ||
        event.type === "batch.started" ||
        event.type === "host.failed" ||
        event.type === "rollout.paused" ||
        event.type === "rollout.cancelled" ||
        event.type === "rollout.finished"
      ) {
        const line = plainLine(event);
        if (line !== null) above(line);
      }
    },
    progress(snapshot: ProgressSnapshot) {
      latest = snapshot;
      if (!started) {
        bar.start(Math.max(snapshot.total, 1), snapshot.completed, payload(snapshot));
        started = true;
        return;
      }
      bar.setTotal(Math.max(snapshot.total, 1));
      bar.update(snapshot.completed, payload(snapshot));
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
