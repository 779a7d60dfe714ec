/**
 * The preflight's result: one entry per check, the JSON `plan --json` carries, and the few
 * lines `plan` prints and `start` refuses with.
 */

export type PreflightCheckId =
  "quota" | "vmSize" | "image" | "purchasePlan" | "subnet" | "access" | "dataCollectionRule" | "downloadUrls";

/**
 * `failed`: the rollout would fail part-way, `start` refuses. `warning`: something could not be
 * checked (or looks risky but is not certain to fail); `start` proceeds. `skipped`: not
 * applicable to this configuration.
 */
export type CheckStatus = "passed" | "failed" | "warning" | "skipped";

export interface PreflightCheck {
  id: PreflightCheckId;
  status: CheckStatus;
  /** One line saying what was found. */
  summary: string;
  /** What to change, for a failed check (or a warning worth acting on). */
  fix?: string;
  /** Further facts (per quota, per scope), one line each. */
  details?: string[];
}

export interface PreflightReport {
  /** `failed` when any check failed. */
  result: "passed" | "failed";
  checks: PreflightCheck[];
}

/** Readable names of the checks, for the text lines. */
export const CHECK_TITLES: Readonly<Record<PreflightCheckId, string>> = {
  quota: "vCPU quota",
  vmSize: "VM size",
  image: "image",
  purchasePlan: "purchase plan",
  subnet: "subnet addresses",
  access: "access",
  dataCollectionRule: "data collection rule",
  downloadUrls: "download URLs",
};

export function reportOf(checks: PreflightCheck[]): PreflightReport {
  return { result: checks.some((check) => check.status === "failed") ? "failed" : "passed", checks };
}

/** `plan`'s preflight lines: a headline, one line per failed or warning check, the passed ones together. */
export function preflightLines(report: PreflightReport): string[] {
  const failed = report.checks.filter((check) => check.status === "failed");
  const warnings = report.checks.filter((check) => check.status === "warning");
  const passed = report.checks.filter((check) => check.status === "passed");
  const lines: string[] = [];
  if (failed.length > 0) {
    lines.push(
      `Preflight: FAILED, ${failed.length} of ${report.checks.length} check(s); \`start\` refuses until this is fixed:`,
    );
  } else {
    lines.push(
      `Preflight: passed${warnings.length > 0 ? ` with ${warnings.length} warning(s)` : ""} (${passed.length} of ${report.checks.length} check(s) passed).`,
    );
  }
  for (const check of [...failed, ...warnings]) {
    const label = check.status === "failed" ? "FAIL" : "warn";
    lines.push(`  ${label} ${CHECK_TITLES[check.id]}: ${check.summary}`);
    if (check.fix) lines.push(`       fix: ${check.fix}`);
  }
  if (passed.length > 0) lines.push(`  ok   ${passed.map((check) => CHECK_TITLES[check.id]).join(", ")}`);
  return lines;
}

/** The message `start` (and a `resume` before the first notice) refuses with. */
export function refusalMessage(report: PreflightReport, stack: string): string {
  const failed = report.checks.filter((check) => check.status === "failed");
  const lines = [
    `preflight failed for stack ${stack}: the rollout would stop part-way, after users were signed out, so nothing was started and nothing was changed:`,
  ];
  for (const check of failed) {
    lines.push(`  - ${CHECK_TITLES[check.id]}: ${check.summary}${check.fix ? `; fix: ${check.fix}` : ""}`);
  }
  lines.push(`Run \`avd-rollout plan --stack ${stack}\` to check again.`);
  return lines.join("\n");
}
