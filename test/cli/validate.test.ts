/**
 * `avd-rollout validate`: a stack file checked offline — no Pulumi CLI, no Azure, no stack opened.
 * Broken files exit 2 with the program's own message for each problem (and its line); good files,
 * including ones written with Azure's vocabulary and Key Vault credentials, exit 0.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { ValidateDocument } from "../../automation/cli/commands/validate";
import { InputError } from "../../automation/core/errors";
import { parseStackConfig } from "../../program/config";
import { adConfig, withValue } from "../program/config/fixtures";
import { offlineRuntime, runCli, type CliRun } from "./harness";

const dir = mkdtempSync(join(tmpdir(), "avd-rollout-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SHC = "avd-rollout:sessionHostConfiguration";
const PLACEHOLDER = { secure: "AAABAExamplePlaceholderSetMeWithPulumiConfigSetSecret" };
const PLAIN_PASSWORD = "Plain-Text-Passw0rd!";
const KV = "https://kv-avd.vault.azure.net/secrets";

/** The AD-joined fixture as a stack file (as `pulumi config set` writes it: passwords encrypted). */
function stackDocument(): { config: Record<string, unknown> } & Record<string, unknown> {
  const config = adConfig();
  const credentials = (config[SHC] as { vmAdminCredentials: Record<string, unknown> }).vmAdminCredentials;
  credentials.password = { ...PLACEHOLDER };
  withValue(config, `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.password`, { ...PLACEHOLDER });
  return { encryptionsalt: "v1:c2FsdA==:v1:aXY=:Y2lwaGVy", config };
}

type Doc = ReturnType<typeof stackDocument>;
const shc = (doc: Doc) => doc.config[SHC] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let counter = 0;
function writeStack(content: string | Doc): string {
  const file = join(dir, `Pulumi.case${counter++}.yaml`);
  writeFileSync(file, typeof content === "string" ? content : stringify(content));
  return file;
}

async function validate(file: string, json = true): Promise<CliRun> {
  return runCli(["validate", "--file", file, ...(json ? ["--json"] : [])], offlineRuntime());
}

/** The variants: [name, the file, text the problem must say]. */
const edit = (change: (doc: Doc) => void): Doc => {
  const doc = stackDocument();
  change(doc);
  return doc;
};

