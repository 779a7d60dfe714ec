/**
 * Stack settings that would make the engine override the resource options the ledger relies
 * on (docs/program.md, "Engine rules"). Checked by the program and by the driver before an update.
 */

/** Stack config key of Pulumi's autonaming settings. */
export const AUTONAMING_CONFIG_KEY = "pulumi:autonaming";

/**
 * The refusal for stack config that sets `pulumi:autonaming`, or null. The engine asks the
 * autonamer of every custom resource and, when its pattern has no random part (`verbatim`,
 * `disabled`, or a pattern without `${hex(n)}`...), overrides the program's own
 * `deleteBeforeReplace: false` with `true` (pkg/resource/deploy/step_generator.go,
 * continueStepsFromImport: `goal.DeleteBeforeReplace = &dbr`; pkg/resource/autonaming/strategy.go).
 * Every replacement of a batch would then delete the host's resources before creating the new
 * generation. The program names every resource itself, so autonaming has nothing to do here.
 */
export function autonamingProblem(config: Readonly<Record<string, unknown>>): string | null {
  if (config[AUTONAMING_CONFIG_KEY] === undefined) return null;
  return (
    `${AUTONAMING_CONFIG_KEY} is set in the stack configuration: the engine would then replace session host ` +
    "resources delete-before-create, overriding the program. The program names every resource itself; " +
    `remove it with \`pulumi config rm ${AUTONAMING_CONFIG_KEY}\`.`
  );
}
