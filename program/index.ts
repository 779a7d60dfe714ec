/**
 * The entry `pulumi up` / `pulumi preview` runs (Pulumi.yaml `main`): every configured host,
 * no batch. Existing hosts keep the VM generation state records for them; hosts that are not in
 * state yet (count raised) are created with the current configuration. Only the driver
 * (`avd-rollout start`) replaces hosts — see docs/program.md.
 *
 * Credentials kept in Key Vault are read before anything is declared (program/secrets), so the
 * host declarations wait for them; the configuration is validated before that, synchronously.
 */
import { configurationRevision as revisionOf } from "./config";
import { readStackConfig } from "./config/readStackConfig";
import { declareSessionHosts } from "./declareSessionHosts";
import { defaultSecretReader, resolveKeyVaultSecrets } from "./secrets";

const config = readStackConfig();
const declared = resolveKeyVaultSecrets(config, defaultSecretReader()).then((resolved) =>
  declareSessionHosts(resolved, { hosts: [], generationTime: new Date() }),
);

/** Configuration revision of the stack configuration. */
export const configurationRevision = revisionOf(config);
/** Per host: vmName, vmId (ARM id), revision and zone of the generation state records. */
export const sessionHosts = declared.then((result) => result.sessionHosts);
