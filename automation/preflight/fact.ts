/**
 * A fact read from Azure, or why it could not be read. A check that lacks a fact becomes a
 * warning ("could not check ...") instead of failing the rollout on a hiccup of the read.
 */
import { redactSecrets } from "../pulumi/redact";

export type Fact<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs a read and captures its failure as a message (secrets redacted). */
export async function readFact<T>(read: () => Promise<T>): Promise<Fact<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error: redactSecrets(error instanceof Error ? error.message : String(error)) };
  }
}

/** The summary of a check whose fact could not be read. */
export function couldNotCheck(what: string, error: string): string {
  return `could not check ${what}: ${error}`;
}
