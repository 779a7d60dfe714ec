/**
 * Rollout reports built from the event log alone: an HTML page with charts (`--report`) and a
 * Markdown summary for pipeline run pages (`--summary-md`, `$GITHUB_STEP_SUMMARY`).
 */
import type { LoggedEvent } from "./eventLog";
import { buildRunReport, type RunReport } from "./model";
import { splitRuns } from "./runs";

export { parseEventLog, readEventLog, type LoggedEvent } from "./eventLog";
export { buildRunReport, type RunReport } from "./model";
export { splitRuns, type RunLog } from "./runs";
export { renderReportHtml, type ReportPage } from "./html";

/** Every run of a log that the driver took part in, in log order. */
export function reportsFromEvents(events: readonly LoggedEvent[]): RunReport[] {
  return splitRuns(events)
    .filter((run) => run.events.some((event) => "rollout" in event || event.type === "rollout.started"))
    .map(buildRunReport);
}
