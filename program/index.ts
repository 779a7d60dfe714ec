/**
 * The entry `pulumi up` / `pulumi preview` run (Pulumi.yaml `main`): every configured host, no
 * batch. Hosts the stack's previous update recorded keep exactly the resources state records for
 * them; hosts it did not record (count raised) are created with the current configuration. Only
 * the driver (`avd-rollout start`) replaces hosts — see docs/program.md.
 *
 * The stack outputs: `configurationRevision`, and per host `sessionHosts.<host>` = vmName, vmId
 * (ARM id), revision, zone and resources (the kinds of resource it has: the ledger a plain
 * `pulumi up` reads back).
 *
 * Credentials kept in Key Vault are read before anything is declared (program/secrets).
 */
import { runSessionHostsProgram } from "./stackProgram";

export = () => runSessionHostsProgram({ hosts: [], generationTime: new Date() });
