/**
 * The configuration revision: stable under YAML key order, different for any change to the
 * session host configuration (credentials included), blind to what does not define a host, and
 * free of any secret.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import {
  configurationRevision,
  configurationRevisionInput,
  parseStackConfig,
  REVISION_PATTERN,
} from "../../../program/config";
import { SecretValue } from "../../../program/config/secret";
import {
  ADMIN_PASSWORD,
  adConfig,
  DOMAIN_PASSWORD,
  entraConfig,
  ids,
  INTUNE,
  type Raw,
  withValue,
} from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";
const revisionOf = (raw: Raw): string => configurationRevision(parseStackConfig(raw));

/** A deep copy of `value` whose object keys are re-inserted in a random order. */
function reorder(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((inner) => reorder(inner, random));
  if (typeof value !== "object" || value === null) return value;
  const keys = Object.keys(value);
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  return Object.fromEntries(
    keys.map((key) => [key, reorder((value as Record<string, unknown>)[key], random)]),
  );
}

/** Deterministic PRNG (mulberry32) so a fast-check seed reproduces the order. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function leafPaths(value: unknown, prefix: string): string[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return [prefix];
  return Object.entries(value).flatMap(([key, inner]) => leafPaths(inner, `${prefix}.${key}`));
}

interface Change {
  base: "ad" | "entra";
  path: string;
  value: unknown;
  /** Edits the change needs to stay valid. */
  also?: Array<[string, unknown]>;
}

const bases = { ad: adConfig, entra: entraConfig };

/** One change per leaf of each base configuration (checked below), plus structural changes. */
const changes: Change[] = [
  { base: "ad", path: `${SHC}.vmSizeId`, value: "Standard_D16ads_v5" },
  { base: "ad", path: `${SHC}.imageInfo.customInfo.resourceId`, value: ids.galleryImage },
  { base: "ad", path: `${SHC}.purchasePlan.name`, value: "plan-2" },
  { base: "ad", path: `${SHC}.purchasePlan.publisher`, value: "vendor-2" },
  { base: "ad", path: `${SHC}.purchasePlan.product`, value: "product-2" },
  { base: "ad", path: `${SHC}.purchasePlan.promotionCode`, value: "promo" },
  { base: "ad", path: `${SHC}.purchasePlan`, value: undefined },
  { base: "ad", path: `${SHC}.diskInfo.type`, value: "Premium_LRS" },
  { base: "ad", path: `${SHC}.diskInfo.sizeGb`, value: 512 },
  { base: "ad", path: `${SHC}.securityInfo.type`, value: "TrustedLaunch" },
  { base: "entra", path: `${SHC}.securityInfo.secureBootEnabled`, value: false },
  { base: "entra", path: `${SHC}.securityInfo.vTpmEnabled`, value: false },
  { base: "ad", path: `${SHC}.networkInfo.subnetId`, value: ids.subnet.replace("/hosts", "/hosts2") },
  { base: "ad", path: `${SHC}.networkInfo.securityGroupId`, value: ids.nsg.replace("nsg-hosts", "nsg-2") },
  { base: "ad", path: `${SHC}.networkInfo.acceleratedNetworking`, value: false },
  { base: "ad", path: `${SHC}.availabilityZones`, value: ["2", "1", "3"] },
  {
    base: "ad",
    path: `${SHC}.domainInfo.joinType`,
    value: "AzureActiveDirectory",
    also: [[`${SHC}.domainInfo.activeDirectoryInfo`, undefined]],
  },
  {
    base: "ad",
    path: `${SHC}.domainInfo.activeDirectoryInfo.domainName`,
    value: "emea.corp.contoso.com",
    also: [[`${SHC}.domainInfo.activeDirectoryInfo.ouPath`, "OU=AVD,DC=emea,DC=corp,DC=contoso,DC=com"]],
  },
  {
    base: "ad",
    path: `${SHC}.domainInfo.activeDirectoryInfo.ouPath`,
    value: "OU=AVD2,DC=corp,DC=contoso,DC=com",
  },
  {
    base: "ad",
    path: `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.username`,
    value: "join2@corp.contoso.com",
  },
  {
    base: "ad",
    path: `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.password`,
    value: `${DOMAIN_PASSWORD}x`,
  },
  { base: "ad", path: `${SHC}.vmAdminCredentials.username`, value: "avdadmin2" },
  { base: "ad", path: `${SHC}.vmAdminCredentials.password`, value: `${ADMIN_PASSWORD}x` },
  {
    base: "ad",
    path: `${SHC}.customConfigurationScriptUrl`,
    value: "https://stavd.blob.core.windows.net/scripts/v2.ps1",
  },
  { base: "ad", path: `${SHC}.bootDiagnosticsInfo.enabled`, value: false },
  {
    base: "ad",
    path: `${SHC}.bootDiagnosticsInfo.storageUri`,
    value: "https://stdiag.blob.core.windows.net/",
  },
  { base: "ad", path: `${SHC}.monitoring.dataCollectionRuleId`, value: ids.dcr.replace("dcr-avd", "dcr-2") },
  {
    base: "ad",
    path: `${SHC}.agentPackageUrl`,
    value: "https://stavd.blob.core.windows.net/avd/Configuration-2.zip",
  },
  { base: "ad", path: `${SHC}.vmTags.costCenter`, value: "43" },
  { base: "ad", path: `${SHC}.vmTags.owner`, value: undefined },
  { base: "ad", path: "azure-native:location", value: "northeurope" },
  { base: "ad", path: "avd-rollout:sessionHosts.vmResourceGroup", value: "rg-avd-hosts-2" },
  { base: "entra", path: `${SHC}.imageInfo.marketplaceInfo.publisher`, value: "MicrosoftWindowsDesktop2" },
  { base: "entra", path: `${SHC}.imageInfo.marketplaceInfo.offer`, value: "windows-11" },
  { base: "entra", path: `${SHC}.imageInfo.marketplaceInfo.sku`, value: "win11-24h2-avd" },
  { base: "entra", path: `${SHC}.imageInfo.marketplaceInfo.exactVersion`, value: "26100.2314.241107" },
  {
    base: "entra",
    path: `${SHC}.domainInfo.azureActiveDirectoryInfo.mdmProviderGuid`,
    value: INTUNE.replace("a", "b"),
  },
  { base: "entra", path: `${SHC}.domainInfo.azureActiveDirectoryInfo`, value: undefined },
  { base: "entra", path: `${SHC}.availabilityZones`, value: ["1"] },
];

