/**
 * `npm run bench:rollout`: every bundled scenario rehearsed with both strategies from the same
 * run, side by side — what users go through (short notices, forced sign-outs, sessions notified
 * twice, refused sign-ins, users disrupted) and how long it takes against the lower bound
 * 2W + P + ceil((N-1)/B)·P (W log-off delay, P replacement time, N hosts, B batch size) — plus the
 * 10,000-host scenario for the driver alone (its wall time is the figure). Writes the
 * "## Rollout rehearsal" section of the results file (bench/resultsFile.ts: bench/RESULTS.local.md,
 * `--out FILE`, or bench/RESULTS.md with `--update-results`); `--quick` runs standard-10 only.
 */
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { checkInvariants } from "../automation/sim/invariants";
import type { DriverTuning } from "../automation/core/tuning";
import type { RehearsalResult, Strategy } from "../automation/sim/rehearse";
import { rehearseWithDetails } from "../automation/sim/rehearse";
import type { Scenario } from "../automation/sim/scenario";
import { loadScenarioFile } from "../automation/sim/scenario";
import { benchOptions, recordSection } from "./resultsFile";

const ROOT = join(__dirname, "..");
const SECTION = "## Rollout rehearsal";
const COMPARED = [
  "demo",
  "standard-10",
  "standard-100",
  "standard-1000",
  "faults-and-crashes",
  "busy-pool-100",
  "depth-first-100",
  "sign-back-in-100",
];
/** Rehearsed with avd-rollout only: the scale figure (wall time of a 10,000-host rehearsal). */
const SCALE = ["standard-10000"];
const STRATEGIES: Strategy[] = ["avd-rollout", "azure"];

interface Row {
  scenario: Scenario;
  strategy: Strategy;
  result: RehearsalResult;
  bound: number;
  wallMs: number;
  violations: number;
  /** Most hosts serving and accepting at the start that were out of service at once (budget: batch size). */
  maxOut: number;
}

/** Replacement time P: what the world needs from leaving service to Available again. */
function replacementMinutes(s: Scenario): number {
  const l = s.latency;
  return l.deallocateMinutes + l.vmCreateMinutes + l.extensionsMinutes + l.registrationMinutes;
}

/** 2W + P + ceil((N-1)/B)·P: the initial host alone (notice, replacement), the next notice, one replacement per batch. */
function lowerBound(s: Scenario): number {
  const n = s.hostPool.hosts;
  const p = replacementMinutes(s);
  return 2 * s.update.logOffDelayMinutes + p + Math.ceil((n - 1) / s.update.maxVmsRemoved) * p;
}

async function rehearseRow(name: string, strategy: Strategy, tuning?: Partial<DriverTuning>): Promise<Row> {
  const scenario = loadScenarioFile(join(ROOT, "scenarios", `${name}.json`));
  const started = process.hrtime.bigint();
  const run = await rehearseWithDetails(scenario, { strategy, ...(tuning ? { tuning } : {}) });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const violations = checkInvariants(run.events, scenario).length;
  const row: Row = {
    scenario,
    strategy,
    result: run.result,
    bound: lowerBound(scenario),
    wallMs,
    violations,
    maxOut: run.world.stats.maxInitialHostsOut,
  };
  process.stderr.write(
    `${name} ${strategy}: ${run.result.result}, ${run.result.makespanMinutes} min (bound ${row.bound}), wall ${(wallMs / 1000).toFixed(2)} s, ${violations} invariant violations\n`,
  );
  return row;
}

async function main(): Promise<void> {
  const options = benchOptions(process.argv.slice(2));
  const compared = options.quick ? COMPARED.slice(1, 2) : COMPARED;
  const rows: Row[] = [];
  for (const name of compared)
    for (const strategy of STRATEGIES) rows.push(await rehearseRow(name, strategy));
  // What the users-first gate costs: avd-rollout with notices ahead of turn whatever the room on updated hosts.
  const ungated: Row[] = [];
  for (const name of compared)
    ungated.push(await rehearseRow(name, "avd-rollout", { noticeAheadNeedsUpdatedRoom: false }));
  const scale = options.quick ? [] : await Promise.all(SCALE.map((name) => rehearseRow(name, "avd-rollout")));
  const section = render(rows, scale, compared, ungated);
  process.stdout.write(`${section}\n`);
  recordSection(options.resultsFile, SECTION, section);
}

const HEADER =
  "| scenario | hosts | batch | strategy | result | makespan (min) | bound (min) | ratio | short notices | forced sign-outs | notified twice | refused sign-ins | users disrupted | lowest serving | most hosts out | invariant violations | wall (s) |";
const ALIGN =
  "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |";

