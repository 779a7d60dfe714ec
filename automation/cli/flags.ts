/**
 * Validation of the CLI's flags (spec section 7). Numbers arrive as strings so that `abc`,
 * `1.5` or an empty value are refused with a message that names the flag, the value and the fix
 * (InputError → exit code 2), before anything is read or changed.
 */
import { statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { InputError } from "../core/errors";

/** The spec's limits (section 3), shared with the stack configuration. */
export const LIMITS = {
  logOffDelayMinutes: { min: 0, max: 1440 },
  logOffMessageLength: 260,
} as const;

type FlagValue = string | number | boolean | (string | number)[] | undefined;

function single(flag: string, value: FlagValue): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) {
    throw new InputError(
      `--${flag} was given ${value.length} times (${value.map(String).join(", ")}); give it once`,
    );
  }
  if (typeof value === "boolean") {
    throw new InputError(`--${flag} needs a value; write --${flag} <value>`);
  }
  return String(value);
}

const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*(\/[A-Za-z0-9][A-Za-z0-9_.-]*){0,2}$/;

/** `--stack`: a Pulumi stack name (`prod`, `org/prod` or `org/project/prod`). */
export function parseStack(value: FlagValue): string {
  const text = single("stack", value);
  if (text === undefined || text.trim() === "") {
    throw new InputError(
      `--stack is required: name the Pulumi stack of the host pool, e.g. --stack prod (see \`pulumi stack ls\`)`,
    );
  }
  if (!STACK_NAME.test(text) || text.length > 100) {
    throw new InputError(
      `--stack "${text}": not a valid Pulumi stack name; use letters, digits, "-", "_" and ".", optionally qualified as org/stack or org/project/stack`,
    );
  }
  return text;
}

function parseInteger(flag: string, text: string, min: number, max: number, hint: string): number {
  const trimmed = text.trim();
  if (!/^[+-]?\d+$/.test(trimmed)) {
    throw new InputError(`--${flag} "${text}": not a whole number; ${hint}`);
  }
  const parsed = Number(trimmed);
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    throw new InputError(`--${flag} ${trimmed}: out of range; ${hint}`);
  }
  return parsed;
}

/** `--batch-size N`: the most hosts unavailable at once (`maxVmsRemoved`), at least 1. */
export function parseBatchSize(value: FlagValue): number | undefined {
  const text = single("batch-size", value);
  if (text === undefined) return undefined;
  return parseInteger(
    "batch-size",
    text,
    1,
    Number.MAX_SAFE_INTEGER,
    "give a whole number of hosts of at least 1 (larger than the pool is fine), e.g. --batch-size 3",
  );
}

/** `--log-off-delay MIN`: minutes between the notice and the forced sign-out, 0 to 1440. */
export function parseLogOffDelay(value: FlagValue): number | undefined {
  const text = single("log-off-delay", value);
  if (text === undefined) return undefined;
  const { min, max } = LIMITS.logOffDelayMinutes;
  return parseInteger(
    "log-off-delay",
    text,
    min,
    max,
    `give whole minutes from ${min} to ${max}, e.g. --log-off-delay 30`,
  );
}

/** `--message TEXT`: what users are told, 1 to 260 characters as in Azure. */
export function parseMessage(value: FlagValue): string | undefined {
  const text = single("message", value);
  if (text === undefined) return undefined;
  if (text.trim() === "")
    throw new InputError(
      `--message "${text}": empty; give the text users see, e.g. --message "Save your work and sign out"`,
    );
  if (text.length > LIMITS.logOffMessageLength) {
    throw new InputError(
      `--message is ${text.length} characters long; Azure shows at most ${LIMITS.logOffMessageLength}: shorten it by ${text.length - LIMITS.logOffMessageLength}`,
    );
  }
  return text;
}

/** `--events FILE`: a file the event log is appended to; its folder must exist. */
export function parseEventsFile(value: FlagValue): string | undefined {
  const text = single("events", value);
  if (text === undefined) return undefined;
  if (text.trim() === "")
    throw new InputError(`--events "": empty; give a file path, e.g. --events rollout.jsonl`);
  const path = resolve(text);
  const folder = dirname(path);
  let folderIsDirectory = false;
  try {
    folderIsDirectory = statSync(folder).isDirectory();
  } catch {
    folderIsDirectory = false;
  }
  if (!folderIsDirectory)
    throw new InputError(
      `--events "${text}": folder ${folder} does not exist; create it or choose another path`,
    );
  try {
    if (statSync(path).isDirectory())
      throw new InputError(
        `--events "${text}" is a folder; give a file path inside it, e.g. ${text}/rollout.jsonl`,
      );
  } catch (error) {
    if (error instanceof InputError) throw error;
    // The file does not exist yet: it will be created.
  }
  return path;
}

/** An optional string flag given at most once. */
export function parseOptionalText(flag: string, value: FlagValue): string | undefined {
  return single(flag, value);
}

/** A boolean flag must not be given a value such as `--yes=maybe`. */
export function parseSwitch(flag: string, value: FlagValue): boolean {
  if (value === undefined || value === false) return false;
  if (value === true) return true;
  throw new InputError(
    `--${flag} takes no value (got "${Array.isArray(value) ? value.join(", ") : String(value)}"); write just --${flag}`,
  );
}