describe("configurationRevision", () => {
  it("is 16 lower-case hex digits", () => {
    expect(revisionOf(entraConfig())).toMatch(REVISION_PATTERN);
  });

  it("is the same however the YAML is ordered", () => {
    const expected = { ad: revisionOf(adConfig()), entra: revisionOf(entraConfig()) };
    fc.assert(
      fc.property(fc.constantFrom<"ad" | "entra">("ad", "entra"), fc.integer(), (base, seed) => {
        const shuffled = reorder(bases[base](), prng(seed)) as Raw;
        expect(revisionOf(shuffled)).toBe(expected[base]);
      }),
      { numRuns: 15 },
    );
  });

  it("is deterministic: a pinned configuration keeps its pinned revision on every machine", () => {
    // Changing the scheme would mark every deployed host of every user out of date: keep this value.
    expect(revisionOf(adConfig())).toBe(PINNED_AD_REVISION);
  });

  it("covers every field of both base configurations", () => {
    for (const [name, base] of Object.entries(bases)) {
      for (const leaf of leafPaths(base()[SHC], SHC)) {
        expect(
          changes.some((change) => change.path === leaf || leaf.startsWith(`${change.path}.`)),
          `${name}: no change for ${leaf}`,
        ).toBe(true);
      }
    }
  });

  it("changes for every change of the session host configuration, its location or resource group", () => {
    const baseRevision = { ad: revisionOf(adConfig()), entra: revisionOf(entraConfig()) };
    const seen = new Map<string, string>();
    for (const change of changes) {
      const raw = bases[change.base]();
      withValue(raw, change.path, change.value);
      for (const [path, value] of change.also ?? []) withValue(raw, path, value);
      const revision = revisionOf(raw);
      const label = `${change.base} ${change.path}=${JSON.stringify(change.value)}`;
      expect(revision, label).not.toBe(baseRevision[change.base]);
      expect(seen.get(revision), `${label} collides`).toBeUndefined();
      seen.set(revision, label);
    }
  });

  it("ignores what does not define how a host is built: count, prefix, update policy, subscription", () => {
    const base = revisionOf(adConfig());
    const edits: Array<[string, unknown]> = [
      ["avd-rollout:sessionHosts.count", 50],
      ["avd-rollout:sessionHosts.vmNamePrefix", "avdnew"],
      ["avd-rollout:update", { maxVmsRemoved: 9 }],
      ["azure-native:subscriptionId", undefined],
    ];
    for (const [path, value] of edits) {
      expect(revisionOf(withValue(adConfig(), path, value)), path).toBe(base);
    }
  });

  it("treats an omitted default and the explicit default as the same configuration", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.diskInfo`, undefined);
    withValue(raw, `${SHC}.securityInfo`, undefined);
    withValue(raw, `${SHC}.imageInfo.marketplaceInfo.exactVersion`, undefined);
    const explicit = entraConfig();
    withValue(explicit, `${SHC}.diskInfo`, { type: "StandardSSD_LRS" });
    withValue(explicit, `${SHC}.securityInfo`, {
      type: "Standard",
      secureBootEnabled: false,
      vTpmEnabled: false,
    });
    withValue(explicit, `${SHC}.networkInfo.acceleratedNetworking`, false);
    withValue(explicit, `${SHC}.availabilityZones`, []);
    withValue(explicit, `${SHC}.vmTags`, {});
    withValue(explicit, `${SHC}.bootDiagnosticsInfo`, { enabled: false });
    expect(revisionOf(raw)).toBe(revisionOf(explicit));
  });

  it("contains no password, nor an unsalted hash of one, in the revision or its input", () => {
    const config = parseStackConfig(adConfig());
    const input = configurationRevisionInput(config);
    const revision = configurationRevision(config);
    for (const password of [ADMIN_PASSWORD, DOMAIN_PASSWORD]) {
      const forms = [
        password,
        Buffer.from(password).toString("base64"),
        Buffer.from(password).toString("hex"),
        createHash("sha256").update(password).digest("hex"),
        createHash("sha1").update(password).digest("hex"),
        createHash("md5").update(password).digest("hex"),
      ];
      for (const form of forms) {
        expect(input).not.toContain(form);
        expect(revision).not.toContain(form.slice(0, 8));
      }
    }
    expect(input).toMatch(/"password":"scrypt:[0-9a-f]{64}"/);
  });

  it("salts each secret by host pool and key path", () => {
    const samePassword = adConfig();
    withValue(
      samePassword,
      `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.password`,
      ADMIN_PASSWORD,
    );
    const folded = [
      ...configurationRevisionInput(parseStackConfig(samePassword)).matchAll(/scrypt:([0-9a-f]{64})/g),
    ];
    expect(folded).toHaveLength(2);
    expect(folded[0]![1]).not.toBe(folded[1]![1]);

    const otherPool = withValue(adConfig(), "avd-rollout:hostPool.name", "hp-other");
    const foldOf = (raw: Raw): string[] =>
      [...configurationRevisionInput(parseStackConfig(raw)).matchAll(/scrypt:([0-9a-f]{64})/g)].map(
        (m) => m[1]!,
      );
    expect(foldOf(otherPool)).not.toEqual(foldOf(adConfig()));
    // Azure names are case-insensitive: the same pool written differently is the same salt.
    const shouting = withValue(adConfig(), "avd-rollout:hostPool.resourceGroupName", "RG-AVD");
    expect(foldOf(shouting)).toEqual(foldOf(adConfig()));
  });

  it("refuses a hand-built configuration whose password is plain text", () => {
    const parsed = parseStackConfig(entraConfig());
    const handBuilt = {
      ...parsed,
      sessionHostConfiguration: {
        ...parsed.sessionHostConfiguration,
        vmAdminCredentials: { username: "avdadmin", password: ADMIN_PASSWORD },
      },
    } as unknown as typeof parsed;
    expect(() => configurationRevision(handBuilt)).toThrow(
      /vmAdminCredentials\.password must be a SecretValue/,
    );
  });

  it("memoizes per parsed (frozen) configuration: the secrets are folded once, an edited copy afresh", () => {
    const reveal = vi.spyOn(SecretValue.prototype, "reveal");
    try {
      const config = parseStackConfig(adConfig());
      reveal.mockClear();
      const revision = configurationRevision(config);
      const folded = reveal.mock.calls.length;
      expect(folded).toBeGreaterThan(0);
      expect(configurationRevision(config)).toBe(revision);
      expect(reveal.mock.calls.length).toBe(folded);
      // A copy is not frozen: never served from the memo (it could have been changed since).
      const copy = { ...config, location: "northeurope" };
      expect(configurationRevision(copy)).not.toBe(revision);
      expect(reveal.mock.calls.length).toBe(2 * folded);
    } finally {
      reveal.mockRestore();
    }
  });
});

const PINNED_AD_REVISION = "3de38742df70dbbb";
