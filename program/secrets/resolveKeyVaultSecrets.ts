/**
 * Replaces every Key Vault reference of a parsed configuration with the value read from Key Vault,
 * before the program declares any resource: a secret that cannot be read, or a value that breaks
 * Azure's rules (a weak admin password, a reserved admin name), stops the deployment with nothing
 * touched, one line per problem.
 *
 * The values become {@link SecretValue}s that remember their reference, so the configuration
 * revision of the resolved configuration is the one the driver computes without reading Key Vault.
 */
import { InputError } from "../../automation/core/errors";
import { configKeys } from "../config/keys";
import { keyVaultSecretAddress } from "../config/keyVaultUri";
import { deepFreeze } from "../config/parseStackConfig";
import { isSecretValue, type SecretValue } from "../config/secret";
import type { Credentials, KeyVaultSecretReference, StackConfig } from "../config/types";
import {
  adminPasswordProblem,
  adminUsernameProblem,
  DOMAIN_ACCOUNT_FIX,
  DOMAIN_ACCOUNT_WHAT,
  isDomainAccountName,
} from "../config/windowsRules";
import { KeyVaultSecretError, type SecretReader } from "./keyVaultReader";

export function isKeyVaultReference(value: unknown): value is KeyVaultSecretReference {
  return (
    typeof value === "object" &&
    value !== null &&
    !isSecretValue(value) &&
    typeof (value as { keyVaultSecretUri?: unknown }).keyVaultSecretUri === "string"
  );
}

type Part = "username" | "password";

interface Account {
  /** `avd-rollout:sessionHostConfiguration.vmAdminCredentials` */
  readonly keyPath: string;
  readonly credentials: Credentials;
  readonly kind: "localAdmin" | "domainJoin";
}

function accountsOf(config: StackConfig): Account[] {
  const shc = config.sessionHostConfiguration;
  const base = configKeys.sessionHostConfiguration;
  const accounts: Account[] = [
    { keyPath: `${base}.vmAdminCredentials`, credentials: shc.vmAdminCredentials, kind: "localAdmin" },
  ];
  if (shc.domainInfo.joinType === "ActiveDirectory") {
    accounts.push({
      keyPath: `${base}.domainInfo.activeDirectoryInfo.domainCredentials`,
      credentials: shc.domainInfo.activeDirectoryInfo.domainCredentials,
      kind: "domainJoin",
    });
  }
  return accounts;
}

/** Whether the configuration names any Key Vault secret. */
export function hasKeyVaultReferences(config: StackConfig): boolean {
  return accountsOf(config).some(
    ({ credentials }) =>
      isKeyVaultReference(credentials.username) || isKeyVaultReference(credentials.password),
  );
}

const uriKey = (part: Part): string => `${part}KeyVaultSecretUri`;

/** The rule a value read from Key Vault breaks (`<problem>`), checked as the schema checks plain values. */
function valueProblem(
  account: Account,
  part: Part,
  value: string,
  username: string | undefined,
): string | undefined {
  let found: string | undefined;
  if (account.kind === "localAdmin") {
    found = part === "username" ? adminUsernameProblem(value) : adminPasswordProblem(value, username);
  } else if (part === "username" && !isDomainAccountName(value)) {
    found = `is not ${DOMAIN_ACCOUNT_WHAT}. Fix: ${DOMAIN_ACCOUNT_FIX}`;
  }
  // The rules' fixes speak of `pulumi config set`; for Key Vault the problem is what counts.
  return found?.split(". Fix: ")[0];
}

/**
 * The configuration with every Key Vault reference replaced by its value (a {@link SecretValue});
 * the same object when there is none, without loading any SDK.
 */
export async function resolveKeyVaultSecrets(
  config: StackConfig,
  reader: SecretReader,
): Promise<StackConfig> {
  if (!hasKeyVaultReferences(config)) return config;
  const accounts = accountsOf(config);
  // One read per URI, even when the admin and the join account share a secret.
  const reads = new Map<string, Promise<SecretValue>>();
  const readOnce = (reference: KeyVaultSecretReference, keyPath: string): Promise<SecretValue> => {
    let read = reads.get(reference.keyVaultSecretUri);
    if (read === undefined) {
      read = reader.read({ reference, keyPath });
      reads.set(reference.keyVaultSecretUri, read);
    }
    return read;
  };

  const problems: string[] = [];
  let unreadable = false;
  const resolved = new Map<Account, { username: string | SecretValue; password: SecretValue }>();
  await Promise.all(
    accounts.map(async (account) => {
      const parts = await Promise.all(
        (["username", "password"] as const).map(async (part) => {
          const value = account.credentials[part];
          if (!isKeyVaultReference(value)) return value;
          try {
            return await readOnce(value, `${account.keyPath}.${uriKey(part)}`);
          } catch (error) {
            unreadable = true;
            problems.push(error instanceof Error ? error.message : String(error));
            return undefined;
          }
        }),
      );
      const [username, password] = parts as [string | SecretValue | undefined, SecretValue | undefined];
      if (username === undefined || password === undefined) return;
      const usernameText = typeof username === "string" ? username : username.reveal();
      for (const [part, secret] of [
        ["username", username],
        ["password", password],
      ] as const) {
        if (!isSecretValue(secret) || secret.source === undefined) continue;
        const found = valueProblem(account, part, secret.reveal(), usernameText);
        if (found === undefined) continue;
        const address = keyVaultSecretAddress(secret.source.keyVaultSecretUri);
        problems.push(
          `${account.keyPath}.${uriKey(part)}: the ${part} in secret "${address.secretName}" of Key Vault "${address.vaultName}" ${found}. ` +
            `Fix: store a valid ${part} (az keyvault secret set --vault-name ${address.vaultName} --name ${address.secretName} --value '<${part}>')`,
        );
      }
      resolved.set(account, { username, password });
    }),
  );
  if (problems.length > 0) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const text = `Key Vault credentials (${count}; nothing was changed):\n${problems.map((line) => `  - ${line}`).join("\n")}`;
    // A secret that could not be read is an environment problem (permission, network), a value
    // that breaks Azure's rules is invalid configuration.
    throw unreadable ? new KeyVaultSecretError(text) : new InputError(text);
  }

  const shc = config.sessionHostConfiguration;
  const admin = resolved.get(accounts[0]!)!;
  const domainInfo =
    shc.domainInfo.joinType === "ActiveDirectory"
      ? {
          ...shc.domainInfo,
          activeDirectoryInfo: {
            ...shc.domainInfo.activeDirectoryInfo,
            domainCredentials: resolved.get(accounts[1]!)!,
          },
        }
      : shc.domainInfo;
  return deepFreeze({
    ...config,
    sessionHostConfiguration: { ...shc, vmAdminCredentials: admin, domainInfo },
  });
}
