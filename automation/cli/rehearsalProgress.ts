/**
 * Progress of a long rehearsal on stderr: a 10,000-host rehearsal takes tens of seconds of wall
 * time, and a command that prints nothing meanwhile looks stuck. Quiet for short rehearsals;
 * then a plain line every few seconds (stdout stays the result, so `--json` is unaffected).
 */
import type { ProgressSnapshot } from "../core/progress";

/** Wall time before the first line, and between lines. */
export const REHEARSAL_PROGRESS_AFTER_MS = 5_000;

export function rehearsalProgress(
  label: string,
  write: (line: string) => void,
  wallNow: () => number,
): (snapshot: ProgressSnapshot) => void {
  let next = wallNow() + REHEARSAL_PROGRESS_AFTER_MS;
  return (snapshot) => {
    const now = wallNow();
    if (now < next) return;
    next = now + REHEARSAL_PROGRESS_AFTER_MS;
    write(
      `rehearsing ${label}: ${snapshot.completed} of ${snapshot.total} hosts updated (${snapshot.percent}%), ` +
        `${snapshot.inProgress} in progress; virtual time ${snapshot.at.slice(0, 16).replace("T", " ")} UTC\n`,
    );
  };
}
