/**
 * The engine-rules check: the real program, under the mock runtime, rolls configurations out
 * batch by batch on a stack whose engine is the model of engineModel.ts (the engine's and
 * azure-native's rules, each with its source). It is a model, not the engine — the regression
 * guard for the rules docs/program.md relies on:
 * - every batch previews and applies with no abort, and the driver's verdict (the real
 *   automation/pulumi/previewVerdict.ts) finds nothing planned outside the batch;
 * - no step calls Azure for a running host outside the batch — in the driver's updates and in
 *   plain `pulumi up`s between them;
 * - toggling an optional resource changes hosts only as their batches come;
 * - a failed create is recovered by the failed host's next batch (`retry`).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { configurationRevision, parseStackConfig, type RawStackConfig } from "../../../program/config";
import type * as StackProgramModule from "../../../program/stackProgram";
import { adConfig, entraConfig, ids, withValue, type Raw } from "../config/fixtures";
import { installMockRuntime, type MockRuntime } from "../mockRuntime";
import { idReference, type Goal } from "./engineModel";
import { ModelStack, hostOfUrn, type Batch, type UpdateResult } from "./modelStack";

const SHC = "avd-rollout:sessionHostConfiguration";

function withCount(raw: Raw, count: number): Raw {
  return withValue(raw, "avd-rollout:sessionHosts.count", count);
}

function hostsOf(raw: Raw): string[] {
  const { vmNamePrefix, count } = raw["avd-rollout:sessionHosts"] as { vmNamePrefix: string; count: number };
  return Array.from({ length: count }, (_, i) => `${vmNamePrefix}-${i}`);
}

function revisionOf(raw: Raw): string {
  return configurationRevision(parseStackConfig(raw as RawStackConfig));
}

function kindsInState(stack: ModelStack, host: string): string[] {
  return stack.state
    .filter((e) => !e.delete && hostOfUrn(e.urn) === host)
    .map((e) => e.urn.slice(e.urn.lastIndexOf("::") + 2 + host.length + 1))
    .sort();
}

/** Initial host, then batches of `size`, in natural order: as the driver plans them. */
function batchesOf(hosts: readonly string[], size: number): Batch[] {
  const [first, ...rest] = hosts;
  const batches: Batch[] = first === undefined ? [] : [{ hosts: [first] }];
  for (let i = 0; i < rest.length; i += size) batches.push({ hosts: rest.slice(i, i + size) });
  return batches;
}

function expectClean(result: UpdateResult, what: string): void {
  expect(result.refused, what).toBeUndefined();
  expect(result.plan?.errors, what).toEqual([]);
  expect(result.plan?.aborted, what).toBe(false);
  if (result.failed !== undefined) expect(result.failed, what).toBe(false);
}

function touchedHosts(result: UpdateResult): string[] {
  return [...result.touched.keys()].sort();
}

