import { describe, expect, it } from "vitest";
import { BusyError, PortError } from "../../automation/core/errors";
import { AutomationStackAdapter } from "../../automation/pulumi/stackAdapter";
import {
  PulumiCliMissingError,
  defaultCliSearch,
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

  it("turns a spawn ENOENT into the missing-CLI message", () => {
    const error = translateStackError(new Error("spawn pulumi ENOENT"), "up", "prod", []);
    expect(error).toBeInstanceOf(PulumiCliMissingError);
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
