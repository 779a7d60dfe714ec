/**
 * The simulated AzureEnvironment port and the Azure adapter over the emulator answer alike: the
 * same catalog, read both ways, gives the same preflight report, check for check, in a
 * subscription where everything passes and in ones where each kind of fact fails.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvironmentCatalog } from "../../../automation/preflight/catalog";
import type { PreflightReport } from "../../../automation/preflight/report";
import { runPreflight } from "../../../automation/preflight/runPreflight";
import { SimulatedAzureEnvironment } from "../../../automation/preflight/simulatedEnvironment";
import type { PreflightTarget } from "../../../automation/preflight/target";
import { startPreflightHarness, type PreflightHarness } from "./harness";

const PLAN = { name: "win11-avd-hardened", publisher: "contoso-images", product: "hardened-avd" };
const RULE =
  "/subscriptions/00000000-0000-0000-0000-0000000000aa/resourceGroups/rg-monitor/providers/Microsoft.Insights/dataCollectionRules/dcr-avd";

const variations: [string, (catalog: EnvironmentCatalog, target: PreflightTarget) => void][] = [
  ["everything fits", () => undefined],
  [
    "a full family",
    (c, t) => {
      t.vmSize = "Standard_D8s_v5";
      Object.assign(
        c.usages.find((u) => u.name === "standardDSv5Family")!,
        { current: 99, limit: 100 },
      );
    },
  ],
  [
    "a restricted zone",
    (c) =>
      c.skus[1]!.restrictions.push({ type: "Zone", reasonCode: "NotAvailableForSubscription", zones: ["2"] }),
  ],
  ["a Gen1 image", (c) => c.marketplaceImages.forEach((i) => (i.hyperVGeneration = "V1"))],
  ["terms not accepted", (c) => (c.agreements[0]!.accepted = false)],
  [
    "a full subnet",
    (c) => Object.assign(c.subnets[0]!, { addressPrefixes: ["10.0.1.0/29"], ipConfigurations: 3 }),
  ],
  [
    "a reader",
    (c) =>
      (c.permissions = [
        { scope: "/subscriptions/00000000-0000-0000-0000-0000000000aa", actions: ["*/read"], notActions: [] },
      ]),
  ],
  [
    "a missing rule and script",
    (c) => {
      c.dataCollectionRules.length = 0;
      c.urls = {};
    },
  ],
];

describe("simulated and emulated AzureEnvironment agree", () => {
  let h: PreflightHarness;
  const pristine: { catalog?: EnvironmentCatalog; target?: PreflightTarget } = {};

  beforeAll(async () => {
    h = await startPreflightHarness({
      target: (t, { downloads }) => {
        t.purchasePlan = { ...PLAN };
        t.dataCollectionRuleId = RULE;
        t.urls = [{ key: "customConfigurationScriptUrl", url: `${downloads}/scripts/configure.ps1` }];
      },
    });
    pristine.catalog = structuredClone(h.catalog);
    pristine.target = structuredClone(h.target);
  });
  afterAll(() => h.close());

  it.each(variations)("with %s", async (_name, change) => {
    // Restore the passing subscription in place: the emulator serves this very object.
    Object.assign(h.catalog, structuredClone(pristine.catalog));
    Object.assign(h.target, structuredClone(pristine.target));
    change(h.catalog, h.target);
    const run = (environment: typeof h.environment): Promise<PreflightReport> =>
      runPreflight({
        target: h.target,
        rollout: h.rollout,
        environment,
        hostPool: h.ports.hostPool,
        compute: h.ports.compute,
      });
    const emulated = await run(h.environment);
    const simulated = await run(new SimulatedAzureEnvironment(h.catalog));
    expect(simulated).toEqual(emulated);
    expect(h.emulator.log.violations()).toEqual([]);
  });

  it("covers a failing check in every variation but the first", async () => {
    Object.assign(h.catalog, structuredClone(pristine.catalog));
    Object.assign(h.target, structuredClone(pristine.target));
    const failedChecks = new Set<string>();
    for (const [, change] of variations.slice(1)) {
      Object.assign(h.catalog, structuredClone(pristine.catalog));
      Object.assign(h.target, structuredClone(pristine.target));
      change(h.catalog, h.target);
      const report = await runPreflight({
        target: h.target,
        rollout: h.rollout,
        environment: new SimulatedAzureEnvironment(h.catalog),
        hostPool: h.ports.hostPool,
        compute: h.ports.compute,
      });
      expect(report.result).toBe("failed");
      for (const check of report.checks) if (check.status === "failed") failedChecks.add(check.id);
    }
    expect([...failedChecks].sort()).toEqual(
      [
        "access",
        "dataCollectionRule",
        "downloadUrls",
        "image",
        "purchasePlan",
        "quota",
        "subnet",
        "vmSize",
      ].sort(),
    );
  });
});
