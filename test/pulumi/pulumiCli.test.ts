import { describe, expect, it } from "vitest";
import { BusyError, PortError } from "../../automation/core/errors";
import { AutomationStackAdapter } from "../../automation/pulumi/stackAdapter";
import {
  MINIMUM_PULUMI_CLI_VERSION,
  PulumiCliMissingError,
  defaultCliSearch,
  pulumiCliVersionProblem,
  locatePulumiCli,
  pulumiCliMissingMessage,
  requirePulumiCli,
  type CliSearch,
} from "../../automation/pulumi/pulumiCli";
import { translateStackError } from "../../automation/pulumi/stackErrors";

function search(executables: string[], env: NodeJS.ProcessEnv = { PATH: "/usr/bin:/bin" }): CliSearch {
  return { env, platform: "linux", home: "/home/ops", isExecutable: (path) => executables.includes(path) };
}

describe("finding the Pulumi CLI", () => {
  it("prefers $PULUMI_HOME/bin, then PATH, then ~/.pulumi/bin", () => {
    expect(
      locatePulumiCli(
        search(["/opt/p/bin/pulumi", "/usr/bin/pulumi"], { PULUMI_HOME: "/opt/p", PATH: "/usr/bin" }),
      ),
    ).toBe("/opt/p/bin");
    expect(locatePulumiCli(search(["/usr/bin/pulumi", "/home/ops/.pulumi/bin/pulumi"]))).toBe("/usr/bin");
    expect(locatePulumiCli(search(["/home/ops/.pulumi/bin/pulumi"]))).toBe("/home/ops/.pulumi/bin");
    expect(locatePulumiCli(search([]))).toBeNull();
  });

  it("explains how to install the CLI and how to point PATH / PULUMI_HOME at it", () => {
    const message = pulumiCliMissingMessage(search([], { PATH: "/usr/bin", PULUMI_HOME: "/srv/pulumi" }));
    expect(message).toContain("The Pulumi CLI is required");
    expect(message).toContain("https://www.pulumi.com/docs/install/");
    expect(message).toContain("curl -fsSL https://get.pulumi.com | sh");
    expect(message).toContain("brew install pulumi/tap/pulumi");
    expect(message).toContain("winget install pulumi");
    expect(message).toContain("choco install pulumi");
    expect(message).toContain("PULUMI_HOME");
    expect(message).toContain("PATH");
    expect(message).toContain("/srv/pulumi/bin");
    expect(() => requirePulumiCli(search([]))).toThrow(PulumiCliMissingError);
  });

  // The real situation on the build machines: no `pulumi` anywhere.
  it("fails every stack call with that message when the CLI is really missing", async () => {
    const real = defaultCliSearch();
    if (locatePulumiCli(real) !== null) return; // a machine with the CLI installed has nothing to report
    const adapter = new AutomationStackAdapter({
      stackName: "prod",
      projectDir: process.cwd(),
      binding: {
        revisionTagKey: "avd-rollout-revision",
        desiredFromConfig: () => {
          throw new Error("unreachable: config is read through the CLI");
        },
        programFor: () => async () => ({}),
      },
    });
    await expect(adapter.readDeployedHosts()).rejects.toThrow(PulumiCliMissingError);
    await expect(adapter.readDesired()).rejects.toThrow(/The Pulumi CLI is required[\s\S]*get\.pulumi\.com/);
    await expect(adapter.up({ index: 0, hosts: ["avd-0"] })).rejects.toThrow(PulumiCliMissingError);
  });
});

describe("translateStackError", () => {
  it("turns a locked stack into BusyError (exit 3) with the lock holder", () => {
    const error = translateStackError(
      new Error(
        "ConcurrentUpdateError: code: -2\n stderr: error: the stack is currently locked by 1 lock(s): alice@build-7 since 2026-04-15",
      ),
      "up",
      "prod",
      [],
    );
    expect(error).toBeInstanceOf(BusyError);
    expect(error.message).toContain("stack prod is locked");
    expect(error.message).toContain("alice@build-7");
    expect(error.message).toContain("pulumi cancel --stack prod");
  });

  it("turns a failed spawn of pulumi into the missing-CLI message", () => {
    // What execa rejects with when the executable does not exist, wrapped as the SDK wraps it.
    const spawnError = Object.assign(
      new Error("Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT"),
      {
        code: "ENOENT",
        syscall: "spawn pulumi",
        path: "pulumi",
      },
    );
    const wrapped = Object.assign(new Error("code: -2"), { commandResult: { err: spawnError } });
    expect(translateStackError(wrapped, "up", "prod", [])).toBeInstanceOf(PulumiCliMissingError);
    const absolute = Object.assign(new Error("spawn /opt/pulumi/bin/pulumi ENOENT"), {
      code: "ENOENT",
      syscall: "spawn /opt/pulumi/bin/pulumi",
      path: "/opt/pulumi/bin/pulumi",
    });
    expect(translateStackError(absolute, "up", "prod", [])).toBeInstanceOf(PulumiCliMissingError);
  });

  it("keeps an ENOENT from inside the program a program error, not a missing CLI", () => {
    const programError = new Error(
      "code: 255\n stderr: error: Running program failed: ENOENT: no such file or directory, open '/repo/stacks/seed.json'",
    );
    expect(translateStackError(programError, "up", "prod", [])).toBeInstanceOf(PortError);
    const otherSpawn = Object.assign(new Error("spawn az ENOENT"), {
      code: "ENOENT",
      syscall: "spawn az",
      path: "az",
    });
    expect(translateStackError(otherSpawn, "up", "prod", [])).toBeInstanceOf(PortError);
  });

  it("keeps other failures as permanent PortErrors with secrets redacted", () => {
    const error = translateStackError(
      new Error("stderr: invalid password Hunter2-Secret"),
      "preview",
      "prod",
      ["Hunter2-Secret"],
    );
    expect(error).toBeInstanceOf(PortError);
    expect(error.message).toContain("stack.preview(prod)");
    expect(error.message).not.toContain("Hunter2-Secret");
  });
});

describe("minimum Pulumi CLI version", () => {
  const version = (text: string) => ({
    compare: (other: string) => {
      const [a, b] = [text, other].map((v) => v.split(".").map(Number));
      for (let i = 0; i < 3; i++) if (a![i] !== b![i]) return a![i]! < b![i]! ? -1 : 1;
      return 0;
    },
    toString: () => text,
  });

  it("accepts the minimum and newer", () => {
    expect(MINIMUM_PULUMI_CLI_VERSION).toBe("3.181.0");
    expect(pulumiCliVersionProblem(version("3.181.0"), "/usr/local/bin", {})).toBeNull();
    expect(pulumiCliVersionProblem(version("3.248.0"), "/usr/local/bin", {})).toBeNull();
  });

  it("refuses an older or unreadable version, saying which is needed, which was found and how to update", () => {
    const problem = pulumiCliVersionProblem(version("3.180.2"), "/usr/local/bin", {});
    expect(problem).toContain("3.181.0 or newer");
    expect(problem).toContain("/usr/local/bin is version 3.180.2");
    expect(problem).toContain("get.pulumi.com");
    expect(pulumiCliVersionProblem(null, "/opt/pulumi/bin", {})).toContain("could not be read");
  });

  it("honours the Automation API's own opt-out", () => {
    expect(
      pulumiCliVersionProblem(version("3.100.0"), "/usr/local/bin", {
        PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      }),
    ).toBeNull();
  });
});
