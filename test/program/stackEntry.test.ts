/**
 * The two ways the program runs: program/index.ts (what `pulumi up` runs: no batch, the ledger
 * read back from the stack's previous outputs) and the inline program the Automation API runs
 * with the driver's batch and ledger — both reading stack config through pulumi.Config, under the
 * mock runtime.
 */
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type * as StackProgramModule from "../../program/stackProgram";
import type { SessionHostsStackOutputs } from "../../program/stackProgram";
import type { HostResourceKind } from "../../program/sessionHosts/resourceKinds";
import { ADMIN_PASSWORD, DOMAIN_PASSWORD, adConfig } from "./config/fixtures";
import { withExpectedRejections } from "./expectedRejections";
import { MOCK_REGISTRATION_TOKEN, installMockRuntime, resolveOutput, type MockRuntime } from "./mockRuntime";

function engineConfig(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

const ALL: HostResourceKind[] = [
  "nic",
  "vm",
  "avd-agent",
  "domain-join",
  "custom-script",
  "monitor-agent",
  "dcra",
];
const WITHOUT_MONITORING: HostResourceKind[] = ["nic", "vm", "avd-agent", "domain-join", "custom-script"];

function configure(count: number, extra: Record<string, unknown> = {}): void {
  const raw = adConfig();
  (raw["avd-rollout:sessionHosts"] as Record<string, unknown>).count = count;
  pulumi.runtime.setAllConfig(engineConfig({ ...raw, ...extra }), ["avd-rollout:sessionHostConfiguration"]);
}

describe("stack entry points", () => {
  let runtime: MockRuntime;
  let plainUp: () => Promise<SessionHostsStackOutputs>;
  let inline: typeof StackProgramModule;

  beforeAll(async () => {
    runtime = installMockRuntime();
    configure(4);
    // program/index.ts is `module.exports = () => ...` (how a Pulumi program exports an async entry).
    const entry = (await import("../../program/index")) as unknown as {
      default: () => Promise<SessionHostsStackOutputs>;
    };
    plainUp = entry.default;
    inline = await import("../../program/stackProgram");
  });

  afterEach(() => configure(4));
  afterAll(() => pulumi.runtime.setAllConfig({}, []));

  function registered(name: string) {
    return runtime.registrations.find((r) => r.name === name);
  }

  it("program/index.ts on a new stack creates every configured host and exports each one's resources", async () => {
    runtime.reset();
    const outputs = await plainUp();
    await runtime.settle();
    expect(runtime.invokes).toContainEqual({
      token: "pulumi:pulumi:readStackOutputs",
      args: { name: "organization/avd-rollout/test" },
    });
    expect(Object.keys(outputs.sessionHosts)).toEqual(["avdcorp-0", "avdcorp-1", "avdcorp-2", "avdcorp-3"]);
    const vms = runtime.registrations.filter((r) => r.type === "azure-native:compute:VirtualMachine");
    expect(vms).toHaveLength(4);
    for (const vm of vms) expect(vm.request.protect).toBe(false);
    const host0 = outputs.sessionHosts["avdcorp-0"]!;
    expect(host0.resources).toEqual(ALL);
    expect((await resolveOutput(host0.vmName)).value).toMatch(
      /^avdcorp-0-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}$/,
    );
    expect((await resolveOutput(host0.revision)).value).toBe(outputs.configurationRevision);
  });

  it("a plain up keeps each running host's recorded resource set: monitoring turned on reaches only new hosts", async () => {
    runtime.reset();
    // The previous update ran without monitoring and had 3 hosts; the configuration now has
    // monitoring and 4 hosts.
    runtime.previousStackOutputs = {
      sessionHosts: Object.fromEntries(
        ["avdcorp-0", "avdcorp-1", "avdcorp-2"].map((host) => [host, { resources: WITHOUT_MONITORING }]),
      ),
    };
    const outputs = await plainUp();
    await runtime.settle();
    for (const host of ["avdcorp-0", "avdcorp-1", "avdcorp-2"]) {
      expect(registered(`${host}-monitor-agent`), host).toBeUndefined();
      expect(registered(`${host}-dcra`), host).toBeUndefined();
      expect(registered(`${host}-vm`)!.request.ignorechangesList).toEqual(["*"]);
      expect(outputs.sessionHosts[host]!.resources).toEqual(WITHOUT_MONITORING);
    }
    expect(registered("avdcorp-3-dcra")).toBeDefined();
    expect(outputs.sessionHosts["avdcorp-3"]!.resources).toEqual(ALL);
  });

  it("a plain up keeps a recorded kind the configuration no longer has (monitoring turned off)", async () => {
    runtime.reset();
    const dcr = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Insights/dataCollectionRules/old";
    runtime.previousStackOutputs = {
      sessionHosts: { "avdcorp-0": { resources: ALL, dataCollectionRuleId: dcr } },
    };
    const raw = adConfig();
    delete (raw["avd-rollout:sessionHostConfiguration"] as Record<string, unknown>).monitoring;
    (raw["avd-rollout:sessionHosts"] as Record<string, unknown>).count = 2;
    pulumi.runtime.setAllConfig(engineConfig(raw), ["avd-rollout:sessionHostConfiguration"]);
    const outputs = await plainUp();
    await runtime.settle();
    expect(registered("avdcorp-0-dcra")!.object).toMatchObject({ dataCollectionRuleId: dcr });
    expect(registered("avdcorp-0-monitor-agent")!.request.ignorechangesList).toEqual(["*"]);
    expect(registered("avdcorp-1-dcra")).toBeUndefined();
    expect(outputs.sessionHosts["avdcorp-0"]).toMatchObject({ resources: ALL, dataCollectionRuleId: dcr });
  });

  it("refuses, before declaring anything, when state records hosts the configuration dropped", async () => {
    runtime.reset();
    runtime.previousStackOutputs = {
      sessionHosts: Object.fromEntries(
        ["avdcorp-0", "avdcorp-1", "avdcorp-2", "avdcorp-3", "avdcorp-4"].map((h) => [h, { resources: ALL }]),
      ),
    };
    await expect(plainUp()).rejects.toThrow(/no longer declares: avdcorp-4.*count/);
    expect(runtime.registrations).toEqual([]);
  });

  it("refuses when the previous outputs do not say which resources a running host has", async () => {
    runtime.reset();
    runtime.previousStackOutputs = {
      sessionHosts: { "avdcorp-0": { vmName: "avdcorp-0-2026-01-01T00-00-00" } },
    };
    await expect(plainUp()).rejects.toThrow(/do not say which resources session host\(s\) avdcorp-0 have/);
    expect(runtime.registrations).toEqual([]);
  });

  it("refuses pulumi:autonaming, which would override deleteBeforeReplace", async () => {
    runtime.reset();
    configure(4, { "pulumi:autonaming": JSON.stringify({ mode: "verbatim" }) });
    await expect(plainUp()).rejects.toThrow(/pulumi:autonaming.*pulumi config rm pulumi:autonaming/s);
    expect(runtime.registrations).toEqual([]);
  });

  it("the inline program takes the driver's ledger, lets exactly the batch change and exports no secret", async () => {
    runtime.reset();
    const ledger = {
      hosts: new Map(
        ["avdcorp-0", "avdcorp-1", "avdcorp-2", "avdcorp-3"].map((host) => [
          host,
          {
            kinds: new Set(ALL),
            vmPendingReplacement: false,
            vmInitErrors: false,
            dataCollectionRuleId: undefined,
          },
        ]),
      ),
    };
    const program = inline.sessionHostsProgram({
      hosts: ["avdcorp-2"],
      generationTime: new Date("2026-04-15T17:16:07Z"),
      ledger,
    });
    const outputs = (await program()) as SessionHostsStackOutputs;
    await runtime.settle();
    expect(runtime.invokes.map((i) => i.token)).not.toContain("pulumi:pulumi:readStackOutputs");
    const changeable = new Set(
      runtime.registrations
        .filter((r) => r.request.ignorechangesList.length === 0)
        .map((r) => r.name.split("-").slice(0, 2).join("-")),
    );
    expect([...changeable]).toEqual(["avdcorp-2"]);
    expect((await resolveOutput(outputs.sessionHosts["avdcorp-2"]!.vmName)).value).toBe(
      "avdcorp-2-2026-04-15T17-16-07",
    );
    expect(inline.REVISION_TAG_KEY).toBe("avd-rollout-revision");
    const resolved: Record<string, unknown> = {};
    for (const [host, out] of Object.entries(outputs.sessionHosts))
      resolved[host] = { vmName: (await resolveOutput(out.vmName)).value, resources: out.resources };
    const text = JSON.stringify(resolved);
    for (const secret of [ADMIN_PASSWORD, DOMAIN_PASSWORD, MOCK_REGISTRATION_TOKEN])
      expect(text).not.toContain(secret);
  });

  it("a registration that fails: the program returns that error and stack capture is back on", async () => {
    runtime.reset();
    runtime.failRegistrationOf = "avdcorp-1-vm";
    const before = Error.stackTraceLimit;
    const program = inline.sessionHostsProgram({
      hosts: [],
      generationTime: new Date("2026-04-15T17:16:07Z"),
    });
    // The SDK's error carries a pending promise that vitest's rejects matcher waits on: read the message.
    const failure = await withExpectedRejections("avdcorp-1-vm", () =>
      program().then(
        () => "the program succeeded",
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
    );
    expect(failure).toMatch(/failed to register new resource avdcorp-1-vm.*creating avdcorp-1-vm failed/);
    expect(Error.stackTraceLimit).toBe(before);
  });
});
