/**
 * Finding the `pulumi` CLI before the Automation API needs it. The Automation API drives the
 * CLI (a Go binary that npm does not ship); without it every call fails with a bare ENOENT,
 * so the adapter looks first and, when it is missing, says what to install and where it looks.
 */
import { accessSync, constants } from "node:fs";
import { homedir } from "node:os";
import { delimiter, join } from "node:path";

export class PulumiCliMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PulumiCliMissingError";
  }
}

export interface CliSearch {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  home: string;
  /** Whether an executable file exists at this path. */
  isExecutable: (path: string) => boolean;
}

function executableAt(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function defaultCliSearch(): CliSearch {
  return { env: process.env, platform: process.platform, home: homedir(), isExecutable: executableAt };
}

/** Directories searched, in order: `$PULUMI_HOME/bin`, each `PATH` entry, then `~/.pulumi/bin`. */
export function cliSearchDirectories(search: CliSearch): string[] {
  const dirs: string[] = [];
  if (search.env.PULUMI_HOME) dirs.push(join(search.env.PULUMI_HOME, "bin"));
  dirs.push(...pathDirectories(search));
  dirs.push(join(search.home, ".pulumi", "bin"));
  return [...new Set(dirs)];
}

/** The entries of `PATH`, in order. */
export function pathDirectories(search: CliSearch): string[] {
  const pathVariable = search.env.PATH ?? search.env.Path ?? "";
  return pathVariable
    .split(search.platform === "win32" ? ";" : delimiter)
    .filter((entry) => entry.trim() !== "");
}

/** The directory holding the `pulumi` executable, or null when there is none. */
export function locatePulumiCli(search: CliSearch = defaultCliSearch()): string | null {
  const names = search.platform === "win32" ? ["pulumi.exe", "pulumi.cmd", "pulumi"] : ["pulumi"];
  for (const dir of cliSearchDirectories(search)) {
    for (const name of names) {
      if (search.isExecutable(join(dir, name))) return dir;
    }
  }
  return null;
}

export function pulumiCliMissingMessage(search: CliSearch = defaultCliSearch()): string {
  const home = search.env.PULUMI_HOME ? `PULUMI_HOME=${search.env.PULUMI_HOME}` : "PULUMI_HOME is not set";
  return [
    "The Pulumi CLI is required: avd-rollout drives stacks through Pulumi's Automation API, which runs the `pulumi` command, and no `pulumi` executable was found.",
    "Install it (https://www.pulumi.com/docs/install/):",
    "  Linux/macOS:  curl -fsSL https://get.pulumi.com | sh",
    "  macOS:        brew install pulumi/tap/pulumi",
    "  Windows:      winget install pulumi   (or: choco install pulumi)",
    "Then make it findable: put its directory on PATH (the installer uses ~/.pulumi/bin), or set PULUMI_HOME so that $PULUMI_HOME/bin/pulumi exists.",
    `Searched: ${cliSearchDirectories(search).join(", ")} (${home}).`,
  ].join("\n");
}

/** The CLI directory, or a {@link PulumiCliMissingError} saying how to install it. */
export function requirePulumiCli(search: CliSearch = defaultCliSearch()): string {
  const dir = locatePulumiCli(search);
  if (dir === null) throw new PulumiCliMissingError(pulumiCliMissingMessage(search));
  return dir;
}

/**
 * The oldest Pulumi CLI avd-rollout runs with. `avd-rollout drift` runs `refresh --preview-only`
 * with the inline program, which the Automation API allows from 3.181.0 on
 * (@pulumi/pulumi/automation/stack.js, Stack.checkInlineSupport). The engine rules the program
 * relies on (docs/program.md, "Engine rules") were read at v3.248.0 and hold from 3.181.0 on.
 */
export const MINIMUM_PULUMI_CLI_VERSION = "3.181.0";

/** Set by users who run a CLI the Automation API cannot parse the version of; we honour it too. */
export const SKIP_VERSION_CHECK_VARIABLE = "PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK";

export class PulumiCliVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PulumiCliVersionError";
  }
}

/** The comparable form of the version a `PulumiCommand` reports (a semver `SemVer`). */
export interface ReportedCliVersion {
  compare(other: string): number;
  toString(): string;
}

/**
 * The refusal for a CLI older than {@link MINIMUM_PULUMI_CLI_VERSION} (or of unknown version),
 * or null when it is recent enough or the check is switched off.
 */
export function pulumiCliVersionProblem(
  version: ReportedCliVersion | null,
  cliDir: string,
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  if (env[SKIP_VERSION_CHECK_VARIABLE]) return null;
  if (version !== null && version.compare(MINIMUM_PULUMI_CLI_VERSION) >= 0) return null;
  const found = version === null ? "a version that could not be read" : `version ${version.toString()}`;
  return [
    `avd-rollout needs the Pulumi CLI ${MINIMUM_PULUMI_CLI_VERSION} or newer; the one in ${cliDir} is ${found}.`,
    "Update it (https://www.pulumi.com/docs/install/): `curl -fsSL https://get.pulumi.com | sh`, `brew upgrade pulumi`, or `winget upgrade pulumi`.",
  ].join("\n");
}
