/**
 * Credentials kept in Azure Key Vault (Azure's `usernameKeyVaultSecretUri` /
 * `passwordKeyVaultSecretUri`): read at deployment time, before any resource is declared, and
 * handed to Pulumi only as secrets. See docs/configuration.md#key-vault-credentials.
 */
export { credentialInputs, type CredentialInputs } from "./credentialInputs";
export {
  defaultSecretReader,
  explainReadFailure,
  KeyVaultSecretError,
  keyVaultSecretReader,
  type KeyVaultReaderOptions,
  type SecretReader,
  type SecretReadRequest,
} from "./keyVaultReader";
export { hasKeyVaultReferences, isKeyVaultReference, resolveKeyVaultSecrets } from "./resolveKeyVaultSecrets";
