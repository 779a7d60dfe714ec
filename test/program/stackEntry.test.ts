/**
 * The two ways the program runs: program/index.ts (what `pulumi up` runs, no batch) and the
 * inline program the Automation API runs with the driver's batch — both reading stack config
 * through pulumi.Config, under the mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as StackProgramModule from "../../program/stackProgram";
import { ADMIN_PASSWORD, DOMAIN_PASSWORD, adConfig } from "./config/fixtures";
import { MOCK_REGISTRATION_TOKEN, installMockRuntime, resolveOutput, type MockRuntime } from "./mockRuntime";

function engineConfig(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

describe("stack entry points", () => {
  let runtime: MockRuntime;

  beforeAll(() => {
    runtime = installMockRuntime();
    const raw = adConfig();
    (raw["avd-rollout:sessionHosts"] as Record<string, unknown>).count = 4;
    pulumi.runtime.setAllConfig(engineConfig(raw), ["avd-rollout:sessionHostConfiguration"]);
  });

  afterAll(() => pulumi.runtime.setAllConfig({}, []));

  it("program/index.ts declares every configured host with no batch and exports the ledger", async () => {
    runtime.reset();
    const entry = (await import("../../program/index")) as {
      // A promise: the hosts are declared once Key Vault credentials (if any) are read.
      sessionHosts: Promise<
        Record<
          string,
          { vmName: pulumi.Output<string>; revision: pulumi.Output<string>; zone: string | null }
        >
      >;
      configurationRevision: string;
    };
    const sessionHosts = await entry.sessionHosts;
    await runtime.settle();
    expect(Object.keys(sessionHosts)).toEqual(["avdcorp-0", "avdcorp-1", "avdcorp-2", "avdcorp-3"]);
    const vms = runtime.registrations.filter((r) => r.type === "azure-native:compute:VirtualMachine");
    expect(vms).toHaveLength(4);
    for (const vm of vms) {
      expect(vm.request.protect).toBe(true);
      expect(vm.request.ignorechangesList).toEqual(["*"]);
    }
    const host0 = sessionHosts["avdcorp-0"]!;
    expect((await resolveOutput(host0.vmName)).value).toMatch(
      /^avdcorp-0-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}$/,
    );
    expect((await resolveOutput(host0.revision)).value).toBe(entry.configurationRevision);
  });

  it("the inline program lets exactly the batch change and returns outputs without secrets", async () => {
    runtime.reset();
    const { sessionHostsProgram, REVISION_TAG_KEY } =
      (await import("../../program/stackProgram")) as typeof StackProgramModule;
    const program = sessionHostsProgram({
      hosts: ["avdcorp-2"],
      generationTime: new Date("2026-04-15T17:16:07Z"),
    });
    const outputs = (await program()) as { sessionHosts: Record<string, { vmName: pulumi.Output<string> }> };
    await runtime.settle();
    const changeable = new Set(
      runtime.registrations
        .filter((r) => !r.request.protect)
        .map((r) => r.name.split("-").slice(0, 2).join("-")),
    );
    expect([...changeable]).toEqual(["avdcorp-2"]);
    expect((await resolveOutput(outputs.sessionHosts["avdcorp-2"]!.vmName)).value).toBe(
      "avdcorp-2-2026-04-15T17-16-07",
    );
    expect(REVISION_TAG_KEY).toBe("avd-rollout-revision");
    const resolved: Record<string, unknown> = {};
    for (const [host, out] of Object.entries(outputs.sessionHosts))
      resolved[host] = (await resolveOutput(out.vmName)).value;
    const text = JSON.stringify(resolved);
    for (const secret of [ADMIN_PASSWORD, DOMAIN_PASSWORD, MOCK_REGISTRATION_TOKEN])
      expect(text).not.toContain(secret);
  });
});