const BROKEN: [string, string | Doc, RegExp][] = [
  // YAML
  [
    "unclosed quote",
    'config:\n  avd-rollout:hostPool:\n    name: "hp-prod\n',
    /:\d+:\d+: Missing closing "quote\. Fix: correct the YAML/,
  ],
  ["tab indentation", "config:\n\tavd-rollout:hostPool: {}\n", /Tabs are not allowed as indentation/],
  [
    "duplicate key",
    "config:\n  azure-native:location: westeurope\n  azure-native:location: northeurope\n",
    /Map keys must be unique/,
  ],
  [
    "unclosed flow sequence",
    "config:\n  azure-native:location: [westeurope\n",
    /:\d+:\d+: .*Fix: correct the YAML/,
  ],
  [
    "bad indentation",
    "config:\n  avd-rollout:hostPool:\n    name: hp\n   resourceGroupName: rg\n",
    /Fix: correct the YAML/,
  ],
  // the file's own shape
  ["a list, not a mapping", "- config\n", /is not a Pulumi stack file/],
  ["an empty file", "", /is not a Pulumi stack file/],
  ["no config block", "encryptionsalt: v1:abc\n", /has no config: block/],
  [
    "misspelt config block",
    stringify({ confg: stackDocument().config }),
    /confg: unknown key of a stack file\. Fix: did you mean config\?/,
  ],
  // unknown keys
  [
    "misspelt top-level key",
    edit((doc) => {
      doc.config["avd-rollout:sessionHost"] = doc.config["avd-rollout:sessionHosts"];
      delete doc.config["avd-rollout:sessionHosts"];
    }),
    /avd-rollout:sessionHost: unknown key\. Fix: did you mean avd-rollout:sessionHosts\?/,
  ],
  [
    "misspelt nested key",
    edit((doc) => (shc(doc).diskinfo = { type: "Premium_LRS" })),
    /sessionHostConfiguration\.diskinfo: unknown key\. Fix: did you mean diskInfo\?/,
  ],
  [
    "unrelated key",
    edit((doc) => ((doc.config["avd-rollout:update"] as Record<string, unknown>).batchSize = 3)),
    /update\.batchSize: unknown key\. Fix: remove it; allowed keys: maxVmsRemoved/,
  ],
  // wrong types
  [
    "count as words",
    edit((doc) => ((doc.config["avd-rollout:sessionHosts"] as Record<string, unknown>).count = "ten")),
    /sessionHosts\.count: "ten" must be a whole number 1 to 1000/,
  ],
  [
    "zones as a string",
    edit((doc) => (shc(doc).availabilityZones = "1,2,3")),
    /availabilityZones: "1,2,3" must be a list of zones/,
  ],
  [
    "boolean as text",
    edit((doc) => ((doc.config["avd-rollout:update"] as Record<string, unknown>).deleteOriginalVm = "yes")),
    /deleteOriginalVm: "yes" must be true or false/,
  ],
  [
    "image as a string",
    edit((doc) => (shc(doc).imageInfo = "win11")),
    /imageInfo: "win11" must be an object/,
  ],
  [
    "location not a region",
    edit((doc) => (doc.config["azure-native:location"] = "west europe!")),
    /azure-native:location: .* is not an Azure region name/,
  ],
  // limits
  [
    "prefix too long",
    edit(
      (doc) =>
        ((doc.config["avd-rollout:sessionHosts"] as Record<string, unknown>).vmNamePrefix = "avdproduction"),
    ),
    /vmNamePrefix: "avdproduction" has 13 characters; Azure allows at most 11/,
  ],
  [
    "too many hosts",
    edit((doc) => ((doc.config["avd-rollout:sessionHosts"] as Record<string, unknown>).count = 1001)),
    /count: 1001 is above the maximum 1000/,
  ],
  [
    "log-off delay above a day",
    edit((doc) => ((doc.config["avd-rollout:update"] as Record<string, unknown>).logOffDelayMinutes = 1441)),
    /logOffDelayMinutes: 1441 is above the maximum 1440/,
  ],
  [
    "log-off message too long",
    edit(
      (doc) =>
        ((doc.config["avd-rollout:update"] as Record<string, unknown>).logOffMessage = "x".repeat(261)),
    ),
    /logOffMessage: .* is longer than Azure's 260 characters/,
  ],
  [
    "batch size zero",
    edit((doc) => ((doc.config["avd-rollout:update"] as Record<string, unknown>).maxVmsRemoved = 0)),
    /maxVmsRemoved: 0 is below the minimum 1/,
  ],
  [
    "disk too small",
    edit((doc) => (shc(doc).diskInfo = { type: "Premium_LRS", sizeGb: 16 })),
    /diskInfo\.sizeGb: 16 is below the minimum 30/,
  ],
  [
    "too many tags",
    edit(
      (doc) => (shc(doc).vmTags = Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`t${i}`, "v"]))),
    ),
    /vmTags: .* has 46 tags/,
  ],
  // secrets
  [
    "admin password missing",
    edit((doc) => delete shc(doc).vmAdminCredentials.password),
    /vmAdminCredentials\.password is missing\. Fix: pulumi config set --secret --path/,
  ],
  [
    "admin password in plain text",
    edit((doc) => (shc(doc).vmAdminCredentials.password = PLAIN_PASSWORD)),
    /vmAdminCredentials\.password: \[secret\] is in plain text in the stack file\. Fix: pulumi config set --secret --path/,
  ],
  [
    "join password missing",
    edit((doc) => delete shc(doc).domainInfo.activeDirectoryInfo.domainCredentials.password),
    /domainCredentials\.password is missing/,
  ],
  [
    "credentials not an object",
    edit((doc) => (shc(doc).vmAdminCredentials = PLAIN_PASSWORD)),
    /vmAdminCredentials: \[secret\] must be an object/,
  ],
  // Azure's vocabulary
  [
    "vmNamePrefix under sessionHostConfiguration",
    edit((doc) => (shc(doc).vmNamePrefix = "avdprod")),
    /Fix: move it to avd-rollout:sessionHosts\.vmNamePrefix/,
  ],
  [
    "vmLocation",
    edit((doc) => (shc(doc).vmLocation = "westeurope")),
    /avd-rollout has it at azure-native:location/,
  ],
  [
    "vmResourceGroup under sessionHostConfiguration",
    edit((doc) => (shc(doc).vmResourceGroup = "rg-hosts")),
    /Fix: move it to avd-rollout:sessionHosts\.vmResourceGroup/,
  ],
  [
    "scheduledDateTimeZone",
    edit(
      (doc) => ((doc.config["avd-rollout:update"] as Record<string, unknown>).scheduledDateTimeZone = "UTC"),
    ),
    /as the flag avd-rollout start --time-zone/,
  ],
  [
    "imageInfo.type contradicting the source",
    edit((doc) => (shc(doc).imageInfo.type = "Marketplace")),
    /imageInfo\.type: "Marketplace" does not match the image source: imageInfo has customInfo/,
  ],
  [
    "Azure's read-only version",
    edit((doc) => (shc(doc).version = "2024-04-26T04:56:45Z")),
    /version: is set by Azure itself/,
  ],
  [
    "Key Vault URI not a secret URI",
    edit(
      (doc) =>
        (shc(doc).vmAdminCredentials = {
          username: "avdadmin",
          passwordKeyVaultSecretUri: "https://kv-avd.vault.azure.net/keys/admin",
        }),
    ),
    /passwordKeyVaultSecretUri: "https:\/\/kv-avd\.vault\.azure\.net\/keys\/admin" is not the URI of a secret/,
  ],
  [
    "password and its Key Vault URI both",
    edit((doc) => (shc(doc).vmAdminCredentials.passwordKeyVaultSecretUri = `${KV}/admin`)),
    /is given together with password\. Fix: keep one of them/,
  ],
];

