/**
 * The adapter's own flow on a scripted stack (the Automation API's Stack replaced by a fake that
 * replays engine events), since no Pulumi CLI can run here.
 */
import { describe, expect, it } from "vitest";
import type {
  ConfigMap,
  Deployment,
  EngineEvent,
  PreviewOptions,
  PulumiFn,
  UpOptions,
} from "@pulumi/pulumi/automation";
import { BusyError, InputError } from "../../automation/core/errors";
import type { DesiredPool } from "../../automation/core/ports";
import { AutomationStackAdapter, type StackLike } from "../../automation/pulumi/stackAdapter";
import type { StateLedger } from "../../program/ledger/stateLedger";
import { diagnostic, preEvent, urnOf } from "./engineEvents";

const TAG = "avd-rollout-revision";
const VM = "azure-native:compute:VirtualMachine";
const EXT = "azure-native:compute:VirtualMachineExtension";
const HOSTS = ["avd-0", "avd-1", "avd-2"];
const SECRET = "Adm1n-Pa55word-Zx9!";

const config: ConfigMap = {
  "avd-rollout:sessionHosts": { value: JSON.stringify({ vmNamePrefix: "avd", count: 3 }) },
  "avd-rollout:sessionHostConfiguration": {
    value: JSON.stringify({ vmAdminCredentials: { username: "u", password: SECRET } }),
    secret: true,
  },
};

const desired: DesiredPool = {
  revision: "r2",
  hosts: HOSTS,
  update: { maxVmsRemoved: 1, logOffDelayMinutes: 0, logOffMessage: "m", deleteOriginalVm: false },
};

function deployment(): Deployment {
  return {
    version: 3,
    deployment: {
      resources: HOSTS.map((host) => ({
        urn: urnOf(VM, `${host}-vm`),
        type: VM,
        outputs: {
          name: `${host}-2026-01-01T00-00-00`,
          id: `/vms/${host}`,
          osProfile: { computerName: host },
          tags: { [TAG]: "r1" },
        },
      })),
    },
  };
}

interface Script {
  previewEvents?: EngineEvent[];
  upEvents?: EngineEvent[];
  upError?: Error;
  openError?: Error;
}

function scripted(script: Script) {
  const calls: { op: string; program: PulumiFn | undefined }[] = [];
  const programs: { hosts: string[]; generationTime: Date; ledger?: StateLedger }[] = [];
  const engineDone = { count: 0 };
  const stack: StackLike = {
    exportStack: async () => deployment(),
    getAllConfig: async () => config,
    previewRefresh: async () => ({ stdout: "", stderr: "", changeSummary: {} }),
    preview: async (options?: PreviewOptions) => {
      calls.push({ op: "preview", program: options?.program });
      for (const event of script.previewEvents ?? []) options?.onEvent?.(event);
      return { stdout: "", stderr: "", changeSummary: {} };
    },
    up: async (options?: UpOptions) => {
      calls.push({ op: "up", program: options?.program });
      for (const event of script.upEvents ?? []) options?.onEvent?.(event);
      if (script.upError) throw script.upError;
      return { stdout: "", stderr: "", outputs: {}, summary: {} as never };
    },
  };
  const adapter = new AutomationStackAdapter({
    stackName: "prod",
    projectDir: "/repo",
    now: () => new Date("2026-04-15T17:16:07Z"),
    binding: {
      revisionTagKey: TAG,
      desiredFromConfig: () => desired,
      afterEngine: () => void (engineDone.count += 1),
      programFor: (batch) => {
        programs.push(batch);
        return async () => ({});
      },
    },
    openStack: async () => {
      if (script.openError) throw script.openError;
      return stack;
    },
  });
  return { adapter, calls, programs, engineDone };
}

