/**
 * The entry `pulumi up` / `pulumi preview` runs (Pulumi.yaml `main`): every configured host,
 * no batch. Existing hosts keep the VM generation state records for them; hosts that are not in
 * state yet (count raised) are created with the current configuration. Only the driver
 * (`avd-rollout start`) replaces hosts — see docs/program.md.
 */
import { readStackConfig } from "./config/readStackConfig";
import { declareSessionHosts } from "./declareSessionHosts";

const declared = declareSessionHosts(readStackConfig(), { hosts: [], generationTime: new Date() });

/** Configuration revision of the stack configuration. */
export const configurationRevision = declared.configurationRevision;
/** Per host: vmName, vmId (ARM id), revision and zone of the generation state records. */
export const sessionHosts = declared.sessionHosts;