describe("validate: broken stack files exit 2 with the program's messages", () => {
  it("covers many kinds of breakage", () => {
    expect(BROKEN.length).toBeGreaterThanOrEqual(30);
  });

  it.each(BROKEN)("%s", async (_name, content, message) => {
    const file = writeStack(content);
    const run = await validate(file);
    expect(run.exitCode).toBe(2);
    const document = JSON.parse(run.stdout) as ValidateDocument;
    expect(document.valid).toBe(false);
    const messages = document.problems.map((problem) => problem.message);
    expect(
      messages.some((text) => message.test(text)),
      messages.join("\n"),
    ).toBe(true);
    expect(run.stderr).toMatch(/invalid stack configuration \(\d+ problems?\):/);
    expect(run.stderr).toMatch(message);
    for (const text of [run.stdout, run.stderr]) expect(text).not.toContain(PLAIN_PASSWORD);
  });

  it("says which line each problem is on", async () => {
    const text = stringify(
      edit((doc) => ((doc.config["avd-rollout:update"] as Record<string, unknown>).maxVmsRemoved = 0)),
    );
    const file = writeStack(text);
    const document = JSON.parse((await validate(file)).stdout) as ValidateDocument;
    const line = text.split("\n").findIndex((row) => row.includes("maxVmsRemoved")) + 1;
    expect(document.problems).toEqual([expect.objectContaining({ line })]);
    const plain = await validate(file, false);
    expect(plain.stderr).toContain(`(${document.file}:${line})`);
  });

  it("reports exactly the lines the program reports for the same configuration", async () => {
    const doc = edit((d) => {
      (d.config["avd-rollout:sessionHosts"] as Record<string, unknown>).count = 0;
      shc(d).diskInfo = { type: "Premium_ZRS" };
      shc(d).vmNamePrefix = "avdprod";
    });
    const document = JSON.parse((await validate(writeStack(doc))).stdout) as ValidateDocument;
    // What the program sees after Pulumi decrypted the secrets.
    const decrypted = JSON.parse(
      JSON.stringify(doc.config).replaceAll(JSON.stringify(PLACEHOLDER), '"Decrypted-Passw0rd!"'),
    );
    let programMessage = "";
    try {
      parseStackConfig(decrypted);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      programMessage = error.message;
    }
    const programLines = programMessage
      .split("\n")
      .filter((line) => line.startsWith("  - "))
      .map((line) => line.slice(4));
    expect(document.problems.map((problem) => problem.message).sort()).toEqual(programLines.sort());
    expect(programLines).toHaveLength(3);
  });
});

