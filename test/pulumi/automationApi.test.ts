/**
 * The Stack port through the real Automation API code (`LocalWorkspace`, `Stack`,
 * `PulumiCommand` of @pulumi/pulumi/automation) against a fake `pulumi` executable first on PATH
 * (test/pulumi/fakeCli): the arguments the SDK really passes, the event streams the engine
 * really writes (recorded by its own tests), the lock and error texts the CLI really prints.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { BusyError, InputError } from "../../automation/core/errors";
import { programBinding } from "../../automation/pulumi/programBinding";
import { PulumiCliMissingError, PulumiCliVersionError } from "../../automation/pulumi/pulumiCli";
import { AutomationStackAdapter } from "../../automation/pulumi/stackAdapter";
import { configurationRevision, parseStackConfig, type RawStackConfig } from "../../program/config";
import {
  declareWithoutPromiseStacks,
  promiseStackCaptureLowered,
  restorePromiseStackCapture,
} from "../../program/runtime/promiseStackCapture";
import { sessionHostsProgram } from "../../program/stackProgram";
import { ADMIN_PASSWORD, adConfig } from "../program/config/fixtures";

const FAKE_CLI_DIR = join(__dirname, "fakeCli");
const VM = "azure-native:compute:VirtualMachine";
const NIC = "azure-native:network:NetworkInterface";
const HOSTS = ["avdcorp-0", "avdcorp-1", "avdcorp-2"];

/** The real texts: pkg/backend/diy/lock.go (checkForLock), the service's 409, backenderr.StackNotFoundError. */
const DIY_LOCKED =
  "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
  "  s3://state/.pulumi/locks/organization/avd-rollout/prod/1f2e.json: created by alice@build-7 (pid 4242) at 2026-04-15T10:00:00Z\n";
const SERVICE_LOCKED = "error: [409] Conflict: Another update is currently in progress.\n";
const NO_SUCH_STACK = "error: no stack named 'prod' found\n";

function rawConfig() {
  const raw = adConfig();
  (raw["avd-rollout:sessionHosts"] as Record<string, unknown>).count = HOSTS.length;
  return raw;
}

/** `pulumi config --show-secrets --json`: every value a string, objects as JSON. */
function configJson(): ConfigMap {
  return Object.fromEntries(
    Object.entries(rawConfig()).map(([key, value]) => [
      key,
      {
        value: typeof value === "string" ? value : JSON.stringify(value),
        secret: key === "avd-rollout:sessionHostConfiguration",
      },
    ]),
  );
}

const REVISION_DEPLOYED = "rev-deployed";

/** `pulumi stack export --show-secrets`: each host's NIC and VM. */
function stateJson() {
  const urn = (type: string, name: string) => `urn:pulumi:prod::avd-rollout::${type}::${name}`;
  const resources = HOSTS.flatMap((host) => {
    const vmName = `${host}-2026-01-01T00-00-00`;
    const vmId = `/subscriptions/s/resourceGroups/rg-avd-hosts/providers/Microsoft.Compute/virtualMachines/${vmName}`;
    return [
      { urn: urn(NIC, `${host}-nic`), type: NIC, id: `${vmId}-nic`, outputs: { name: `${vmName}-nic` } },
      {
        urn: urn(VM, `${host}-vm`),
        type: VM,
        id: vmId,
        protect: true,
        outputs: {
          name: vmName,
          id: vmId,
          osProfile: { computerName: host },
          tags: { "avd-rollout-revision": REVISION_DEPLOYED },
        },
      },
    ];
  });
  return { version: 3, deployment: { manifest: {}, resources } };
}

interface CommandAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  events?: { stream: string; rename?: Record<string, string> };
}

interface Session {
  workDir: string;
  log(): { args: string[]; cwd: string }[];
  commands(): string[];
  adapter(): AutomationStackAdapter;
}

