/**
 * The program as a function of (configuration, batch) — spec section 4.
 *
 * `declareSessionHosts(config, { hosts: [], generationTime })` is what a plain `pulumi up` runs:
 * every existing host keeps what state records; hosts not yet in state are created. With batch
 * hosts, exactly those hosts get a new VM generation named after `generationTime`.
 */
import * as pulumi from "@pulumi/pulumi";
import { getHostPoolRegistrationTokenOutput } from "@pulumi/azure-native/desktopvirtualization/getHostPoolRegistrationToken";
import { InputError } from "../automation/core/errors";
import { configurationRevision, desiredHostNames, type StackConfig } from "./config";
import type { RegistrationMode } from "./azure/resourceFactory";
import { declareWithoutPromiseStacks } from "./runtime/promiseStackCapture";
import { declareHosts, type HostOutputs } from "./sessionHosts/declareHosts";
import { batchProblems } from "./sessionHosts/hostResourceOptions";
import { generationStamp } from "./sessionHosts/naming";
import { settingsFromStackConfig } from "./sessionHosts/settingsFromStackConfig";
import { REVISION_TAG_KEY } from "./sessionHosts/tags";

export interface SessionHostBatch {
  /** Hosts whose resources may change; empty for a plain `pulumi up` / `pulumi preview`. */
  hosts: readonly string[];
  /** UTC time the batch's VMs (and any new host's VM) are named after. */
  generationTime: Date;
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
  /** Per host: the VM generation state records (never a secret). */
  sessionHosts: Record<string, HostOutputs>;
  /** Resolves when the engine has answered every registration. */
  settled: Promise<void>;
}

/**
 * The host pool's registration token, read with `retrieveRegistrationToken` (the token the
 * driver renewed before the `up`), kept secret.
 */
export function hostPoolRegistrationToken(config: StackConfig): pulumi.Output<string> {
  const token = getHostPoolRegistrationTokenOutput({
    hostPoolName: config.hostPool.name,
    resourceGroupName: config.hostPool.resourceGroupName,
  });
  return pulumi.secret(token.apply((result) => result.token ?? ""));
}

function registrationModeFromEnvironment(): RegistrationMode | undefined {
  const mode = process.env.AVD_ROLLOUT_REGISTRATION;
  if (mode === undefined || mode === "") return undefined;
  if (mode === "thin" || mode === "generated") return mode;
  throw new InputError(
    `AVD_ROLLOUT_REGISTRATION is "${mode}": use "thin" (default) or "generated" (the @pulumi/azure-native classes).`,
  );
}

export function declareSessionHosts(
  config: StackConfig,
  batch: SessionHostBatch,
  opts: DeclareSessionHostsOptions = {},
): DeclaredSessionHosts {
  const hosts = desiredHostNames(config);
  const problems = batchProblems(batch.hosts, hosts);
  if (problems.length > 0) throw new InputError(`Invalid batch: ${problems.join("; ")}.`);
  generationStamp(batch.generationTime); // rejects an invalid date before anything is declared
  const revision = configurationRevision(config);
  const registration = opts.registration ?? registrationModeFromEnvironment() ?? "thin";

  const { result, settled } = declareWithoutPromiseStacks(() => {
    const declared = declareHosts({
      settings: settingsFromStackConfig(config, revision),
      hosts,
      batch: new Set(batch.hosts),
      generationTime: batch.generationTime,
      revisionTagKey: REVISION_TAG_KEY,
      registrationToken: opts.registrationToken ?? hostPoolRegistrationToken(config),
      registration,
    });
    return { result: declared.hosts, urns: declared.urns };
  });
  return { configurationRevision: revision, sessionHosts: result, settled };
}
