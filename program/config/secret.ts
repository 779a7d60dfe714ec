/**
 * A secret configuration value (a password). It prints as `[secret]` everywhere — string
 * conversion, JSON, `util.inspect` / `console.log`, template literals — so it cannot leak into
 * logs, events, error messages or serialized models by accident. The plain value is only
 * reachable through {@link SecretValue.reveal}, which the program calls at the one place it
 * hands the value to `pulumi.secret(...)`.
 */
import { inspect } from "node:util";
import type { KeyVaultSecretReference } from "./types";

const REDACTED = "[secret]";

export class SecretValue {
  // A private class field, not a property: invisible to JSON.stringify, Object.keys, spread,
  // structuredClone-free copies and util.inspect.
  readonly #value: string;
  readonly #source: KeyVaultSecretReference | undefined;

  constructor(value: string, source?: KeyVaultSecretReference) {
    this.#value = value;
    this.#source = source === undefined ? undefined : Object.freeze({ ...source });
    Object.freeze(this);
  }

  /**
   * Where the value was read from when it came from Azure Key Vault. The configuration revision
   * identifies such a secret by this reference, so the program (which reads Key Vault) and the
   * driver (which does not) compute the same revision.
   */
  get source(): KeyVaultSecretReference | undefined {
    return this.#source;
  }

  /** The plain secret. Call it only to pass the value on as a secret (e.g. `pulumi.secret(s.reveal())`). */
  reveal(): string {
    return this.#value;
  }

  /** Equality of two secrets, without revealing either. */
  equals(other: SecretValue): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  [Symbol.toPrimitive](): string {
    return REDACTED;
  }
}

export function isSecretValue(value: unknown): value is SecretValue {
  return value instanceof SecretValue;
}

export const redactedText = REDACTED;