describe("the Stack port through the Automation API, with a fake pulumi CLI", () => {
  let dir: string;
  const saved = { PATH: process.env.PATH, version: process.env.FAKE_PULUMI_VERSION };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "avd-fake-pulumi-"));
  });

  afterEach(() => {
    process.env.PATH = saved.PATH;
    for (const key of ["FAKE_PULUMI_SCENARIO", "FAKE_PULUMI_LOG", "FAKE_PULUMI_VERSION"])
      delete process.env[key];
    rmSync(dir, { recursive: true, force: true });
  });

  function session(commands: Record<string, CommandAnswer>, version = "3.248.0"): Session {
    const workDir = join(dir, "project");
    writeFileSync(join(dir, "scenario.json"), JSON.stringify({ commands }));
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir);
    writeFileSync(
      join(workDir, "Pulumi.yaml"),
      "name: avd-rollout\nruntime: nodejs\nstackConfigDir: stacks\n",
    );
    process.env.PATH = `${FAKE_CLI_DIR}${delimiter}${saved.PATH ?? ""}`;
    process.env.FAKE_PULUMI_SCENARIO = join(dir, "scenario.json");
    process.env.FAKE_PULUMI_LOG = join(dir, "calls.jsonl");
    process.env.FAKE_PULUMI_VERSION = version;
    const log = () =>
      readFileSync(join(dir, "calls.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as { args: string[]; cwd: string });
    return {
      workDir,
      log,
      commands: () =>
        log().map((call) => {
          const firstFlag = call.args.findIndex((a) => a.startsWith("-"));
          return (firstFlag < 0 ? call.args : call.args.slice(0, firstFlag)).join(" ");
        }),
      adapter: () =>
        new AutomationStackAdapter({
          stackName: "prod",
          projectDir: workDir,
          now: () => new Date("2026-04-15T17:16:07Z"),
          binding: programBinding((batch) => sessionHostsProgram(batch)),
        }),
    };
  }

  const basics: Record<string, CommandAnswer> = {
    config: { stdout: JSON.stringify(configJson()) },
    "stack export": { stdout: JSON.stringify(stateJson()) },
  };

  it("checks the CLI version, selects the stack, reads config and state with the commands the SDK runs", async () => {
    const s = session(basics);
    const adapter = s.adapter();
    const desired = await adapter.readDesired();
    expect(desired.hosts).toEqual(HOSTS);
    expect(desired.revision).toBe(configurationRevision(parseStackConfig(rawConfig() as RawStackConfig)));
    const deployed = await adapter.readDeployedHosts();
    expect(deployed.map((h) => [h.host, h.revision])).toEqual(HOSTS.map((h) => [h, REVISION_DEPLOYED]));
    const calls = s.log();
    expect(calls[0]?.args).toEqual(["version"]);
    expect(calls.map((c) => c.args)).toContainEqual([
      "stack",
      "select",
      "--stack",
      "prod",
      "--non-interactive",
    ]);
    expect(calls.map((c) => c.args)).toContainEqual([
      "config",
      "--show-secrets",
      "--json",
      "--stack",
      "prod",
      "--non-interactive",
    ]);
    expect(calls.map((c) => c.args)).toContainEqual([
      "stack",
      "export",
      "--show-secrets",
      "--stack",
      "prod",
      "--non-interactive",
    ]);
    // Stack commands run in the project directory (`pulumi version` runs before there is one).
    expect(calls.filter((c) => c.args[0] !== "version").every((c) => c.cwd === s.workDir)).toBe(true);
  });

  it.each(["3.248.0", "3.200.0"])(
    "previews a batch: the inline program, the recorded engine stream, the verdict (CLI %s)",
    async (version) => {
      const s = session(
        {
          ...basics,
          preview: {
            events: {
              stream: "preview-create-before-delete",
              rename: { resA: "avdcorp-1-vm", resB: "avdcorp-2-vm" },
            },
          },
        },
        version,
      );
      const adapter = s.adapter();
      const inBatch = await adapter.preview({ index: 1, hosts: ["avdcorp-1"] });
      expect(inBatch.outsideBatchChanges).toEqual([]);
      expect(inBatch.batchChanges).toEqual(["urn:pulumi:test::test::pkgA:index:typ::avdcorp-1-vm"]);
      const outside = await adapter.preview({ index: 2, hosts: ["avdcorp-2"] });
      expect(outside.outsideBatchChanges).toEqual(["urn:pulumi:test::test::pkgA:index:typ::avdcorp-1-vm"]);
      const preview = s.log().find((c) => c.args[0] === "preview")!.args;
      expect(preview).toContain("--exec-kind");
      expect(preview[preview.indexOf("--exec-kind") + 1]).toBe("auto.inline");
      expect(preview.some((a) => a.startsWith("--client=127.0.0.1:"))).toBe(true);
      const eventLog = preview[preview.indexOf("--event-log") + 1]!;
      // Above 3.205 the SDK takes events over gRPC; before, from a file it tails.
      expect(eventLog.startsWith("tcp://127.0.0.1:")).toBe(version === "3.248.0");
    },
  );

  it("a failed step: the up fails, attributed to its host, message without colour codes or secrets", async () => {
    const s = session({
      ...basics,
      up: {
        events: { stream: "up-step-failed", rename: { resA: "avdcorp-1-vm" } },
        stderr: `error: update failed (admin ${ADMIN_PASSWORD})\n`,
        exitCode: 255,
      },
    });
    const result = await s.adapter().up({ index: 1, hosts: ["avdcorp-1"] });
    expect(result.result).toBe("failed");
    expect(result.failedHosts).toEqual({ "avdcorp-1": "interrupt replace" });
    expect(JSON.stringify(result)).not.toContain(ADMIN_PASSWORD);
    expect(JSON.stringify(result)).not.toContain("<{%");
    const up = s.log().find((c) => c.args[0] === "up")!.args;
    expect(up.slice(0, 3)).toEqual(["up", "--yes", "--skip-preview"]);
    expect(up).toContain("--message");
  });

  it("the engine's delete-before-replace abort on a protected dependent is a failed batch naming the host", async () => {
    const s = session({
      ...basics,
      up: {
        events: { stream: "up-dbr-protect-abort", rename: { resA: "avdcorp-1-vm", resB: "avdcorp-1-dcra" } },
        stderr: "error: update failed\n",
        exitCode: 255,
      },
    });
    const result = await s.adapter().up({ index: 1, hosts: ["avdcorp-1"] });
    expect(result.result).toBe("failed");
    expect(result.failedHosts?.["avdcorp-1"]).toMatch(
      /unable to replace resource ".*avdcorp-1-dcra" as part of replacing ".*avdcorp-1-vm"/,
    );
  });

  it("reports a successful up of the recorded replacement stream", async () => {
    const s = session({
      ...basics,
      up: { events: { stream: "up-replace-succeeded", rename: { resA: "avdcorp-0-vm" } } },
    });
    expect(await s.adapter().up({ index: 0, hosts: ["avdcorp-0"] })).toEqual({ result: "succeeded" });
    expect(s.commands()).toEqual(expect.arrayContaining(["up", "stack output", "stack history"]));
  });

  it.each([
    ["diy backend lock", DIY_LOCKED, /locked by another update \(locked by 1 lock\(s\)/],
    ["Pulumi Cloud 409", SERVICE_LOCKED, /stack prod is locked by another update; wait/],
  ])("a locked stack (%s) is BusyError, exit code 3", async (_name, stderr, message) => {
    const s = session({ ...basics, up: { stderr, exitCode: 255 } });
    const up = s.adapter().up({ index: 0, hosts: ["avdcorp-0"] });
    await expect(up).rejects.toThrow(BusyError);
    await expect(s.adapter().up({ index: 0, hosts: ["avdcorp-0"] })).rejects.toThrow(message);
  });

  it("an unknown stack is InputError naming the flag and the fix", async () => {
    const s = session({ "stack select": { stderr: NO_SUCH_STACK, exitCode: 255 } });
    await expect(s.adapter().readDesired()).rejects.toThrow(InputError);
    await expect(s.adapter().readDesired()).rejects.toThrow(
      /--stack prod: no such stack.*pulumi stack init prod/,
    );
  });

  it("an ENOENT inside the program is the program's error, not a missing CLI", async () => {
    const s = session({
      ...basics,
      up: {
        stderr:
          "error: Running program failed: ENOENT: no such file or directory, open '/repo/stacks/seed.json'\n",
        exitCode: 255,
      },
    });
    const result = await s.adapter().up({ index: 0, hosts: ["avdcorp-0"] });
    expect(result.result).toBe("failed");
    expect(result.error).toContain("ENOENT: no such file or directory");
  });

  it("a CLI older than 3.181.0 is refused with what is needed and how to update", async () => {
    const s = session(basics, "3.180.0");
    await expect(s.adapter().readDesired()).rejects.toThrow(PulumiCliVersionError);
    await expect(s.adapter().readDesired()).rejects.toThrow(
      /needs the Pulumi CLI 3\.181\.0 or newer.*version 3\.180\.0/,
    );
    expect(s.commands().filter((c) => c !== "version")).toEqual([]);
  });

  it("a pulumi the search finds but that cannot be spawned is the missing-CLI message", async () => {
    const s = session(basics);
    process.env.PATH = join(dir, "no-cli-here");
    const adapter = new AutomationStackAdapter({
      stackName: "prod",
      projectDir: s.workDir,
      binding: programBinding((batch) => sessionHostsProgram(batch)),
      cliSearch: {
        env: { PATH: join(dir, "no-cli-here") },
        platform: "linux",
        home: dir,
        isExecutable: () => true,
      },
    });
    await expect(adapter.readDesired()).rejects.toThrow(PulumiCliMissingError);
  });

  it("drift: refresh --preview-only with the inline program, read from the recorded refresh stream", async () => {
    const s = session({
      ...basics,
      refresh: {
        events: {
          stream: "refresh-preview",
          rename: { resA: "avdcorp-0-vm", resB: "avdcorp-1-nic", resC: "avdcorp-2-vm" },
        },
      },
    });
    const drift = await s.adapter().cloudDrift();
    expect(drift).toEqual([
      { urn: "urn:pulumi:test::test::pkgA:m:typA::avdcorp-2-vm", kind: "deleted", properties: [] },
      { urn: "urn:pulumi:test::test::pkgA:m:typA::avdcorp-0-vm", kind: "changed", properties: ["oof"] },
    ]);
    const refresh = s.log().find((c) => c.args[0] === "refresh")!.args;
    expect(refresh.slice(0, 2)).toEqual(["refresh", "--preview-only"]);
    expect(refresh[refresh.indexOf("--exec-kind") + 1]).toBe("auto.inline");
  });

  it("puts stack capture back on after an engine call, even when the program never heard the end", async () => {
    const s = session({ ...basics, up: { stderr: "error: update failed\n", exitCode: 255 } });
    const adapter = s.adapter();
    await adapter.readDesired();
    const before = Error.stackTraceLimit;
    // What a registration the engine abandoned leaves behind (program/runtime/promiseStackCapture.ts).
    const { Output } = await import("@pulumi/pulumi");
    declareWithoutPromiseStacks(() => ({
      result: undefined,
      urns: [Output.create(new Promise<string>(() => undefined))],
    }));
    expect(promiseStackCaptureLowered()).toBe(true);
    await adapter.up({ index: 0, hosts: ["avdcorp-0"] });
    expect(promiseStackCaptureLowered()).toBe(false);
    expect(Error.stackTraceLimit).toBe(before);
    restorePromiseStackCapture();
  });
});
