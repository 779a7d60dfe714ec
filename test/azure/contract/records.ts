/** Rollout records for the contract tests: small, but shaped like the engine's. */
import type { RolloutRecord } from "../../../automation/core/record";

export function sampleRecord(id: string, hosts: string[] = ["avd-0", "avd-1"]): RolloutRecord {
  return {
    version: 2,
    id,
    status: "running",
    revision: "r-5e6f7a8b",
    params: {
      batchSize: 2,
      logOffDelayMinutes: 30,
      logOffMessage: "Save your work; this desktop restarts soon.",
      deleteOriginalVm: false,
    },
    owner: "contract@test",
    heartbeat: "2026-04-13T08:00:00.000Z",
    startedAt: "2026-04-13T08:00:00.000Z",
    planned: hosts,
    hosts: {
      [hosts[0]!]: {
        batch: 0,
        noticeAt: "2026-04-13T08:01:00.000Z",
        notices: [{ ids: ["1", "2"], sentAt: "2026-04-13T08:01:01.000Z" }],
      },
    },
  };
}
