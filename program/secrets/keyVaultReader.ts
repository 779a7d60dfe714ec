/**
 * Reads credentials from Azure Key Vault at deployment time, as Azure's sessionHostConfiguration
 * does with `usernameKeyVaultSecretUri` / `passwordKeyVaultSecretUri`: `@azure/keyvault-secrets`
 * with the same credential chain as the rest of avd-rollout (`DefaultAzureCredential`: environment
 * service principal, workload identity, managed identity, Azure CLI).
 *
 * A value is wrapped in a {@link SecretValue} the moment it arrives and is never logged. When a
 * secret cannot be read, the error names the key, the vault, the secret and what is missing (the
 * permission, the secret, network access or a credential) and how to fix it — never a value.
 */
import type { TokenCredential } from "@azure/core-auth";
import type * as Identity from "@azure/identity";
import type * as KeyVaultSecrets from "@azure/keyvault-secrets";
import type { SecretClient, SecretClientOptions } from "@azure/keyvault-secrets";
import { keyVaultSecretAddress, type KeyVaultSecretAddress } from "../config/keyVaultUri";
import { SecretValue } from "../config/secret";
import type { KeyVaultSecretReference } from "../config/types";

export interface SecretReadRequest {
  readonly reference: KeyVaultSecretReference;
  /** The configuration key that names the secret, for messages. */
  readonly keyPath: string;
}

/** Reads one Key Vault secret; rejects with a {@link KeyVaultSecretError}. */
export interface SecretReader {
  read(request: SecretReadRequest): Promise<SecretValue>;
}

/** A Key Vault secret that could not be read. The message never contains a secret value. */
export class KeyVaultSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "KeyVaultSecretError";
  }
}

export interface KeyVaultReaderOptions {
  /** Default: `DefaultAzureCredential` for the vault's cloud. */
  credential?: TokenCredential;
  /** Options of every SecretClient (tests: TLS trust and transport). */
  clientOptions?: SecretClientOptions;
}

/** Entra authority of the cloud a vault lives in (its DNS suffix says which). */
function authorityHostOf(vaultUrl: string): string {
  const host = new URL(vaultUrl).hostname;
  if (host.endsWith(".vault.azure.cn")) return "https://login.chinacloudapi.cn";
  if (host.endsWith(".vault.usgovcloudapi.net")) return "https://login.microsoftonline.us";
  return "https://login.microsoftonline.com";
}

interface ServiceError {
  statusCode?: number;
  code?: string;
  message?: string;
  name?: string;
}

function asServiceError(error: unknown): ServiceError {
  return typeof error === "object" && error !== null ? (error as ServiceError) : { message: String(error) };
}

