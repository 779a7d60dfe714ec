/**
 * `avd-rollout validate --stack S | --file FILE [--json]`: checks a stack file offline — YAML,
 * keys, values, secrets present — with the program's own messages (program/config/stackFile.ts).
 * No Pulumi CLI, no Azure, no network: a pull request that changes a stack file can run it with
 * nothing but `npm ci`. Exit 0 valid, 2 invalid (or no such file).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, relative } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { InputError } from "../../core/errors";
import { checkStackFile, type StackFileCheck } from "../../../program/config/stackFile";
import { JSON_OPTION, runCommand, type BaseArgs, type CommandResult } from "../command";
import { EXIT } from "../exitCodes";
import { parseOptionalText, parseStack } from "../flags";
import { stackFilePath } from "../packageFiles";

interface ValidateArgs extends BaseArgs {
  stack?: string;
  file?: string;
}

export interface ValidateDocument extends StackFileCheck {
  file: string;
  stack: string | null;
}

/** The stacks that do have a file next to `file`, for "did you mean". */
function stacksBeside(file: string): string[] {
  try {
    return readdirSync(dirname(file))
      .map((name) => /^Pulumi\.(.+)\.yaml$/.exec(name)?.[1])
      .filter((name): name is string => name !== undefined);
  } catch {
    return [];
  }
}

function readStackFile(path: string, flag: string): string {
  if (!existsSync(path)) {
    const stacks = stacksBeside(path);
    throw new InputError(
      `${flag}: ${path} does not exist. Fix: ${flag.startsWith("--stack") ? `name a stack with a file in ${dirname(path)}${stacks.length > 0 ? ` (${stacks.join(", ")})` : ""}, or create it (pulumi stack init, then copy stacks/Pulumi.example.yaml)` : "give the path of a Pulumi.<stack>.yaml file"}`,
    );
  }
  if (statSync(path).isDirectory()) {
    throw new InputError(
      `${flag}: ${path} is a folder. Fix: give the path of a Pulumi.<stack>.yaml file in it`,
    );
  }
  return readFileSync(path, "utf8");
}

function displayPath(path: string): string {
  const shown = relative(process.cwd(), path);
  return shown === "" || shown.startsWith("..") ? path : shown;
}

export function validateText(document: ValidateDocument): string {
  const lines: string[] = [];
  const hosts =
    document.hosts === undefined
      ? ""
      : `; ${document.hosts.count} session host(s) ${document.hosts.vmNamePrefix}-0 .. ${document.hosts.vmNamePrefix}-${document.hosts.count - 1}`;
  const label = document.friendlyName === undefined ? "" : ` "${document.friendlyName}"`;
  lines.push(`${document.file}: valid stack configuration${label}${hosts}.`);
  for (const secret of document.secrets) {
    lines.push(
      `  secret ${secret.key}: ${secret.source === "key-vault" ? `Key Vault ${secret.uri} (read at deployment)` : "Pulumi secret (encrypted in the file)"}`,
    );
  }
  for (const note of document.notes) lines.push(`  note: ${note}`);
  return lines.join("\n");
}

export function problemsText(document: ValidateDocument): string {
  const count = document.problems.length === 1 ? "1 problem" : `${document.problems.length} problems`;
  return [
    `${document.file}: invalid stack configuration (${count}):`,
    ...document.problems.map((problem) => {
      // YAML syntax errors already start with file:line:column.
      const placed = problem.line === undefined || problem.message.startsWith(`${document.file}:`);
      return `  - ${problem.message}${placed ? "" : ` (${document.file}:${problem.line})`}`;
    }),
    ...document.notes.map((note) => `  note: ${note}`),
  ].join("\n");
}

export const validateCommand: CommandModule<object, ValidateArgs> = {
  command: "validate",
  describe: "Check a stack file offline (YAML, keys, values, secrets present); no Pulumi CLI needed",
  builder: (yargs: Argv) =>
    yargs
      .option("stack", {
        type: "string",
        describe: "Check stacks/Pulumi.<stack>.yaml of this project",
      })
      .option("file", { type: "string", describe: "Check this stack file (Pulumi.<stack>.yaml)" })
      .option("json", JSON_OPTION)
      .strict() as unknown as Argv<ValidateArgs>,
  handler: (argv: ArgumentsCamelCase<ValidateArgs>) =>
    runCommand(argv, async (runtime): Promise<CommandResult> => {
      const file = parseOptionalText("file", argv.file);
      if (argv.stack !== undefined && file !== undefined) {
        throw new InputError("--stack and --file name the stack file twice. Fix: give one of them");
      }
      if (argv.stack === undefined && file === undefined) {
        throw new InputError(
          "validate needs a stack file. Fix: --stack <stack> (stacks/Pulumi.<stack>.yaml) or --file <path>",
        );
      }
      if (file !== undefined && file.trim() === "") {
        throw new InputError("--file needs a value. Fix: --file stacks/Pulumi.<stack>.yaml");
      }
      const stack = file === undefined ? parseStack(argv.stack) : null;
      const path = file ?? stackFilePath(stack!);
      const text = readStackFile(path, file === undefined ? `--stack ${stack}` : `--file ${file}`);
      const shown = displayPath(path);
      const document: ValidateDocument = {
        file: shown,
        stack: stack ?? /^Pulumi\.(.+)\.yaml$/.exec(basename(path))?.[1] ?? null,
        ...checkStackFile(text, shown),
      };
      if (!document.valid) {
        // Problems go where errors go (stderr); --json still prints the one document on stdout.
        runtime.io.err(`avd-rollout: ${problemsText(document)}\n`);
        return { exitCode: EXIT.invalidInput, json: document, text: "" };
      }
      return { exitCode: EXIT.ok, json: document, text: validateText(document) };
    }),
};
