/**
 * The program both ways it runs: `pulumi up` on program/index.ts (no batch, ledger from the
 * stack's previous outputs) and the inline program the Automation API runs for the driver
 * (automation/pulumi: the driver's batch, ledger from the state itself).
 */
import * as pulumi from "@pulumi/pulumi";
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { InputError } from "../automation/core/errors";
import { readStackConfig } from "./config/readStackConfig";
import {
  declareSessionHosts,
  type DeclareSessionHostsOptions,
  type SessionHostBatch,
} from "./declareSessionHosts";
import { readLedgerFromStackOutputs } from "./ledger/readLedgerFromStackOutputs";
import { autonamingProblem } from "./runtime/engineGuards";
import type { HostOutputs } from "./sessionHosts/declareHosts";
import { defaultSecretReader, resolveKeyVaultSecrets, type SecretReader } from "./secrets";

export { REVISION_TAG_KEY, DIRECTORY_TAG_KEY } from "./sessionHosts/tags";
export { restorePromiseStackCapture } from "./runtime/promiseStackCapture";

/** The stack outputs: the configuration revision and, per host, the ledger entry (never a secret). */
export interface SessionHostsStackOutputs {
  configurationRevision: string;
  sessionHosts: Record<string, HostOutputs>;
}

/** Declares the pool with `batch.hosts` allowed to change; resolves once the engine answered every registration. */
export async function runSessionHostsProgram(
  batch: SessionHostBatch,
  opts: DeclareSessionHostsOptions & { secretReader?: SecretReader } = {},
): Promise<SessionHostsStackOutputs> {
  const refusal = autonamingProblem(pulumi.runtime.allConfig());
  if (refusal !== null) throw new InputError(refusal);
  const { secretReader, ...declareOptions } = opts;
  // Key Vault credentials are read before anything is declared: a secret that cannot be read
  // fails the update with nothing touched.
  const config = await resolveKeyVaultSecrets(readStackConfig(), secretReader ?? defaultSecretReader());
  const ledger = batch.ledger ?? (await readLedgerFromStackOutputs());
  const declared = declareSessionHosts(config, { ...batch, ledger }, declareOptions);
  // Keep the program running until every registration is answered (stack capture is restored then).
  await declared.settled;
  return { configurationRevision: declared.configurationRevision, sessionHosts: declared.sessionHosts };
}

/** Inline program declaring the pool with `batch.hosts` allowed to change. */
export function sessionHostsProgram(
  batch: SessionHostBatch,
  opts: DeclareSessionHostsOptions & { secretReader?: SecretReader } = {},
): PulumiFn {
  return () => runSessionHostsProgram(batch, opts);
}
