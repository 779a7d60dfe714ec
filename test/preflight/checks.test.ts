/** The preflight's pure parts: address arithmetic, permission matching, versions, quota sizing, report text. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isAllowed } from "../../automation/preflight/checks/access";
import { quotaCheck, type OriginalVm, type QuotaInput } from "../../automation/preflight/checks/quota";
import { displayUrl, downloadUrlsCheck } from "../../automation/preflight/checks/references";
import { addressesNeeded, usableAddresses } from "../../automation/preflight/checks/subnet";
import { standardSkus } from "../../automation/preflight/catalog";
import { preflightLines, refusalMessage, reportOf } from "../../automation/preflight/report";
import { skuIndex, vcpusOf } from "../../automation/preflight/skus";
import { compareVersions, latestVersion } from "../../automation/preflight/versions";

describe("subnet arithmetic", () => {
  it("counts usable IPv4 addresses net of Azure's 5 reserved per prefix", () => {
    expect(usableAddresses("10.0.1.0/24")).toBe(251);
    expect(usableAddresses("10.0.1.0/29")).toBe(3);
    expect(usableAddresses("10.0.0.0/16")).toBe(65531);
    expect(usableAddresses("fd00::/64")).toBe(0);
    expect(usableAddresses("not a prefix")).toBe(0);
  });

  it("needs a batch at once when originals are deleted, one per host when they are kept", () => {
    const outOfDate = Array.from({ length: 7 }, (_, i) => ({ host: `h-${i}`, vmResourceId: `vm-${i}` }));
    expect(addressesNeeded({ outOfDate, batchSize: 3, deleteOriginalVm: true })).toBe(3);
    expect(addressesNeeded({ outOfDate, batchSize: 30, deleteOriginalVm: true })).toBe(7);
    expect(addressesNeeded({ outOfDate, batchSize: 3, deleteOriginalVm: false })).toBe(7);
  });
});

describe("permission matching", () => {
  const contributor = { actions: ["*"], notActions: ["Microsoft.Authorization/*/Write"] };
  it("matches wildcards case-insensitively and subtracts notActions of the same entry", () => {
    expect(isAllowed("Microsoft.Compute/virtualMachines/deallocate/action", [contributor])).toBe(true);
    expect(isAllowed("Microsoft.Authorization/roleAssignments/write", [contributor])).toBe(false);
    expect(
      isAllowed("microsoft.desktopvirtualization/HOSTPOOLS/write", [
        { actions: ["Microsoft.DesktopVirtualization/hostpools/*"], notActions: [] },
      ]),
    ).toBe(true);
    expect(
      isAllowed("Microsoft.Compute/virtualMachines/write", [{ actions: ["*/read"], notActions: [] }]),
    ).toBe(false);
  });

  it("grants what any entry grants (an entry's notActions do not deny another entry's actions)", () => {
    const narrow = { actions: ["Microsoft.Authorization/roleAssignments/write"], notActions: [] };
    expect(isAllowed("Microsoft.Authorization/roleAssignments/write", [contributor, narrow])).toBe(true);
  });
});

describe("versions", () => {
  it("compares numerically, so 1.10.0 is later than 1.9.0", () => {
    expect(compareVersions("1.10.0", "1.9.0")).toBeGreaterThan(0);
    expect(latestVersion(["26100.3775.250406", "26100.4061.250605", "22631.5335.250506"])).toBe(
      "26100.4061.250605",
    );
    expect(latestVersion([])).toBeUndefined();
  });
});

