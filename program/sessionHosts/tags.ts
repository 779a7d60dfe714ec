/**
 * Tags the program puts on every host resource, next to the configured `vmTags`.
 * Azure tag names may not contain `< > % & \ ? /`; these use letters and hyphens only.
 */

/** The configuration revision a VM generation was built from (spec section 4): the ledger's entry. */
export const REVISION_TAG_KEY = "avd-rollout-revision";

/** The directory the host joined (`directoryIdentity`): the driver refuses to change it. */
export const DIRECTORY_TAG_KEY = "avd-rollout-directory";

/** Configured tags plus the program's own; the program's own win over a configured tag of the same name. */
export function hostTags(
  vmTags: Readonly<Record<string, string>>,
  revision: string,
  directoryIdentity: string,
): Record<string, string> {
  return { ...vmTags, [REVISION_TAG_KEY]: revision, [DIRECTORY_TAG_KEY]: directoryIdentity };
}
