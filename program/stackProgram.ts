/**
 * The program for the Automation API (automation/pulumi builds its Stack port on it): the same
 * declarations as `pulumi up` on program/index.ts, with the driver's batch.
 */
import type { PulumiFn } from "@pulumi/pulumi/automation";
import { readStackConfig } from "./config/readStackConfig";
import {
  declareSessionHosts,
  type DeclareSessionHostsOptions,
  type SessionHostBatch,
} from "./declareSessionHosts";
import { defaultSecretReader, resolveKeyVaultSecrets, type SecretReader } from "./secrets";

export { REVISION_TAG_KEY, DIRECTORY_TAG_KEY } from "./sessionHosts/tags";

/** Inline program declaring the pool with `batch.hosts` allowed to change. */
export function sessionHostsProgram(
  batch: SessionHostBatch,
  opts: DeclareSessionHostsOptions & { secretReader?: SecretReader } = {},
): PulumiFn {
  const { secretReader, ...declareOptions } = opts;
  return async () => {
    // Key Vault credentials are read before anything is declared: a secret that cannot be read
    // fails the update with nothing touched.
    const config = await resolveKeyVaultSecrets(readStackConfig(), secretReader ?? defaultSecretReader());
    const declared = declareSessionHosts(config, batch, declareOptions);
    // Keep the program running until every registration is answered (stack capture is restored then).
    await declared.settled;
    return { configurationRevision: declared.configurationRevision, sessionHosts: declared.sessionHosts };
  };
}
