/**
 * Where the CLI finds its own files and the Pulumi project, whether it runs from the TypeScript
 * sources (`bin/avd-rollout.js`, `npm start`, `npx avd-rollout`) or from the build output
 * (`node dist/automation/cli/main.js`): by walking up to the nearest `package.json` named
 * avd-rollout, never by a fixed number of `..`, which differs between the two. Light on purpose:
 * `--help`, `--version` and `validate` load nothing else.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse } from "yaml";

const PACKAGE_NAME = "avd-rollout";

function packageJsonAt(dir: string): { name?: string; version?: string } | undefined {
  const file = join(dir, "package.json");
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

/** The directory of avd-rollout's package.json, found from `from` (default: this file's directory). */
export function packageRoot(from: string = __dirname): string {
  let dir = resolve(from);
  for (;;) {
    if (packageJsonAt(dir)?.name === PACKAGE_NAME) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`internal: no package.json named ${PACKAGE_NAME} above ${from}`);
    dir = parent;
  }
}

/** The package's version, for `--version`. */
export function packageVersion(): string {
  return packageJsonAt(packageRoot())?.version ?? "unknown";
}

/** The scenario `npm start` and a bare `rehearse` run. */
export function demoScenarioPath(): string {
  return join(packageRoot(), "scenarios", "demo.json");
}

function isAvdRolloutProject(dir: string): boolean {
  const file = join(dir, "Pulumi.yaml");
  return existsSync(file) && /^name:\s*avd-rollout\s*$/m.test(readFileSync(file, "utf8"));
}

/** The directory of the avd-rollout Pulumi project: the nearest Pulumi.yaml up from `start` naming it, else this package's root. */
export function projectDirectory(start: string = process.cwd()): string {
  let dir = resolve(start);
  for (;;) {
    if (isAvdRolloutProject(dir)) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return packageRoot();
}

/** Where the project keeps `Pulumi.<stack>.yaml`: Pulumi.yaml's `stackConfigDir`, else the project directory. */
export function stackConfigDirectory(project: string = projectDirectory()): string {
  const file = join(project, "Pulumi.yaml");
  if (!existsSync(file)) return project;
  const settings = parse(readFileSync(file, "utf8")) as { stackConfigDir?: unknown } | null;
  return typeof settings?.stackConfigDir === "string" ? join(project, settings.stackConfigDir) : project;
}

/** The stack file of `stack` (`org/project/prod` → `Pulumi.prod.yaml`, as Pulumi names it). */
export function stackFilePath(stack: string, project: string = projectDirectory()): string {
  const name = stack.split("/").pop()!;
  return join(stackConfigDirectory(project), `Pulumi.${name}.yaml`);
}
