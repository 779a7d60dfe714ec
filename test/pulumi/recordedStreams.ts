/**
 * The engine's own recorded event streams (test/pulumi/engineStreams/README.md), with the
 * recorded resources renamed to session host resources.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EngineEvent } from "@pulumi/pulumi/automation";

export const ENGINE_STREAMS_DIR = join(__dirname, "engineStreams");

/** Renames `::<from>` at the end of URNs (in URNs and in messages quoting them). */
export function renamed(text: string, rename: Readonly<Record<string, string>>): string {
  let out = text;
  for (const [from, to] of Object.entries(rename)) {
    out = out.replace(new RegExp(`::${from}(?=[\\\\"'])`, "g"), `::${to}`);
  }
  return out;
}

/** The lines of a recorded stream, renamed. */
export function recordedStreamText(name: string, rename: Readonly<Record<string, string>> = {}): string {
  return renamed(readFileSync(join(ENGINE_STREAMS_DIR, `${name}.jsonl`), "utf8"), rename);
}

export function recordedStream(name: string, rename: Readonly<Record<string, string>> = {}): EngineEvent[] {
  return recordedStreamText(name, rename)
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EngineEvent);
}
