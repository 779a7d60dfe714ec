/**
 * Measures what cutting a rollout into time-boxed runs costs (docs/pipelines.md, "Long rollouts"):
 *
 *   npx tsx test/timebox/measureCut.ts scenarios/standard-1000.json 50 1
 *
 * rehearses the scenario uncut and cut into runs of at most M minutes (the CLI's runUntil: M minus
 * the reserve) with a wait of W minutes between them, and prints both makespans, the runs, the
 * longest run and the invariant checker's findings.
 */
import { readFileSync } from "node:fs";
import { TIME_BOX_RESERVE_MINUTES } from "../../automation/cli/timeBox";
import { checkInvariants } from "../../automation/sim/invariants";
import { rehearseWithDetails } from "../../automation/sim/rehearse";
import { parseScenario } from "../../automation/sim/scenario";
import { rehearseInTimeBoxedRuns } from "./timeBoxedRehearsal";

async function main(): Promise<void> {
  const [file, maxRun = "50", wait = "1"] = process.argv.slice(2);
  if (!file) throw new Error("usage: measureCut.ts SCENARIO.json [MAX_RUN_MINUTES] [WAIT_MINUTES]");
  const scenario = parseScenario(JSON.parse(readFileSync(file, "utf8")) as object);
  const uncut = await rehearseWithDetails(scenario);
  const plan = [{ workMinutes: Number(maxRun) - TIME_BOX_RESERVE_MINUTES, gapMinutes: Number(wait) }];
  const cut = await rehearseInTimeBoxedRuns(scenario, plan);
  const longest = Math.max(...cut.runs.map((run) => run.endedAt - run.startedAt)) / 60_000;
  const extra = cut.makespanMinutes - cut.gapMinutes - uncut.result.makespanMinutes;
  const round = (n: number) => Math.round(n * 10) / 10;
  console.log(
    JSON.stringify(
      {
        scenario: scenario.name,
        maxRunMinutes: Number(maxRun),
        waitMinutes: Number(wait),
        uncutMakespanMinutes: uncut.result.makespanMinutes,
        cutMakespanMinutes: round(cut.makespanMinutes),
        runs: cut.runs.length,
        longestRunMinutes: round(longest),
        waitsMinutes: cut.gapMinutes,
        beyondUncutPlusWaitsMinutes: round(extra),
        beyondUncutPlusWaitsPercent: round((100 * extra) / uncut.result.makespanMinutes),
        result: cut.outcome.result,
        violations: checkInvariants(cut.events, scenario).length,
      },
      null,
      2,
    ),
  );
}

void main();
