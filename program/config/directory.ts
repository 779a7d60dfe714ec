/**
 * The directory the session hosts join, as a non-secret identity string. The program tags every VM
 * with it; the driver compares the deployed identity with the configured one and refuses a change,
 * as Azure's session host update does: moving hosts between Entra ID and Active Directory, or
 * between domains, is a new host pool, not an update.
 */
import { InputError } from "../../automation/core/errors";
import type { StackConfig } from "./types";

/** `AzureActiveDirectory`, or `ActiveDirectory:<domain name, lower case>`. */
export function directoryIdentity(config: StackConfig): string {
  const domain = config.sessionHostConfiguration.domainInfo;
  return domain.joinType === "AzureActiveDirectory"
    ? "AzureActiveDirectory"
    : `ActiveDirectory:${domain.activeDirectoryInfo.domainName.toLowerCase()}`;
}

function normalise(identity: string): string {
  return identity.trim().toLowerCase();
}

/**
 * Throws {@link InputError} when `next` names another directory than `previous` (the identity
 * deployed hosts carry). An unknown previous identity (nothing deployed, or hosts from before the
 * tag existed) accepts any next one.
 */
export function assertSameDirectory(previous: string | null | undefined, next: string): void {
  if (previous === undefined || previous === null || previous.trim() === "") return;
  if (normalise(previous) === normalise(next)) return;
  throw new InputError(
    `Changing the directory is refused, as in Azure: the deployed session hosts are joined to ${previous}, ` +
      `but avd-rollout:sessionHostConfiguration.domainInfo now says ${next}. ` +
      `Fix: set avd-rollout:sessionHostConfiguration.domainInfo back to ${previous}, ` +
      `or deploy the hosts for ${next} into a new host pool.`,
  );
}
