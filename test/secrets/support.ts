/**
 * A Key Vault reader pointed at the local emulator: the real `@azure/keyvault-secrets` client and
 * its challenge-based authentication, with a static token credential (no identity service is
 * reachable here) that records the scopes it was asked for.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { keyVaultSecretReader, type SecretReader } from "../../program/secrets";
import { KEY_VAULT_TOKEN, type KeyVaultEmulator } from "./keyVaultEmulator";

export interface RecordingCredential extends TokenCredential {
  readonly scopes: string[][];
  readonly tenants: (string | undefined)[];
}

export function recordingCredential(token: string = KEY_VAULT_TOKEN): RecordingCredential {
  const scopes: string[][] = [];
  const tenants: (string | undefined)[] = [];
  return {
    scopes,
    tenants,
    getToken: async (scope: string | string[], options?: GetTokenOptions): Promise<AccessToken> => {
      scopes.push(Array.isArray(scope) ? scope : [scope]);
      tenants.push(options?.tenantId);
      return { token, expiresOnTimestamp: Date.now() + 3600_000 };
    },
  };
}

export function emulatorReader(emulator: KeyVaultEmulator, credential: TokenCredential): SecretReader {
  return keyVaultSecretReader({
    credential,
    clientOptions: { agent: emulator.agent, retryOptions: { maxRetries: 0 } },
  });
}
