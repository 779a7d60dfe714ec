/**
 * The avd-rollout project's stacks on disk, for `status --all` — one per `Pulumi.<stack>.yaml` in
 * the stack configuration folder (`stackConfigDir` of Pulumi.yaml, `stacks/` here), the files a
 * pipeline's matrix runs over, read without the Pulumi CLI or a backend.
 */
import { existsSync, readdirSync } from "node:fs";
import { stackConfigDirectory } from "./packageFiles";

const STACK_FILE = /^Pulumi\.(.+)\.ya?ml$/;

/** Stack names from the stack files of the project, sorted. */
export function stackNamesOf(projectDir: string): string[] {
  const dir = stackConfigDirectory(projectDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => STACK_FILE.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
}
