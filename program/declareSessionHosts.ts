/**
 * The program as a function of (configuration, batch, ledger) — spec section 4.
 *
 * `declareSessionHosts(config, { hosts: [], generationTime, ledger })` is what a plain
 * `pulumi up` runs: every host state records keeps exactly what state records; hosts it does not
 * record are created. With batch hosts, exactly those hosts get a new VM generation named after
 * `generationTime`. The ledger says which hosts state records and with which resources
 * (program/ledger/stateLedger.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { getHostPoolRegistrationTokenOutput } from "@pulumi/azure-native/desktopvirtualization/getHostPoolRegistrationToken";
import { InputError } from "../automation/core/errors";
import { configurationRevision, desiredHostNames, type StackConfig } from "./config";
import type { RegistrationMode } from "./azure/resourceFactory";
import { hasVirtualMachine, type StateLedger } from "./ledger/stateLedger";
import { declareWithoutPromiseStacks } from "./runtime/promiseStackCapture";
import { declareHosts, type HostOutputs } from "./sessionHosts/declareHosts";
import { batchProblems, hostMode } from "./sessionHosts/hostResourceOptions";
import { generationStamp } from "./sessionHosts/naming";
import { settingsFromStackConfig } from "./sessionHosts/settingsFromStackConfig";
import { REVISION_TAG_KEY } from "./sessionHosts/tags";

export interface SessionHostBatch {
  /** Hosts whose resources may change; empty for a plain `pulumi up` / `pulumi preview`. */
  hosts: readonly string[];
  /** UTC time the batch's VMs (and any new host's VM) are named after. */
  generationTime: Date;
  /** Which hosts state records, with their resource kinds; the driver reads it from the state. */
  ledger?: StateLedger;
}

export interface DeclareSessionHostsOptions {
  /** `thin` (default) or `generated`: see program/azure/resourceFactory.ts. */
  registration?: RegistrationMode;
  /** The registration token; default: read from the host pool with the azure-native invoke. */
  registrationToken?: pulumi.Output<string>;
}

export interface DeclaredSessionHosts {
  /** Configuration revision of the stack configuration (what batch hosts are built from). */
  configurationRevision: string;
  /** Per host: the VM generation state records and the resource kinds declared (never a secret). */
  sessionHosts: Record<string, HostOutputs>;
  /** Resolves when the engine has answered every registration; rejects with the first failure. */
  settled: Promise<void>;
}

/**
 * The host pool's registration token, read with `retrieveRegistrationToken` (the token the
 * driver renewed before the `up`), kept secret. A pool without a valid token fails the program
 * here: an empty token would only fail later, on the new host, as an agent that never registers.
 */
export function hostPoolRegistrationToken(config: StackConfig): pulumi.Output<string> {
  const { name, resourceGroupName } = config.hostPool;
  const token = getHostPoolRegistrationTokenOutput({ hostPoolName: name, resourceGroupName });
  return pulumi.secret(
    token.apply((result) => {
      if (result.token === undefined || result.token === "") {
        throw new InputError(
          `The host pool ${name} (resource group ${resourceGroupName}) has no valid registration token, ` +
            "so a new session host could not register. `avd-rollout start`/`retry` renew it before every update; " +
            "for a plain `pulumi up` that creates hosts, generate one first, e.g. " +
            `\`az desktopvirtualization hostpool update --name ${name} --resource-group ${resourceGroupName} ` +
            '--registration-info expiration-time="<ISO time 1 hour to 27 days ahead>" registration-token-operation=Update`.',
        );
      }
      return result.token;
    }),
  );
}

function registrationModeFromEnvironment(): RegistrationMode | undefined {
  const mode = process.env.AVD_ROLLOUT_REGISTRATION;
  if (mode === undefined || mode === "") return undefined;
  if (mode === "thin" || mode === "generated") return mode;
  throw new InputError(
    `AVD_ROLLOUT_REGISTRATION is "${mode}": use "thin" (default) or "generated" (the @pulumi/azure-native classes).`,
  );
}