describe("validate: good stack files exit 0", () => {
  it.each(["example", "dev"])("the repository's %s stack", async (stack) => {
    const run = await runCli(["validate", "--stack", stack], offlineRuntime());
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(`stacks/Pulumi.${stack}.yaml: valid stack configuration`);
    expect(run.stdout).toContain("vmAdminCredentials.password: Pulumi secret (encrypted in the file)");
  });

  it("a stack written with Azure's vocabulary and Key Vault credentials", async () => {
    const doc = edit((d) => {
      shc(d).friendlyName = "April image";
      shc(d).imageInfo.type = "Custom";
      shc(d).availabilityZones = [1, 2, 3];
      shc(d).vmAdminCredentials = {
        usernameKeyVaultSecretUri: `${KV}/admin-username`,
        passwordKeyVaultSecretUri: `${KV}/admin-password/0123456789abcdef0123456789abcdef`,
      };
      shc(d).domainInfo.activeDirectoryInfo.domainCredentials = {
        username: "join@corp.contoso.com",
        passwordKeyVaultSecretUri: `${KV}/join-password`,
      };
    });
    const run = await validate(writeStack(doc));
    expect(run.exitCode, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as ValidateDocument;
    expect(document).toMatchObject({ valid: true, problems: [], friendlyName: "April image" });
    expect(document.secrets).toEqual([
      {
        key: `${SHC}.vmAdminCredentials.usernameKeyVaultSecretUri`,
        source: "key-vault",
        uri: `${KV}/admin-username`,
      },
      {
        key: `${SHC}.vmAdminCredentials.passwordKeyVaultSecretUri`,
        source: "key-vault",
        uri: `${KV}/admin-password/0123456789abcdef0123456789abcdef`,
      },
      {
        key: `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.passwordKeyVaultSecretUri`,
        source: "key-vault",
        uri: `${KV}/join-password`,
      },
    ]);
  });

  it("keys without a namespace, as Pulumi reads them (the project's namespace)", async () => {
    const doc = stackDocument();
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(doc.config)) config[key.replace(/^avd-rollout:/, "")] = value;
    const run = await validate(writeStack({ ...doc, config }));
    expect(run.exitCode, run.stderr).toBe(0);
  });

  it("a whole key encrypted: present, and noted as checked only at deployment", async () => {
    const doc = stackDocument();
    doc.config["avd-rollout:hostPool"] = { secure: "v1:ZW5jcnlwdGVk" };
    const run = await validate(writeStack(doc), false);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain(
      "note: avd-rollout:hostPool is encrypted, so it is checked only when Pulumi decrypts it",
    );
  });

  it("names the stacks there are when --stack has no file, and needs one of --stack or --file", async () => {
    const missing = await runCli(["validate", "--stack", "prod-eu"], offlineRuntime());
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(
      /--stack prod-eu: .*Pulumi\.prod-eu\.yaml does not exist\. Fix: .*\(.*dev.*example.*\)/,
    );
    const neither = await runCli(["validate"], offlineRuntime());
    expect(neither.exitCode).toBe(2);
    expect(neither.stderr).toContain("--stack <stack> (stacks/Pulumi.<stack>.yaml) or --file <path>");
    const both = await runCli(["validate", "--stack", "dev", "--file", "x.yaml"], offlineRuntime());
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toContain("give one of them");
  });

  it("reads a qualified stack name's file (org/project/stack → Pulumi.stack.yaml)", async () => {
    const run = await runCli(["validate", "--stack", "contoso/avd-rollout/dev", "--json"], offlineRuntime());
    expect(run.exitCode, run.stderr).toBe(0);
    expect((JSON.parse(run.stdout) as ValidateDocument).file).toBe("stacks/Pulumi.dev.yaml");
  });

  it("round-trips the YAML it was given (the helper writes what a user would)", () => {
    expect(parse(stringify(stackDocument()))).toEqual(stackDocument());
  });
});

describe("the example pipelines", () => {
  const root = join(__dirname, "..", "..");
  it("validate stack files on pull requests, offline", () => {
    const github = parse(readFileSync(join(root, "examples/github/workflows/avd-rollout.yml"), "utf8")) as {
      on: Record<string, unknown>;
      jobs: Record<string, { if?: string; steps: { run?: string; uses?: string }[] }>;
    };
    expect(github.on.pull_request).toBeDefined();
    const job = github.jobs.validate!;
    expect(job.if).toContain("pull_request");
    expect(job.steps.some((step) => step.run?.includes("avd-rollout.js validate --stack"))).toBe(true);
    // Nothing but Node: no Pulumi CLI, no Azure login.
    expect(
      job.steps.some(
        (step) => /pulumi|azure\/login/.test(step.uses ?? "") || /pulumi login/.test(step.run ?? ""),
      ),
    ).toBe(false);
    const devops = readFileSync(join(root, "examples/azure-devops/azure-pipelines.yml"), "utf8");
    expect(devops).toMatch(/stage: Validate\n\s+condition: eq\(variables\['Build.Reason'\], 'PullRequest'\)/);
    expect(devops).toContain("avd-rollout.js validate --stack");
  });

  it("tell drift (5) from a check that could not run (1)", () => {
    // The drift check runs on the schedule that carries rollouts on (issue 10's examples).
    for (const file of [
      "examples/github/workflows/avd-rollout-continue.yml",
      "examples/azure-devops/azure-pipelines-continue.yml",
    ]) {
      const text = readFileSync(join(root, file), "utf8");
      expect(text, file).toMatch(/(-eq 5|5\)) .*Drift found/);
      expect(text, file).toMatch(/(-eq 1|1\)|\*\)) .*could not run/);
    }
  });
});