describe("engine rules: rollouts through every batch (model of pulumi v3.248.0 + azure-native v3.28.0)", () => {
  let runtime: MockRuntime;
  let program: typeof StackProgramModule;

  beforeAll(async () => {
    runtime = installMockRuntime({ idOf: idReference });
    program = await import("../../../program/stackProgram");
  });

  function newStack(): ModelStack {
    return new ModelStack(runtime, program);
  }

  /** Creates the pool with a plain `pulumi up`. */
  async function created(raw: Raw): Promise<ModelStack> {
    const stack = newStack();
    stack.configure(raw);
    const up = await stack.up("plain");
    expectClean(up, "initial pulumi up");
    expect(touchedHosts(up)).toEqual(hostsOf(raw).sort());
    return stack;
  }

  /**
   * Rolls `raw` out with the driver's batches, checking every rule; a plain `pulumi up` between
   * batches must not touch Azure. `during` sees the stack after each batch.
   */
  async function rollOut(
    stack: ModelStack,
    raw: Raw,
    batchSize: number,
    during: (done: ReadonlySet<string>) => void = () => undefined,
  ): Promise<void> {
    stack.configure(raw);
    const hosts = hostsOf(raw);
    const revision = revisionOf(raw);
    const outOfDate = hosts.filter((h) => stack.deployedHosts().get(h)?.revision !== revision);
    const done = new Set(hosts.filter((h) => !outOfDate.includes(h)));
    for (const batch of batchesOf(outOfDate, batchSize)) {
      const what = `batch [${batch.hosts.join(", ")}]`;
      const before = stack.deployedHosts();
      const preview = await stack.preview(batch);
      expectClean(preview, `${what} preview`);
      expect(stack.verdict(preview, batch, hosts), `${what} verdict`).toEqual([]);
      expect(touchedHosts(preview), `${what} preview`).toEqual([...batch.hosts].sort());
      const up = await stack.up(batch);
      expectClean(up, `${what} up`);
      expect(touchedHosts(up), `${what} up`).toEqual([...batch.hosts].sort());
      const after = stack.deployedHosts();
      for (const host of hosts) {
        if (batch.hosts.includes(host)) {
          expect(after.get(host)?.revision, `${host} after its batch`).toBe(revision);
          expect(after.get(host)?.vmName, host).not.toBe(before.get(host)?.vmName);
          done.add(host);
        } else {
          expect(after.get(host), `${host} outside ${what}`).toEqual(before.get(host));
        }
      }
      during(done);
      const plainUp = await stack.up("plain");
      expectClean(plainUp, `plain pulumi up after ${what}`);
      expect(touchedHosts(plainUp), `plain pulumi up after ${what}`).toEqual([]);
      expect(stack.deployedHosts()).toEqual(after);
    }
    for (const host of hosts) expect(stack.deployedHosts().get(host)?.revision, host).toBe(revision);
  }

  it.each([
    {
      name: "AD join, custom script, monitoring, zones, gallery image version",
      from: () => withCount(adConfig(), 5),
      to: (raw: Raw) => withValue(raw, `${SHC}.vmSizeId`, "Standard_DC16ads_v5"),
    },
    {
      name: "Entra join with Intune, marketplace image, no zones",
      from: () => withCount(entraConfig(), 4),
      to: (raw: Raw) => withValue(raw, `${SHC}.imageInfo.marketplaceInfo.sku`, "win11-25h2-avd-m365"),
    },
    {
      name: "managed image to gallery image",
      from: () =>
        withValue(
          withValue(withCount(adConfig(), 4), `${SHC}.imageInfo.customInfo.resourceId`, ids.managedImage),
          `${SHC}.securityInfo`,
          { type: "Standard" },
        ),
      to: (raw: Raw) => withValue(raw, `${SHC}.imageInfo.customInfo.resourceId`, ids.galleryImage),
    },
  ])("$name: every batch with no abort and nothing outside the batch", async ({ from, to }) => {
    const raw = from();
    const stack = await created(raw);
    await rollOut(stack, to(raw), 2);
  });

  it.each([
    {
      toggle: "monitoring on",
      path: `${SHC}.monitoring`,
      from: undefined,
      to: { dataCollectionRuleId: ids.dcr },
      kinds: ["dcra", "monitor-agent"],
    },
    {
      toggle: "monitoring off",
      path: `${SHC}.monitoring`,
      from: { dataCollectionRuleId: ids.dcr },
      to: undefined,
      kinds: ["dcra", "monitor-agent"],
    },
    {
      toggle: "custom script on",
      path: `${SHC}.customConfigurationScriptUrl`,
      from: undefined,
      to: "https://stavd.blob.core.windows.net/scripts/configure.ps1",
      kinds: ["custom-script"],
    },
    {
      toggle: "custom script off",
      path: `${SHC}.customConfigurationScriptUrl`,
      from: "https://stavd.blob.core.windows.net/scripts/configure.ps1",
      to: undefined,
      kinds: ["custom-script"],
    },
  ])("$toggle: hosts change only as their batches come", async ({ path, from, to, kinds }) => {
    const raw = withValue(withCount(adConfig(), 5), path, from);
    const stack = await created(raw);
    const hosts = hostsOf(raw);
    const has = (host: string) => kinds.every((kind) => kindsInState(stack, host).includes(kind));
    for (const host of hosts) expect(has(host), host).toBe(from !== undefined);
    await rollOut(stack, withValue(structuredClone(raw), path, to), 2, (done) => {
      for (const host of hosts)
        expect(has(host), `${host} (${done.has(host) ? "updated" : "waiting"})`).toBe(
          done.has(host) === (to !== undefined),
        );
    });
  });

  it("a pool created without monitoring keeps its running hosts as they are when a plain up sees it turned on", async () => {
    const raw = withValue(withCount(adConfig(), 3), `${SHC}.monitoring`, undefined);
    const stack = await created(raw);
    stack.configure(
      withValue(withCount(structuredClone(raw), 4), `${SHC}.monitoring`, { dataCollectionRuleId: ids.dcr }),
    );
    const up = await stack.up("plain");
    expectClean(up, "plain up");
    // Only the new host is created, with the current configuration.
    expect(touchedHosts(up)).toEqual(["avdcorp-3"]);
    expect(kindsInState(stack, "avdcorp-3")).toContain("monitor-agent");
    expect(kindsInState(stack, "avdcorp-0")).not.toContain("monitor-agent");
  });

  it("count lowered: a plain up and the driver refuse before anything is planned", async () => {
    const raw = withCount(adConfig(), 4);
    const stack = await created(raw);
    const state = structuredClone(stack.state);
    stack.configure(withCount(structuredClone(raw), 3));
    const plain = await stack.up("plain");
    expect(plain.refused).toMatch(/no longer declares: avdcorp-3/);
    const driver = await stack.preview({ hosts: ["avdcorp-0"] });
    expect(driver.refused).toMatch(/no longer declares: avdcorp-3/);
    expect(stack.state).toEqual(state);
  });

  describe("a failed create is recovered by retry", () => {
    async function failedBatch(kind: "clean" | "partial") {
      const raw = withCount(adConfig(), 5);
      const stack = await created(raw);
      const next = withValue(structuredClone(raw), `${SHC}.vmSizeId`, "Standard_DC16ads_v5");
      stack.configure(next);
      const before = stack.deployedHosts();
      const up = await stack.up(
        { hosts: ["avdcorp-0"] },
        { urn: "urn:pulumi:test::avd-rollout::azure-native:compute:VirtualMachine::avdcorp-0-vm", kind },
      );
      expect(up.failed).toBe(true);
      expect(touchedHosts(up).every((h) => h === "avdcorp-0")).toBe(true);
      return { stack, next, before, hosts: hostsOf(raw) };
    }

    it.each(["clean", "partial"] as const)(
      "%s failure: nothing else touched, retry finishes the host",
      async (kind) => {
        const { stack, next, before, hosts } = await failedBatch(kind);
        const revision = revisionOf(next);
        // A clean failure leaves the original VM the host's generation; a partial one records the failed VM.
        const failedVm = stack.deployedHosts().get("avdcorp-0")!;
        if (kind === "clean") expect(failedVm).toEqual(before.get("avdcorp-0"));
        else expect(failedVm.revision).toBe(revision);
        expect(stack.state.filter((e) => e.pendingReplacement)).toEqual([]);

        // A batch without the failed host: after a clean failure it passes the engine and the
        // verdict (dropping state-only leftovers is not refused); after a partial one the engine
        // would retry the failed VM's create (E8), so the program refuses, naming the host.
        const other = { hosts: ["avdcorp-1", "avdcorp-2"] };
        const preview = await stack.preview(other);
        if (kind === "clean") {
          expectClean(preview, "next batch preview");
          expect(stack.verdict(preview, other, hosts)).toEqual([]);
          const up = await stack.up(other);
          expectClean(up, "next batch up");
          expect(touchedHosts(up)).toEqual(["avdcorp-1", "avdcorp-2"]);
        } else {
          expect(preview.refused).toMatch(/avdcorp-0 failed to finish its create.*avd-rollout retry/);
        }

        // retry: the failed host in its own batch again.
        const retry = { hosts: ["avdcorp-0"] };
        const retryPreview = await stack.preview(retry);
        expectClean(retryPreview, "retry preview");
        expect(stack.verdict(retryPreview, retry, hosts)).toEqual([]);
        const retried = await stack.up(retry);
        expectClean(retried, "retry up");
        expect(touchedHosts(retried)).toEqual(["avdcorp-0"]);
        const after = stack.deployedHosts().get("avdcorp-0")!;
        expect(after.revision).toBe(revision);
        expect(after.vmName).not.toBe(failedVm.vmName);
        expect(stack.state.filter((e) => e.delete || e.pendingReplacement || e.initErrors)).toEqual([]);
        const plain = await stack.up("plain");
        expectClean(plain, "plain up after retry");
        expect(touchedHosts(plain)).toEqual([]);
      },
    );

    it("a clean failure: a plain up afterwards touches nothing in Azure", async () => {
      const { stack } = await failedBatch("clean");
      const plain = await stack.up("plain");
      expectClean(plain, "plain up");
      expect(touchedHosts(plain)).toEqual([]);
    });
  });

  describe("the defects the model catches (the program before this change)", () => {
    /** Registrations as the earlier program made them: no deleteBeforeReplace, every kept resource protected. */
    function earlierProgram(goals: Goal[]): Goal[] {
      return goals.map((goal) => ({
        ...goal,
        deleteBeforeReplace: undefined,
        protect: goal.ignoreChanges.length > 0 || goal.protect,
      }));
    }

    it("with monitoring, the first batch aborts in preview on the protected association", async () => {
      const stack = await created(withCount(adConfig(), 3));
      // The next update records every host protected (as the earlier program's plain up did).
      stack.transformGoals = earlierProgram;
      stack.configure(withCount(adConfig(), 3));
      expectClean(await stack.up("plain"), "plain up");
      stack.configure(withValue(withCount(adConfig(), 3), `${SHC}.vmSizeId`, "Standard_DC16ads_v5"));
      const preview = await stack.preview({ hosts: ["avdcorp-0"] });
      expect(preview.plan?.aborted).toBe(true);
      expect(preview.plan?.errors.join("\n")).toMatch(
        /unable to replace resource ".*avdcorp-0-dcra" as part of replacing ".*avdcorp-0-vm"/,
      );
    });

    it("without monitoring, a failed create leaves the VM pending replacement; every later up fails until retry", async () => {
      const raw = withValue(withCount(adConfig(), 3), `${SHC}.monitoring`, undefined);
      const stack = await created(raw);
      stack.transformGoals = earlierProgram;
      stack.configure(raw);
      expectClean(await stack.up("plain"), "plain up");
      const next = withValue(structuredClone(raw), `${SHC}.vmSizeId`, "Standard_DC16ads_v5");
      stack.configure(next);
      const vm = "urn:pulumi:test::avd-rollout::azure-native:compute:VirtualMachine::avdcorp-0-vm";
      expect((await stack.up({ hosts: ["avdcorp-0"] }, { urn: vm, kind: "clean" })).failed).toBe(true);
      expect(stack.state.find((e) => e.urn === vm)?.pendingReplacement).toBe(true);
      // Every later update with the host outside its batch fails on the protected pending VM.
      const state = structuredClone(stack.state);
      const blocked = await stack.up("plain");
      expect(blocked.failed).toBe(true);
      expect(blocked.plan?.errors.join("\n")).toMatch(/unable to replace resource ".*avdcorp-0-vm"/);
      // This program: a plain up still fails on it in the engine, touching nothing; the driver
      // reports the pending VM as the host's generation, refuses a batch without the host with a
      // clear message, and retry (the host in its batch) finishes it.
      stack.transformGoals = (goals) => goals;
      const plain = await stack.up("plain");
      expect(plain.failed).toBe(true);
      expect(touchedHosts(plain)).toEqual([]);
      expect(stack.state).toEqual(state);
      expect(stack.deployedHosts().get("avdcorp-0")?.revision).toBe(revisionOf(raw));
      expect((await stack.preview({ hosts: ["avdcorp-1"] })).refused).toMatch(
        /avdcorp-0 is pending replacement.*retry/,
      );
      const retry = await stack.up({ hosts: ["avdcorp-0"] });
      expectClean(retry, "retry");
      expect(stack.deployedHosts().get("avdcorp-0")?.revision).toBe(revisionOf(next));
      expect(stack.state.filter((e) => e.pendingReplacement || e.delete)).toEqual([]);
    });
  });
});