/** The first line of a service message, shortened: enough to name the caller, never a body dump. */
function serviceText(error: ServiceError): string {
  const line = (error.message ?? "").split("\n")[0]!.trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

function describeSecret(address: KeyVaultSecretAddress): string {
  const version = address.version === undefined ? "" : ` (version ${address.version})`;
  return `secret "${address.secretName}"${version} in Key Vault "${address.vaultName}"`;
}

/** What went wrong and how to fix it, from the SDK's error. */
export function explainReadFailure(
  error: unknown,
  address: KeyVaultSecretAddress,
): { what: string; fix: string } {
  const failure = asServiceError(error);
  const said = serviceText(failure);
  const vault = address.vaultName;
  const status = failure.statusCode;
  if (
    failure.name === "CredentialUnavailableError" ||
    failure.name === "AuthenticationError" ||
    failure.name === "AggregateAuthenticationError"
  ) {
    return {
      what: `no Azure credential could get a token for Key Vault (${said})`,
      fix:
        "sign in with az login, or run where a managed identity or workload identity is configured " +
        "(AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE or a client secret)",
    };
  }
  if (status === 403 && (failure.code === "ForbiddenByFirewall" || /client address/i.test(said))) {
    return {
      what: `the vault's firewall refuses this machine (403 ${failure.code ?? "Forbidden"}: ${said})`,
      fix: `allow this machine's network on vault ${vault} (az keyvault network-rule add --name ${vault} ...), or run the deployment from a network the vault trusts`,
    };
  }
  if (status === 403 && /disabled/i.test(said)) {
    return {
      what: `the secret is disabled (403: ${said})`,
      fix: `enable it (az keyvault secret set-attributes --vault-name ${vault} --name ${address.secretName} --enabled true), or point the URI at an enabled version`,
    };
  }
  if (status === 403) {
    return {
      what: `the identity running the deployment lacks the permission to get secrets (403 ${failure.code ?? "Forbidden"}: ${said})`,
      fix:
        `grant that identity the "Key Vault Secrets User" role on vault ${vault} ` +
        `(az role assignment create --role "Key Vault Secrets User" --assignee <identity> --scope <vault resource id>), ` +
        `or, for a vault with access policies, the secret permission get (az keyvault set-policy --name ${vault} --secret-permissions get --object-id <identity>)`,
    };
  }
  if (status === 404) {
    return {
      what: `it does not exist (404 ${failure.code ?? "NotFound"})`,
      fix: `create it (az keyvault secret set --vault-name ${vault} --name ${address.secretName} --value '<value>'), or correct the URI`,
    };
  }
  if (status === 401) {
    return {
      what: `Key Vault refused the credential's token (401 ${failure.code ?? "Unauthorized"}: ${said})`,
      fix: `sign in to the tenant vault ${vault} belongs to (az login --tenant <tenant>), or use an identity of that tenant`,
    };
  }
  if (status === undefined) {
    return {
      what: `the vault could not be reached (${[failure.code, said].filter((part) => part).join(": ")})`,
      fix: `check the vault name and that this machine reaches ${address.vaultUrl} (DNS, private endpoint, proxy)`,
    };
  }
  return {
    what: `Key Vault answered ${status}${failure.code === undefined ? "" : ` ${failure.code}`}: ${said}`,
    fix: "retry; if it persists, check the vault in the Azure portal",
  };
}

/** A reader over `@azure/keyvault-secrets`, one client per vault. */
export function keyVaultSecretReader(options: KeyVaultReaderOptions = {}): SecretReader {
  const clients = new Map<string, SecretClient>();
  const credentials = new Map<string, TokenCredential>();

  function credentialFor(vaultUrl: string): TokenCredential {
    if (options.credential !== undefined) return options.credential;
    const authorityHost = authorityHostOf(vaultUrl);
    let credential = credentials.get(authorityHost);
    if (credential === undefined) {
      // Loaded on first use (a require, as in automation/cli/runtime.ts): a stack without Key Vault
      // references never loads the SDKs.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { DefaultAzureCredential } = require("@azure/identity") as typeof Identity;
      credential = new DefaultAzureCredential({ authorityHost });
      credentials.set(authorityHost, credential);
    }
    return credential;
  }

  function clientFor(vaultUrl: string): SecretClient {
    let client = clients.get(vaultUrl);
    if (client === undefined) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { SecretClient: Client } = require("@azure/keyvault-secrets") as typeof KeyVaultSecrets;
      client = new Client(vaultUrl, credentialFor(vaultUrl), options.clientOptions);
      clients.set(vaultUrl, client);
    }
    return client;
  }

  return {
    async read({ reference, keyPath }) {
      const address = keyVaultSecretAddress(reference.keyVaultSecretUri);
      const fail = (what: string, fix: string): KeyVaultSecretError =>
        new KeyVaultSecretError(
          `${keyPath}: cannot read the ${describeSecret(address)} (${reference.keyVaultSecretUri}): ${what}. Fix: ${fix}`,
        );
      let value: string | undefined;
      try {
        const secret = await clientFor(address.vaultUrl).getSecret(
          address.secretName,
          address.version === undefined ? {} : { version: address.version },
        );
        value = secret.value;
      } catch (error) {
        const { what, fix } = explainReadFailure(error, address);
        throw fail(what, fix);
      }
      if (value === undefined || value === "") {
        throw fail(
          "it is empty",
          `store the value (az keyvault secret set --vault-name ${address.vaultName} --name ${address.secretName} --value '<value>')`,
        );
      }
      return new SecretValue(value, reference);
    },
  };
}

let sharedReader: SecretReader | undefined;

/** The reader the program uses: DefaultAzureCredential, created on first use. */
export function defaultSecretReader(): SecretReader {
  sharedReader ??= keyVaultSecretReader();
  return sharedReader;
}