function line(r: Row): string {
  const x = r.result;
  return `| ${x.scenario} | ${x.hosts} | ${r.scenario.update.maxVmsRemoved} | ${r.strategy} | ${x.result} | ${x.makespanMinutes} | ${r.bound} | ${(x.makespanMinutes / r.bound).toFixed(3)} | ${x.shortNotices} | ${x.forcedSignOuts} | ${x.sessionsNotifiedTwice} | ${x.refusedSignIns} | ${x.disruptedUsers} | ${x.minAvailable} | ${r.maxOut} | ${r.violations} | ${(r.wallMs / 1000).toFixed(2)} |`;
}

function render(rows: Row[], scale: Row[], scenarios: readonly string[], ungated: Row[]): string {
  const lines = [
    SECTION,
    "",
    `Recorded by \`npm run bench:rollout\` on ${new Date().toISOString().slice(0, 10)} (node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} when it finished — wall times grow with the load of the shared machine).`,
    "Both strategies rehearse the same scenario with the same seed. Bound = 2W + P + ceil((N-1)/B)·P (P = deallocate + VM create + extensions + registration).",
    "Short notices: sessions signed out by force less than the delay after their own notice. Notified twice: sessions whose user had already been told to sign out.",
    "Refused sign-ins: sign-ins that found no host with room. Users disrupted: distinct users signed out by force or notified twice.",
    "Most hosts out: the most hosts serving and accepting at the start that were not serving at once (the budget is the batch size).",
    "",
    HEADER,
    ALIGN,
    ...rows.map(line),
  ];
  if (scale.length > 0) lines.push("", "Scale (avd-rollout alone):", "", HEADER, ALIGN, ...scale.map(line));
  const find = (scenario: string, strategy: Strategy) =>
    rows.find((r) => r.result.scenario === scenario && r.strategy === strategy);
  const goals: string[] = [];
  for (const name of scenarios) {
    const a = find(name, "avd-rollout");
    const z = find(name, "azure");
    if (!a || !z) continue;
    const x = a.result;
    const y = z.result;
    const checks = [
      [`short notices ${x.shortNotices} / ${y.shortNotices}`, x.shortNotices === 0 && y.shortNotices === 0],
      [`forced sign-outs ${x.forcedSignOuts} vs ${y.forcedSignOuts}`, x.forcedSignOuts <= y.forcedSignOuts],
      [
        `notified twice ${x.sessionsNotifiedTwice} vs ${y.sessionsNotifiedTwice}`,
        x.sessionsNotifiedTwice <= y.sessionsNotifiedTwice,
      ],
      [`refused sign-ins ${x.refusedSignIns} vs ${y.refusedSignIns}`, x.refusedSignIns <= y.refusedSignIns],
      [
        `makespan ${(x.makespanMinutes / a.bound).toFixed(2)}x the bound (${(y.makespanMinutes / x.makespanMinutes).toFixed(2)}x faster than azure)`,
        x.makespanMinutes <= 1.1 * a.bound,
      ],
    ] as const;
    const missed = checks.filter(([, ok]) => !ok).map(([text]) => text);
    goals.push(
      `- ${name}: ${checks.map(([text, ok]) => `${text} ${ok ? "✓" : "✗"}`).join("; ")}${missed.length === 0 ? "" : ` — missed: ${missed.join(", ")}`}.`,
    );
  }
  for (const r of scale)
    goals.push(
      `- ${r.result.scenario}: rehearsed in ${(r.wallMs / 1000).toFixed(1)} s wall (goal: under 60 s) — ${r.wallMs < 60_000 ? "met" : "NOT met"}.`,
    );
  lines.push(
    "",
    "Goals per scenario (avd-rollout vs azure; ✓ met, ✗ missed — docs/rollout.md says what a miss costs and why):",
    "",
    ...goals,
  );
  lines.push(
    "",
    "What users first costs in minutes: avd-rollout as shipped, and with a batch noticed ahead of its turn whatever the room on updated hosts",
    '(tuning `noticeAheadNeedsUpdatedRoom: false`; docs/rollout.md, "Fewer people disrupted"). Same scenario and seed; azure for reference.',
    "",
    "| scenario | makespan shipped | makespan ungated | azure | notified twice shipped | ungated | azure | forced sign-outs shipped | ungated | azure |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  );
  for (const name of scenarios) {
    const a = find(name, "avd-rollout")?.result;
    const z = find(name, "azure")?.result;
    const u = ungated.find((r) => r.result.scenario === name)?.result;
    if (!a || !z || !u) continue;
    lines.push(
      `| ${name} | ${a.makespanMinutes} | ${u.makespanMinutes} | ${z.makespanMinutes} | ${a.sessionsNotifiedTwice} | ${u.sessionsNotifiedTwice} | ${z.sessionsNotifiedTwice} | ${a.forcedSignOuts} | ${u.forcedSignOuts} | ${z.forcedSignOuts} |`,
    );
  }
  return lines.join("\n");
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:rollout failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
