/**
 * Azure Key Vault secret URIs, as Azure's sessionHostConfiguration takes credentials
 * (`usernameKeyVaultSecretUri`, `passwordKeyVaultSecretUri`):
 * `https://<vault>.vault.azure.net/secrets/<name>[/<version>]`. Pure: recognising a URI needs no
 * network; reading the secret is program/secrets' job.
 */

/** DNS suffixes of Key Vault in the Azure clouds (public, China, US Government). */
export const KEY_VAULT_DNS_SUFFIXES = [
  "vault.azure.net",
  "vault.azure.cn",
  "vault.usgovcloudapi.net",
] as const;

/** Key Vault names: 3-24 letters, digits and hyphens, starting with a letter, no `--`, not ending with `-`. */
const VAULT_NAME = /^(?=.{3,24}$)[a-z](?:-?[a-z0-9])*$/i;
/** Secret names: 1-127 letters, digits and hyphens. */
const SECRET_NAME = /^[0-9a-z-]{1,127}$/i;
/** Secret versions are 32 hex digits. */
const SECRET_VERSION = /^[0-9a-f]{32}$/i;

export const KEY_VAULT_SECRET_URI_EXAMPLE = "https://<vault>.vault.azure.net/secrets/<secret-name>";

export interface KeyVaultSecretAddress {
  /** `https://<vault>.vault.azure.net` (with a port only when the URI has one). */
  readonly vaultUrl: string;
  /** The vault's name (the first DNS label). */
  readonly vaultName: string;
  readonly secretName: string;
  /** Absent = the secret's current version, read at each deployment. */
  readonly version?: string;
}

/** Why `uri` is not a Key Vault secret URI (`<problem>`, no fix), or undefined when it is one. */
export function keyVaultSecretUriProblem(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return "is not a URL";
  }
  if (url.protocol !== "https:") return "is not an https:// URL";
  if (url.username !== "" || url.password !== "" || url.search !== "" || url.hash !== "") {
    return "carries credentials, a query or a fragment, which a Key Vault secret URI has not";
  }
  const host = url.hostname.toLowerCase();
  const suffix = KEY_VAULT_DNS_SUFFIXES.find((candidate) => host.endsWith(`.${candidate}`));
  if (suffix === undefined)
    return `is not on a Key Vault host (<vault>.${KEY_VAULT_DNS_SUFFIXES.join(", ")})`;
  const vaultName = host.slice(0, host.length - suffix.length - 1);
  if (!VAULT_NAME.test(vaultName)) {
    return `names the vault "${vaultName}", which is not a Key Vault name (3 to 24 letters, digits and hyphens, starting with a letter)`;
  }
  const segments = url.pathname.replace(/\/$/, "").split("/").slice(1);
  if (segments[0]?.toLowerCase() !== "secrets" || segments.length < 2 || segments.length > 3) {
    return "is not the URI of a secret (the path must be /secrets/<name> or /secrets/<name>/<version>)";
  }
  if (!SECRET_NAME.test(segments[1]!)) {
    return `names the secret "${segments[1]}", which is not a secret name (1 to 127 letters, digits and hyphens)`;
  }
  if (segments[2] !== undefined && !SECRET_VERSION.test(segments[2])) {
    return `has the version "${segments[2]}", which is not a secret version (32 hex digits)`;
  }
  return undefined;
}

/** The parts of a valid Key Vault secret URI; throws on an invalid one (check it with {@link keyVaultSecretUriProblem}). */
export function keyVaultSecretAddress(uri: string): KeyVaultSecretAddress {
  const problem = keyVaultSecretUriProblem(uri);
  if (problem !== undefined) throw new TypeError(`${uri} ${problem}`);
  const url = new URL(uri);
  const [, secretName, version] = url.pathname.replace(/\/$/, "").split("/").slice(1);
  const vaultName = url.hostname.split(".")[0]!.toLowerCase();
  return {
    vaultUrl: url.origin,
    vaultName,
    secretName: secretName!,
    ...(version === undefined ? {} : { version }),
  };
}
