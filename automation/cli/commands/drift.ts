/**
 * `avd-rollout drift --stack S [--json]`: does the pool match its configuration and the cloud
 * match the stack? Wraps `pulumi preview` (empty batch) and `pulumi refresh --preview-only`;
 * changes nothing. Exit 5 when drift is found, 0 when none, 1 when the check could not run.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { assembleDriftReport, configurationDrift, type DriftReport } from "../../pulumi/drift";
import { EXIT } from "../exitCodes";
import { JSON_OPTION, STACK_OPTION, runCommand, type BaseArgs, type CommandResult } from "../command";
import { parseStack } from "../flags";
import type { StackSession } from "../portsFactory";

interface DriftArgs extends BaseArgs {
  stack?: string;
}

/** Batch index used for drift previews: no host may change. */
export const DRIFT_PREVIEW_BATCH = -1;

export async function detectDrift(session: StackSession): Promise<DriftReport> {
  const { stack } = session.ports;
  const [desired, deployed] = await Promise.all([stack.readDesired(), stack.readDeployedHosts()]);
  const configuration = configurationDrift(deployed, desired);
  if (session.drift) {
    const pendingChanges = await session.drift.pendingChanges();
    const cloud = await session.drift.cloudDrift();
    return assembleDriftReport(configuration, pendingChanges, cloud);
  }
  // Without a refresh probe, the batch preview still says what a plain `up` would destroy.
  const verdict = await stack.preview({ index: DRIFT_PREVIEW_BATCH, hosts: [] });
  const pendingChanges = verdict.outsideBatchChanges.map((urn) => ({ urn, op: "replace-or-delete" }));
  return assembleDriftReport(configuration, pendingChanges, null);
}

export function driftText(stack: string, report: DriftReport): string {
  if (!report.drift)
    return `Stack ${stack}: no drift; the pool matches its configuration${report.cloud ? " and the cloud matches the stack" : ""}.`;
  const lines = [`Stack ${stack}: drift found.`];
  if (report.outOfDate.length > 0)
    lines.push(`  Out of date (run \`avd-rollout start\`): ${report.outOfDate.join(", ")}`);
  if (report.missing.length > 0)
    lines.push(`  Declared but not deployed (run \`pulumi up\`): ${report.missing.join(", ")}`);
  if (report.extra.length > 0) lines.push(`  Deployed but no longer declared: ${report.extra.join(", ")}`);
  for (const change of report.pendingChanges.slice(0, 20))
    lines.push(`  pulumi up would ${change.op}: ${change.urn}`);
  for (const change of (report.cloud ?? []).slice(0, 20)) {
    lines.push(
      `  Changed outside Pulumi (${change.kind}${change.properties.length > 0 ? `: ${change.properties.join(", ")}` : ""}): ${change.urn}`,
    );
  }
  return lines.join("\n");
}

export const driftCommand: CommandModule<object, DriftArgs> = {
  command: "drift",
  describe: "Check the pool against its configuration and the cloud against the stack (exit 5 on drift)",
  builder: (yargs: Argv) =>
    yargs.option("stack", STACK_OPTION).option("json", JSON_OPTION).strict() as unknown as Argv<DriftArgs>,
  handler: (argv: ArgumentsCamelCase<DriftArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const stack = parseStack(argv.stack);
      const report = await detectDrift(await runtime.ports.open(stack));
      return {
        exitCode: report.drift ? EXIT.drift : EXIT.ok,
        json: { stack, ...report },
        text: driftText(stack, report),
      };
    }),
};