describe("AutomationStackAdapter", () => {
  it("reads the ledger and the desired pool", async () => {
    const { adapter } = scripted({});
    expect(await adapter.readDesired()).toBe(desired);
    expect((await adapter.readDeployedHosts()).map((h) => [h.host, h.revision])).toEqual([
      ["avd-0", "r1"],
      ["avd-1", "r1"],
      ["avd-2", "r1"],
    ]);
  });

  it("previews the batch's program and refuses resources outside the batch", async () => {
    const { adapter, calls, programs } = scripted({
      previewEvents: [preEvent("replace", urnOf(VM, "avd-1-vm")), preEvent("replace", urnOf(VM, "avd-2-vm"))],
    });
    const verdict = await adapter.preview({ index: 1, hosts: ["avd-1"] });
    expect(verdict.outsideBatchChanges).toEqual([urnOf(VM, "avd-2-vm")]);
    expect(verdict.batchChanges).toEqual([urnOf(VM, "avd-1-vm")]);
    expect(calls.map((c) => c.op)).toEqual(["preview"]);
    expect(calls[0]?.program).toBeTypeOf("function");
    const program = programs.at(-1)!;
    expect(program).toMatchObject({ hosts: ["avd-1"], generationTime: new Date("2026-04-15T17:16:07Z") });
    // The program gets the ledger read from the state just before.
    expect([...(program.ledger?.hosts.keys() ?? [])]).toEqual(HOSTS);
    expect([...(program.ledger?.hosts.get("avd-1")?.kinds ?? [])]).toEqual(["vm"]);
  });

  it("runs up with the batch program and reports success", async () => {
    const { adapter, programs } = scripted({});
    expect(await adapter.up({ index: 0, hosts: ["avd-0"] })).toEqual({ result: "succeeded" });
    expect(programs.at(-1)?.hosts).toEqual(["avd-0"]);
  });

  it("tells the program host after every engine call, failed ones too (stack capture comes back)", async () => {
    const { adapter, engineDone } = scripted({ upError: new Error("CommandError: code: 255") });
    await adapter.up({ index: 0, hosts: ["avd-0"] });
    const afterUp = engineDone.count;
    expect(afterUp).toBeGreaterThan(0);
    await adapter.preview({ index: 0, hosts: ["avd-0"] });
    expect(engineDone.count).toBeGreaterThan(afterUp);
  });

  it("attributes a failed up to its hosts with secrets redacted", async () => {
    const { adapter } = scripted({
      upEvents: [
        diagnostic(
          `error: extension failed: AgentRegistrationFailureGeneric (admin password ${SECRET})`,
          urnOf(EXT, "avd-1-avdAgent"),
        ),
        diagnostic("error: update failed"),
      ],
      upError: new Error(`CommandError: code: 255\n stderr: update failed ${SECRET}`),
    });
    const result = await adapter.up({ index: 1, hosts: ["avd-1"] });
    expect(result.result).toBe("failed");
    expect(Object.keys(result.failedHosts ?? {})).toEqual(["avd-1"]);
    expect(result.failedHosts?.["avd-1"]).toContain("AgentRegistrationFailureGeneric");
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(result.error).toContain("transient: avd-1");
  });

  it("turns a locked stack into BusyError (exit 3) and an unknown stack into InputError (exit 2)", async () => {
    const locked = scripted({
      upError: new Error(
        "ConcurrentUpdateError: the stack is currently locked by 1 lock(s): bob@ci since 2026-04-15T10:00:00Z",
      ),
    });
    await expect(locked.adapter.up({ index: 0, hosts: ["avd-0"] })).rejects.toThrow(BusyError);
    const missing = scripted({ openError: new Error("error: no stack named 'prod' found") });
    await expect(missing.adapter.readDesired()).rejects.toThrow(InputError);
    await expect(missing.adapter.readDesired()).rejects.toThrow(
      /--stack prod: no such stack.*pulumi stack init prod/,
    );
  });

  it("lists what a plain up would change, for drift", async () => {
    const { adapter, programs } = scripted({
      previewEvents: [preEvent("same", urnOf(VM, "avd-0-vm")), preEvent("create", urnOf(VM, "avd-3-vm"))],
    });
    expect(await adapter.pendingChanges()).toEqual([{ urn: urnOf(VM, "avd-3-vm"), op: "create" }]);
    expect(programs.at(-1)?.hosts).toEqual([]);
  });
});