describe("vCPU quota sizing", () => {
  const skus = skuIndex(standardSkus());
  const base = (originals: OriginalVm[], vmSize: string, batchSize = 2): QuotaInput => ({
    location: "westeurope",
    vmSize,
    skus,
    usages: [
      { name: "cores", displayName: "Total Regional vCPUs", current: 0, limit: -1 },
      {
        name: "standardDADSv5Family",
        displayName: "Standard DADSv5 Family vCPUs",
        current: 0,
        limit: 10_000,
      },
      { name: "standardDSv5Family", displayName: "Standard DSv5 Family vCPUs", current: 0, limit: 10_000 },
    ],
    originals,
    batchSize,
    deleteOriginalVm: true,
  });
  const needed = (input: QuotaInput, row: string): number => {
    const line = quotaCheck(input).details!.find((d) => d.includes(`(${row})`))!;
    return Number(/needs up to (\d+)/.exec(line)![1]);
  };

  it("charges the full new size for a VM that no longer exists or whose size is unknown", () => {
    const input = base(
      [
        { host: "a", power: "missing" },
        { host: "b", power: "allocated" },
      ],
      "Standard_D4ads_v5",
    );
    expect(needed(input, "standardDADSv5Family")).toBe(8);
    expect(quotaCheck(input).details!.join("\n")).toContain("1 running original(s) of unknown size");
  });

  it("never credits more than a bigger original frees, and no limit never fails", () => {
    const input = base([{ host: "a", vmSize: "Standard_D8ads_v5", power: "allocated" }], "Standard_D4ads_v5");
    expect(needed(input, "standardDADSv5Family")).toBe(0);
    expect(needed(input, "cores")).toBe(0);
    expect(quotaCheck(input).status).toBe("passed");
  });

  it("bounds the peak usage of a rollout run batch by batch, whatever the originals", () => {
    const sizes = [
      "Standard_D2ads_v5",
      "Standard_D4ads_v5",
      "Standard_D8ads_v5",
      "Standard_D4s_v5",
      "Standard_D8s_v5",
    ];
    const original = fc.record({
      vmSize: fc.option(fc.constantFrom(...sizes), { nil: undefined }),
      power: fc.constantFrom<OriginalVm["power"]>("allocated", "deallocated", "missing"),
    });
    fc.assert(
      fc.property(
        fc.array(original, { minLength: 1, maxLength: 12 }),
        fc.constantFrom(...sizes),
        fc.integer({ min: 1, max: 5 }),
        (list, newSize, batch) => {
          const originals = list.map((o, i) => ({ host: `h-${i}`, ...o }));
          const input = base(originals, newSize, batch);
          const n = vcpusOf(skus.get(newSize.toLowerCase())!)!;
          const family = skus.get(newSize.toLowerCase())!.family;
          // The driver's order per batch: deallocate the allocated originals, create the new VMs,
          // deallocate again the new VMs of hosts that were deallocated.
          const cost = (o: OriginalVm, sameFamilyOnly: boolean): number => {
            if (o.power !== "allocated" || !o.vmSize) return 0;
            const sku = skus.get(o.vmSize.toLowerCase())!;
            return sameFamilyOnly && sku.family !== family ? 0 : vcpusOf(sku)!;
          };
          for (const [row, sameFamilyOnly] of [
            [family, true],
            ["cores", false],
          ] as const) {
            let usage = 0;
            let peak = 0;
            const plan = [
              originals.slice(0, 1),
              ...Array.from({ length: Math.ceil((originals.length - 1) / batch) }, (_, k) =>
                originals.slice(1 + k * batch, 1 + (k + 1) * batch),
              ),
            ];
            for (const hosts of plan) {
              for (const o of hosts) usage -= cost(o, sameFamilyOnly);
              usage += n * hosts.length;
              peak = Math.max(peak, usage);
              for (const o of hosts) if (o.power === "deallocated") usage -= n;
            }
            expect(peak).toBeLessThanOrEqual(needed(input, row));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("download URLs", () => {
  it("never shows a query string, and fails a URL that does not answer", () => {
    expect(displayUrl("https://st.blob.core.windows.net/s/c.ps1?sv=1&sig=abc")).toBe(
      "https://st.blob.core.windows.net/s/c.ps1?…",
    );
    const check = downloadUrlsCheck([
      {
        configured: { key: "customConfigurationScriptUrl", url: "https://nowhere.invalid/c.ps1?sig=abc" },
        result: { ok: true, value: { error: "ENOTFOUND" } },
      },
      {
        configured: { key: "agentPackageUrl", url: "https://st.example/a.zip" },
        result: { ok: true, value: { status: 503 } },
      },
    ]);
    expect(check.status).toBe("failed");
    expect(check.summary).toBe(
      "customConfigurationScriptUrl https://nowhere.invalid/c.ps1?… does not answer (ENOTFOUND)",
    );
    expect(JSON.stringify(check)).not.toContain("sig=");
  });
});

describe("report text", () => {
  const report = reportOf([
    {
      id: "quota",
      status: "failed",
      summary: "Standard DSv5 Family vCPUs in westeurope: 4 free, the rollout needs up to 32 (28 missing)",
      fix: "request an increase",
    },
    { id: "vmSize", status: "passed", summary: "offered" },
    {
      id: "dataCollectionRule",
      status: "warning",
      summary: "could not check data collection rule x: HTTP 500",
    },
    { id: "downloadUrls", status: "skipped", summary: "none" },
  ]);

  it("is a headline, one line per failure or warning (with its fix), and the passed checks together", () => {
    expect(report.result).toBe("failed");
    expect(preflightLines(report)).toEqual([
      "Preflight: FAILED, 1 of 4 check(s); `start` refuses until this is fixed:",
      "  FAIL vCPU quota: Standard DSv5 Family vCPUs in westeurope: 4 free, the rollout needs up to 32 (28 missing)",
      "       fix: request an increase",
      "  warn data collection rule: could not check data collection rule x: HTTP 500",
      "  ok   VM size",
    ]);
  });

  it("refuses naming each failed check, its fix, and how to check again", () => {
    expect(refusalMessage(report, "prod")).toBe(
      [
        "preflight failed for stack prod: the rollout would stop part-way, after users were signed out, so nothing was started and nothing was changed:",
        "  - vCPU quota: Standard DSv5 Family vCPUs in westeurope: 4 free, the rollout needs up to 32 (28 missing); fix: request an increase",
        "Run `avd-rollout plan --stack prod` to check again.",
      ].join("\n"),
    );
  });
});
