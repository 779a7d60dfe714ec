/**
 * Schemas of the two accounts of the session host configuration — the local administrator
 * (`vmAdminCredentials`) and the domain join account (`domainInfo.activeDirectoryInfo.domainCredentials`).
 *
 * Each part is given either in the stack configuration (`username`; `password` as a Pulumi
 * secret) or, as in Azure's sessionHostConfiguration, as an Azure Key Vault secret URI
 * (`usernameKeyVaultSecretUri`, `passwordKeyVaultSecretUri`) that the program reads at deployment
 * time (program/secrets). Values read from Key Vault are checked there, with the same rules.
 */
import { z } from "zod";
import { KEY_VAULT_SECRET_URI_EXAMPLE, keyVaultSecretUriProblem } from "./keyVaultUri";
import { KEY_PLACEHOLDER, missing, problem } from "./messages";
import { always, isObject, report, secret, strictObject } from "./schemaBuilders";
import { isSecretValue, type SecretValue } from "./secret";
import type { Credentials, KeyVaultSecretReference } from "./types";

/** A Key Vault secret URI, kept as the reference the program resolves. */
export function keyVaultSecretUri() {
  const fix = `use the secret's URI as Key Vault shows it, e.g. ${KEY_VAULT_SECRET_URI_EXAMPLE} (add /<version> to pin one)`;
  return z
    .string({
      error: (issue) => (issue.input === undefined ? missing(fix) : problem("must be a string (a URI)", fix)),
    })
    .superRefine((uri, ctx) => {
      const found = keyVaultSecretUriProblem(uri);
      if (found !== undefined) ctx.addIssue({ code: "custom", message: problem(found, fix) });
    })
    .transform((uri): KeyVaultSecretReference => ({ keyVaultSecretUri: uri }));
}

export interface CredentialsSchemaOptions {
  /** The username rules (a string schema with its own messages). */
  username: z.ZodType<string>;
  /** Example of a username, for "is missing" fixes. */
  usernameExample: string;
  /** Extra checks of a password given in the stack configuration (undefined: none). */
  passwordProblem?: (password: string, username: string | undefined) => string | undefined;
  /** Fix of the whole object when it is missing or not an object. */
  fix: string;
}

/**
 * `{ username | usernameKeyVaultSecretUri, password | passwordKeyVaultSecretUri }`: exactly one of
 * each pair.
 */
export function credentialsSchema(options: CredentialsSchemaOptions) {
  return strictObject(
    {
      username: options.username.optional(),
      usernameKeyVaultSecretUri: keyVaultSecretUri().optional(),
      password: secret().optional(),
      passwordKeyVaultSecretUri: keyVaultSecretUri().optional(),
    },
    options.fix,
  )
    .superRefine((value, ctx) => {
      if (!isObject(value)) return;
      const pairs = [
        {
          plain: "username",
          vault: "usernameKeyVaultSecretUri",
          whenMissing: `set username, e.g. ${options.usernameExample}, or usernameKeyVaultSecretUri (${KEY_VAULT_SECRET_URI_EXAMPLE})`,
        },
        {
          plain: "password",
          vault: "passwordKeyVaultSecretUri",
          whenMissing: `pulumi config set --secret --path ${KEY_PLACEHOLDER} '<password>', or set passwordKeyVaultSecretUri (${KEY_VAULT_SECRET_URI_EXAMPLE})`,
        },
      ] as const;
      for (const { plain, vault, whenMissing } of pairs) {
        // `in`, not `!== undefined`: a present but invalid value has its own message already.
        const hasPlain = plain in value;
        const hasVault = vault in value;
        if (!hasPlain && !hasVault) report(ctx, [plain], missing(whenMissing));
        if (hasPlain && hasVault) {
          report(
            ctx,
            [vault],
            problem(`is given together with ${plain}`, `keep one of them: ${plain} or ${vault}`),
          );
        }
      }
      const { password, username } = value as { password?: unknown; username?: unknown };
      if (options.passwordProblem !== undefined && isPlainSecret(password)) {
        const found = options.passwordProblem(
          password.reveal(),
          typeof username === "string" ? username : undefined,
        );
        if (found !== undefined) report(ctx, ["password"], found);
      }
    }, always)
    .transform((value): Credentials => ({
      username: value.username ?? value.usernameKeyVaultSecretUri!,
      password: value.password ?? value.passwordKeyVaultSecretUri!,
    }));
}

/** A password given in the stack configuration (not one read from Key Vault). */
function isPlainSecret(value: unknown): value is SecretValue {
  return isSecretValue(value) && value.source === undefined;
}
