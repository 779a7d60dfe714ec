/**
 * The real situation on the build machines: no `pulumi` CLI. Every command that touches a stack
 * must stop with a plain message saying what to install and how to make it findable. The tests
 * make that situation wherever they run — PATH, HOME and PULUMI_HOME point where no `pulumi` is —
 * so they run (and can fail) on a machine that has the CLI too.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createRealPorts } from "../../automation/cli/realPorts";
import { defaultCliSearch, locatePulumiCli } from "../../automation/pulumi/pulumiCli";
import type { CliRuntime } from "../../automation/cli/runtime";
import { recordingIo, runCli } from "./harness";

/** An empty directory: PATH and HOME with no `pulumi` in them (nor ~/.pulumi/bin). */
const nowhere = mkdtempSync(join(tmpdir(), "no-pulumi-"));

describe("without the Pulumi CLI", () => {
  beforeAll(() => {
    vi.stubEnv("PATH", nowhere);
    vi.stubEnv("HOME", nowhere);
    vi.stubEnv("USERPROFILE", nowhere);
    vi.stubEnv("PULUMI_HOME", undefined);
    expect(locatePulumiCli(defaultCliSearch())).toBeNull();
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ["plan", "--stack", "prod"],
    ["start", "--stack", "prod", "--yes"],
    ["status", "--stack", "prod", "--json"],
    ["drift", "--stack", "prod"],
  ])("%s says the Pulumi CLI is required and how to install it", async (...args) => {
    const io = recordingIo({ env: { PATH: "/usr/bin:/bin" } });
    const runtime: CliRuntime = {
      io,
      owner: "test",
      now: () => Date.now(),
      ports: { open: (stack) => createRealPorts(stack, io) },
    };
    const run = await runCli(args, runtime);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("The Pulumi CLI is required");
    expect(run.stderr).toContain("curl -fsSL https://get.pulumi.com | sh");
    expect(run.stderr).toContain("winget install pulumi");
    expect(run.stderr).toContain("PULUMI_HOME");
    if (args.includes("--json")) {
      expect(JSON.parse(run.stdout)).toMatchObject({ exitCode: 1, error: { kind: "failed" } });
    }
  });

  it("the avd-rollout binary exits 1 with the message, and --json keeps stdout one JSON document", () => {
    const bin = join(__dirname, "..", "..", "bin", "avd-rollout.js");
    const result = spawnSync(process.execPath, [bin, "drift", "--stack", "prod", "--json"], {
      encoding: "utf8",
      env: { ...process.env, CI: "true", PATH: nowhere, HOME: nowhere, USERPROFILE: nowhere },
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("The Pulumi CLI is required");
    expect(JSON.parse(result.stdout)).toMatchObject({ exitCode: 1, error: { kind: "failed" } });
  });
});
