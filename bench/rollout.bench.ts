/**
 * `npm run bench:rollout`: makespan of the standard scenarios for both strategies next to the
 * lower bound W + P + ceil((N-1)/B)·P (W log-off delay, P replacement time, N hosts, B batch
 * size), users touched, and the wall time of each rehearsal. Writes the "## Rollout rehearsal"
 * section of the results file (bench/resultsFile.ts: bench/RESULTS.local.md, `--out FILE`, or
 * bench/RESULTS.md with `--update-results`); `--quick` runs standard-10 only.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { checkInvariants } from "../automation/sim/invariants";
import type { RehearsalResult, Strategy } from "../automation/sim/rehearse";
import { rehearseWithDetails } from "../automation/sim/rehearse";
import type { Scenario } from "../automation/sim/scenario";
import { loadScenarioFile } from "../automation/sim/scenario";
import { benchOptions, recordSection } from "./resultsFile";

const ROOT = join(__dirname, "..");
const SECTION = "## Rollout rehearsal";
const ALL_SCENARIOS = ["standard-10", "standard-100", "standard-1000"];
const STRATEGIES: Strategy[] = ["avd-rollout", "azure"];

interface Row {
  scenario: Scenario;
  strategy: Strategy;
  result: RehearsalResult;
  bound: number;
  wallMs: number;
  violations: number;
  /** Most hosts available at the start that were out of service at once (budget: batch size). */
  maxOut: number;
}

/** Replacement time P: what the world needs from drain to Available again. */
function replacementMinutes(s: Scenario): number {
  const l = s.latency;
  return l.deallocateMinutes + l.vmCreateMinutes + l.extensionsMinutes + l.registrationMinutes;
}

function lowerBound(s: Scenario): number {
  const n = s.hostPool.hosts;
  const p = replacementMinutes(s);
  return s.update.logOffDelayMinutes + p + Math.ceil((n - 1) / s.update.maxVmsRemoved) * p;
}

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2));
  const scenarios = options.quick ? ALL_SCENARIOS.slice(0, 1) : ALL_SCENARIOS;
  const rows: Row[] = [];
  for (const name of scenarios) {
    const scenario = loadScenarioFile(join(ROOT, "scenarios", `${name}.json`));
    for (const strategy of STRATEGIES) {
      const started = process.hrtime.bigint();
      const run = await rehearseWithDetails(scenario, { strategy });
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const violations = checkInvariants(run.events, scenario).length;
      rows.push({
        scenario,
        strategy,
        result: run.result,
        bound: lowerBound(scenario),
        wallMs,
        violations,
        maxOut: run.world.stats.maxInitialHostsOut,
      });
      process.stderr.write(
        `${name} ${strategy}: ${run.result.result}, ${run.result.makespanMinutes} min (bound ${lowerBound(scenario)}), wall ${(wallMs / 1000).toFixed(2)} s, ${violations} invariant violations\n`,
      );
    }
  }
  const section = render(rows, scenarios);
  process.stdout.write(`${section}\n`);
  recordSection(options.resultsFile, SECTION, section);
}

function render(rows: Row[], scenarios: readonly string[]): string {
  const lines = [
    SECTION,
    "",
    `Recorded by \`npm run bench:rollout\` on ${new Date().toISOString().slice(0, 10)} (node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} when it finished — wall times grow with the load of the shared machine).`,
    "Standard scenarios (scenarios/standard-*.json): 30-minute log-off delay, 20 minutes to replace a host",
    "(deallocate 2 + VM create 5 + extensions 10 + registration 3), no jitter, no faults, 6 sessions per host.",
    "Lower bound = W + P + ceil((N-1)/B)·P. Makespan is virtual time; wall is the rehearsal's real run time.",
    "Most hosts out = the most hosts available at the start that were unavailable at once (the capacity budget is the batch size).",
    "",
    "| scenario | hosts | batch | strategy | result | makespan (min) | lower bound (min) | ratio | forced sign-outs | notified twice | voluntary sign-outs | min available | most hosts out | stack ups | invariant violations | wall (s) |",
    "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    const x = r.result;
    lines.push(
      `| ${x.scenario} | ${x.hosts} | ${r.scenario.update.maxVmsRemoved} | ${r.strategy} | ${x.result} | ${x.makespanMinutes} | ${r.bound} | ${(x.makespanMinutes / r.bound).toFixed(3)} | ${x.forcedSignOuts} | ${x.sessionsNotifiedTwice} | ${x.voluntarySignOuts} | ${x.minAvailable} | ${r.maxOut} | ${x.stackUps} | ${r.violations} | ${(r.wallMs / 1000).toFixed(2)} |`,
    );
  }
  const find = (scenario: string, strategy: Strategy) =>
    rows.find((r) => r.result.scenario === scenario && r.strategy === strategy);
  const goals: string[] = [];
  const ours = rows.filter((r) => r.strategy === "avd-rollout");
  const worst = Math.max(...ours.map((r) => r.result.makespanMinutes / r.bound));
  goals.push(
    `- Makespan within 1.10x of the lower bound (avd-rollout, every standard scenario): worst ${worst.toFixed(3)}x — ${worst <= 1.1 ? "met" : "NOT met"}.`,
  );
  const a100 = find("standard-100", "avd-rollout");
  const z100 = find("standard-100", "azure");
  if (a100 && z100) {
    const speedup = z100.result.makespanMinutes / a100.result.makespanMinutes;
    goals.push(
      `- At least 2x faster than azure on standard-100: ${speedup.toFixed(2)}x — ${speedup >= 2 ? "met" : "NOT met"}.`,
    );
  }
  const a1000 = find("standard-1000", "avd-rollout");
  if (a1000) {
    goals.push(
      `- 1,000-host rehearsal under 10 s wall: ${(a1000.wallMs / 1000).toFixed(2)} s — ${a1000.wallMs < 10_000 ? "met" : "NOT met"}.`,
    );
  }
  for (const name of scenarios) {
    const a = find(name, "avd-rollout");
    const z = find(name, "azure");
    if (!a || !z) continue;
    const forced = a.result.forcedSignOuts <= z.result.forcedSignOuts;
    const twice = a.result.sessionsNotifiedTwice <= z.result.sessionsNotifiedTwice;
    goals.push(
      `- ${name}: forced sign-outs ${a.result.forcedSignOuts} vs azure ${z.result.forcedSignOuts} (${forced ? "no more" : "more"}), notified twice ${a.result.sessionsNotifiedTwice} vs ${z.result.sessionsNotifiedTwice} (${twice ? "no more" : "more"}).`,
    );
  }
  lines.push("", "Goals:", "", ...goals);
  return lines.join("\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:rollout failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
