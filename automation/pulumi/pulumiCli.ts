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