/**
 * What the ledger forbids this update to do, checked before anything is declared: a host state
 * records that the configuration no longer declares, a kept host whose resource set is unknown,
 * a kept host whose VM is pending replacement.
 */
export function ledgerProblems(
  hosts: readonly string[],
  batch: ReadonlySet<string>,
  ledger: StateLedger,
): string[] {
  const declared = new Set(hosts);
  const problems: string[] = [];
  // A host without a VM in state serves no one (a first create that failed): dropping it only
  // drops its leftovers from state (retainOnDelete), so it is not refused.
  const dropped = [...ledger.hosts.keys()].filter(
    (host) => !declared.has(host) && hasVirtualMachine(ledger, host),
  );
  if (dropped.length > 0) {
    problems.push(
      `state records session host(s) the configuration no longer declares: ${dropped.join(", ")}. ` +
        "Lowering avd-rollout:sessionHosts.count (or changing vmNamePrefix) would drop running hosts; " +
        'drain and remove them first, then remove them from state (docs/program.md, "Removing hosts"), or restore the count',
    );
  }
  const unknownSets: string[] = [];
  const pending: string[] = [];
  const initErrors: string[] = [];
  for (const host of hosts) {
    const recorded = ledger.hosts.get(host);
    if (recorded === undefined || hostMode(host, batch, ledger) !== "keep") continue;
    if (recorded.kinds === null) unknownSets.push(host);
    if (recorded.vmPendingReplacement) pending.push(host);
    else if (recorded.vmInitErrors) initErrors.push(host);
  }
  if (unknownSets.length > 0) {
    problems.push(
      `the stack's outputs do not say which resources session host(s) ${unknownSets.join(", ")} have ` +
        "(they were written before resource sets were recorded), so a plain `pulumi up` cannot keep them as they are; " +
        "run `avd-rollout` (it reads the state itself) — its next update records them",
    );
  }
  if (pending.length > 0) {
    problems.push(
      `the VM of session host(s) ${pending.join(", ")} is pending replacement (an earlier update deleted it ` +
        "from state's point of view and failed before creating the new one); only that host's own batch may finish it: " +
        "run `avd-rollout retry`",
    );
  }
  if (initErrors.length > 0) {
    problems.push(
      `the VM of session host(s) ${initErrors.join(", ")} failed to finish its create in an earlier update ` +
        "(state records it with init errors), and the engine retries such a create in any update that declares it; " +
        "only that host's own batch may: run `avd-rollout retry`",
    );
  }
  return problems;
}

export function declareSessionHosts(
  config: StackConfig,
  batch: SessionHostBatch & { ledger: StateLedger },
  opts: DeclareSessionHostsOptions = {},
): DeclaredSessionHosts {
  const hosts = desiredHostNames(config);
  const batchHosts = new Set(batch.hosts);
  const problems = batchProblems(batch.hosts, hosts);
  if (problems.length > 0) throw new InputError(`Invalid batch: ${problems.join("; ")}.`);
  const refused = ledgerProblems(hosts, batchHosts, batch.ledger);
  if (refused.length > 0) throw new InputError(`Nothing was changed: ${refused.join("; ")}.`);
  generationStamp(batch.generationTime); // rejects an invalid date before anything is declared
  const revision = configurationRevision(config);
  const registration = opts.registration ?? registrationModeFromEnvironment() ?? "thin";

  const { result, settled } = declareWithoutPromiseStacks(() => {
    const declared = declareHosts({
      settings: settingsFromStackConfig(config, revision),
      hosts,
      batch: batchHosts,
      ledger: batch.ledger,
      generationTime: batch.generationTime,
      revisionTagKey: REVISION_TAG_KEY,
      registrationToken: () => opts.registrationToken ?? hostPoolRegistrationToken(config),
      registration,
    });
    return { result: declared.hosts, urns: declared.urns };
  });
  return { configurationRevision: revision, sessionHosts: result, settled };
}
