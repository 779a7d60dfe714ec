/**
 * The one place a credential's plain value is handed to Pulumi, always as a Pulumi secret (a
 * username too, when it came from Key Vault: what is kept in a vault stays secret in state).
 */
import * as pulumi from "@pulumi/pulumi";
import type { Credentials } from "../config/types";
import { isKeyVaultReference } from "./resolveKeyVaultSecrets";

export interface CredentialInputs {
  /** Plain text when configured in plain text, a secret when read from Key Vault. */
  username: pulumi.Input<string>;
  password: pulumi.Output<string>;
}

/** Resource inputs of an account; its Key Vault references must have been resolved (resolveKeyVaultSecrets). */
export function credentialInputs(credentials: Credentials, keyPath: string): CredentialInputs {
  const { username, password } = credentials;
  if (isKeyVaultReference(username) || isKeyVaultReference(password)) {
    throw new Error(
      `internal: ${keyPath} still refers to Key Vault; resolve the configuration with resolveKeyVaultSecrets before declaring resources`,
    );
  }
  return {
    username: typeof username === "string" ? username : pulumi.secret(username.reveal()),
    password: pulumi.secret(password.reveal()),
  };
}
