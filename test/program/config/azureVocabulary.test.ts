/**
 * A stack written with Azure's own session host vocabulary (sessionHostConfigurations and
 * sessionHostManagements, api-version 2024-04-08-preview) either works or names the key path the
 * field belongs at — never a bare "unknown key, remove it".
 */
import { describe, expect, it } from "vitest";
import { InputError } from "../../../automation/core/errors";
import { configurationRevision, parseStackConfig } from "../../../program/config";
import { entraConfig, ids, type Raw, withValue } from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";
const KV = "https://kv-avd.vault.azure.net/secrets";

/**
 * Azure's SessionHostConfigurations_Create example body (properties), with our ids: what an AVD
 * administrator would paste under avd-rollout:sessionHostConfiguration.
 */
function azureProperties(): Record<string, unknown> {
  return {
    friendlyName: "InitialConfiguration",
    vmTags: { Department: "myDepartment", Team: "myTeam" },
    vmLocation: "eastus2",
    vmResourceGroup: "myResourceGroup",
    vmNamePrefix: "westus2-vm",
    availabilityZones: [1, 3],
    networkInfo: { subnetId: ids.subnet, securityGroupId: ids.nsg },
    vmSizeId: "Standard_D2s_v3",
    diskInfo: { type: "Standard_LRS" },
    customConfigurationScriptUrl: "https://storageaccountname.blob.core.windows.net/blobcontainer/file",
    imageInfo: {
      type: "Marketplace",
      marketplaceInfo: {
        offer: "Windows-10",
        publisher: "MicrosoftWindowsDesktop",
        sku: "19h2-ent",
        exactVersion: "2019.0.20190115",
      },
    },
    domainInfo: {
      joinType: "ActiveDirectory",
      activeDirectoryInfo: {
        domainCredentials: {
          usernameKeyVaultSecretUri: `${KV}/myusername`,
          passwordKeyVaultSecretUri: `${KV}/mysecretname`,
        },
        ouPath: "OU=testOU,DC=domain,DC=Domain,DC=com",
        domainName: "domain.Domain.com",
      },
    },
    securityInfo: { type: "TrustedLaunch", secureBootEnabled: true, vTpmEnabled: true },
    vmAdminCredentials: {
      usernameKeyVaultSecretUri: `${KV}/myusername`,
      passwordKeyVaultSecretUri: `${KV}/mysecretname`,
    },
    bootDiagnosticsInfo: { enabled: true, storageUri: "https://myStorageAccountName.blob.core.windows.net" },
  };
}

function azureStack(): Raw {
  const raw = entraConfig();
  raw[SHC] = azureProperties();
  return raw;
}

function problems(raw: Raw): string[] {
  try {
    parseStackConfig(raw);
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message
      .split("\n")
      .filter((line) => line.startsWith("  - "))
      .map((line) => line.slice(4));
  }
  return [];
}

describe("Azure's sessionHostConfiguration, pasted as it is", () => {
  it("names where each field avd-rollout keeps elsewhere belongs, and nothing else", () => {
    const lines = problems(azureStack());
    expect(lines).toEqual([
      expect.stringMatching(
        /^avd-rollout:sessionHostConfiguration\.vmLocation: is Azure's vmLocation; avd-rollout has it at azure-native:location .*Fix: remove it and set the region with pulumi config set azure-native:location <region>$/,
      ),
      expect.stringMatching(
        /^avd-rollout:sessionHostConfiguration\.vmResourceGroup: is Azure's vmResourceGroup; avd-rollout has it at avd-rollout:sessionHosts\.vmResourceGroup .*Fix: move it to avd-rollout:sessionHosts\.vmResourceGroup$/,
      ),
      expect.stringMatching(
        /^avd-rollout:sessionHostConfiguration\.vmNamePrefix: is Azure's vmNamePrefix; avd-rollout has it at avd-rollout:sessionHosts\.vmNamePrefix .*Fix: move it to avd-rollout:sessionHosts\.vmNamePrefix$/,
      ),
    ]);
  });

  it("works once those fields are moved where the messages say", () => {
    const raw = azureStack();
    const shc = raw[SHC] as Record<string, unknown>;
    raw["azure-native:location"] = shc.vmLocation;
    raw["avd-rollout:sessionHosts"] = {
      vmNamePrefix: "avd-w2",
      count: 4,
      vmResourceGroup: shc.vmResourceGroup,
    };
    delete shc.vmLocation;
    delete shc.vmResourceGroup;
    delete shc.vmNamePrefix;
    const config = parseStackConfig(raw);
    expect(config.location).toBe("eastus2");
    expect(config.sessionHosts).toEqual({
      vmNamePrefix: "avd-w2",
      count: 4,
      vmResourceGroup: "myResourceGroup",
    });
    const built = config.sessionHostConfiguration;
    expect(built.friendlyName).toBe("InitialConfiguration");
    expect(built.imageInfo.type).toBe("Marketplace");
    expect(built.availabilityZones).toEqual(["1", "3"]);
    expect(built.vmAdminCredentials).toEqual({
      username: { keyVaultSecretUri: `${KV}/myusername` },
      password: { keyVaultSecretUri: `${KV}/mysecretname` },
    });
    expect(built.domainInfo).toMatchObject({
      joinType: "ActiveDirectory",
      activeDirectoryInfo: {
        domainCredentials: {
          username: { keyVaultSecretUri: `${KV}/myusername` },
          password: { keyVaultSecretUri: `${KV}/mysecretname` },
        },
      },
    });
  });
});

describe("Azure field names avd-rollout accepts", () => {
  it("imageInfo.type that matches the source given", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.imageInfo.type`, "Marketplace");
    expect(parseStackConfig(raw).sessionHostConfiguration.imageInfo.type).toBe("Marketplace");
    const custom = entraConfig();
    withValue(custom, `${SHC}.imageInfo`, { type: "Custom", customInfo: { resourceId: ids.galleryImage } });
    expect(parseStackConfig(custom).sessionHostConfiguration.imageInfo.type).toBe("Custom");
  });

  it("friendlyName, which labels the configuration and rebuilds nothing", () => {
    const plain = parseStackConfig(entraConfig());
    const raw = entraConfig();
    withValue(raw, `${SHC}.friendlyName`, "April image");
    const labelled = parseStackConfig(raw);
    expect(labelled.sessionHostConfiguration.friendlyName).toBe("April image");
    expect(configurationRevision(labelled)).toBe(configurationRevision(plain));
  });

  it("a Key Vault password with a configured username, and keeps the revision of the URI", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.vmAdminCredentials`, {
      username: "avdadmin",
      passwordKeyVaultSecretUri: `${KV}/admin-password/0123456789abcdef0123456789abcdef`,
    });
    const config = parseStackConfig(raw);
    const rotatedUri = entraConfig();
    withValue(rotatedUri, `${SHC}.vmAdminCredentials`, {
      username: "avdadmin",
      passwordKeyVaultSecretUri: `${KV}/admin-password/fedcba9876543210fedcba9876543210`,
    });
    // Pinning another version is a new configuration; the value itself is never hashed.
    expect(configurationRevision(config)).not.toBe(configurationRevision(parseStackConfig(rotatedUri)));
  });

  it("Azure's integer availability zones", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.availabilityZones`, [1, 2, 3]);
    expect(parseStackConfig(raw).sessionHostConfiguration.availabilityZones).toEqual(["1", "2", "3"]);
  });
});

// [what is written, where, the message must contain]
const MISPLACED: [string, unknown, RegExp][] = [
  [`${SHC}.vmNamePrefix`, "avd", /avd-rollout has it at avd-rollout:sessionHosts\.vmNamePrefix/],
  [`${SHC}.vmLocation`, "westeurope", /avd-rollout has it at azure-native:location/],
  [`${SHC}.vmResourceGroup`, "rg", /Fix: move it to avd-rollout:sessionHosts\.vmResourceGroup/],
  [`${SHC}.maxVmsRemoved`, 2, /Fix: move it to avd-rollout:update\.maxVmsRemoved/],
  [`${SHC}.logOffDelayMinutes`, 10, /Fix: move it to avd-rollout:update\.logOffDelayMinutes/],
  [`${SHC}.update`, { maxVmsRemoved: 2 }, /Fix: move its fields .* to avd-rollout:update/],
  [`avd-rollout:update.scheduledDateTimeZone`, "UTC", /as the flag avd-rollout start --time-zone/],
  [`avd-rollout:update.scheduledDateTime`, "2026-05-01T22:00:00", /avd-rollout start --at <time>/],
  [
    `avd-rollout:sessionHosts.vmSizeId`,
    "Standard_D2s_v3",
    /at avd-rollout:sessionHostConfiguration\.vmSizeId/,
  ],
  [`avd-rollout:sessionHosts.location`, "westeurope", /at azure-native:location/],
  [`${SHC}.count`, 4, /Fix: move it to avd-rollout:sessionHosts\.count/],
  [`${SHC}.VMNamePrefix`, "avd", /avd-rollout has it at avd-rollout:sessionHosts\.vmNamePrefix/],
  [`${SHC}.version`, "2024-04-26T04:56:45Z", /set by Azure itself .*Fix: remove it/],
  [`${SHC}.provisioningState`, "Succeeded", /set by Azure itself/],
  [`${SHC}.properties`, { vmSizeId: "Standard_D2s_v3" }, /write the fields of properties directly under/],
  [
    "avd-rollout:sessionHostManagement",
    { scheduledDateTimeZone: "UTC", update: { maxVmsRemoved: 1 } },
    /Azure's sessionHostManagement resource: .*avd-rollout:update .*--time-zone/,
  ],
  ["avd-rollout:vmLocation", "westeurope", /at azure-native:location/],
  [
    `${SHC}.imageInfo.type`,
    "Custom",
    /"Custom" does not match the image source: imageInfo has marketplaceInfo\. Fix: set imageInfo\.type: Marketplace/,
  ],
];

describe("Azure field names in the wrong place", () => {
  it.each(MISPLACED)("%s names where it belongs", (path, value, message) => {
    const raw = entraConfig();
    withValue(raw, path, value);
    const lines = problems(raw);
    const line = lines.find((text) => text.startsWith(`${path}:`) || text.startsWith(`${path} `));
    expect(line, lines.join("\n")).toMatch(message);
    expect(line).toContain("Fix: ");
  });

  it("both image sources with Azure's type: keep the one type names", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.imageInfo.type`, "Marketplace");
    withValue(raw, `${SHC}.imageInfo.customInfo`, { resourceId: ids.galleryImage });
    expect(problems(raw)).toContainEqual(
      expect.stringMatching(
        /imageInfo: .* names two image sources\. Fix: keep only imageInfo\.marketplaceInfo \(imageInfo\.type is Marketplace\)/,
      ),
    );
  });
});

describe("Key Vault credential URIs", () => {
  const bad: [string, string, RegExp][] = [
    ["http", "http://kv-avd.vault.azure.net/secrets/x", /is not an https:\/\/ URL/],
    ["not a vault host", "https://kv-avd.example.com/secrets/x", /is not on a Key Vault host/],
    ["not a secret", "https://kv-avd.vault.azure.net/keys/x", /is not the URI of a secret/],
    [
      "bad version",
      "https://kv-avd.vault.azure.net/secrets/x/v1",
      /is not a secret version \(32 hex digits\)/,
    ],
    [
      "bad vault name",
      "https://k.vault.azure.net/secrets/x",
      /names the vault "k", which is not a Key Vault name/,
    ],
    ["a query", "https://kv-avd.vault.azure.net/secrets/x?api-version=7.5", /a query or a fragment/],
  ];
  it.each(bad)("refuses %s and shows the URI", (_name, uri, message) => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.vmAdminCredentials`, { username: "avdadmin", passwordKeyVaultSecretUri: uri });
    const line = problems(raw).find((text) => text.includes("passwordKeyVaultSecretUri"));
    expect(line).toMatch(message);
    expect(line).toContain(JSON.stringify(uri));
    expect(line).toContain("Fix: use the secret's URI as Key Vault shows it");
  });

  it("hides a value that is not a URI: it may be a password pasted in the wrong key", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.vmAdminCredentials`, {
      username: "avdadmin",
      passwordKeyVaultSecretUri: "S3cret-Pasted!",
    });
    const text = problems(raw).join("\n");
    expect(text).toContain("passwordKeyVaultSecretUri: [secret] is not a URL");
    expect(text).not.toContain("S3cret-Pasted!");
  });

  it("wants exactly one of password and passwordKeyVaultSecretUri", () => {
    const both = entraConfig();
    withValue(both, `${SHC}.vmAdminCredentials.passwordKeyVaultSecretUri`, `${KV}/admin-password`);
    expect(problems(both)).toContainEqual(
      expect.stringMatching(
        /vmAdminCredentials\.passwordKeyVaultSecretUri: .* is given together with password\. Fix: keep one of them/,
      ),
    );
    const neither = entraConfig();
    withValue(neither, `${SHC}.vmAdminCredentials.password`, undefined);
    expect(problems(neither)).toContainEqual(
      expect.stringMatching(
        /vmAdminCredentials\.password is missing\. Fix: pulumi config set --secret --path avd-rollout:sessionHostConfiguration\.vmAdminCredentials\.password '<password>', or set passwordKeyVaultSecretUri/,
      ),
    );
    const noUser = entraConfig();
    withValue(noUser, `${SHC}.vmAdminCredentials.username`, undefined);
    expect(problems(noUser)).toContainEqual(
      expect.stringMatching(
        /vmAdminCredentials\.username is missing\. Fix: set username, e\.g\. avdadmin, or usernameKeyVaultSecretUri/,
      ),
    );
  });

  it("applies to the domain join account too", () => {
    const raw = entraConfig();
    withValue(raw, `${SHC}.domainInfo`, {
      joinType: "ActiveDirectory",
      activeDirectoryInfo: {
        domainName: "corp.contoso.com",
        domainCredentials: {
          usernameKeyVaultSecretUri: `${KV}/join-user`,
          passwordKeyVaultSecretUri: "nope",
        },
      },
    });
    expect(problems(raw)).toEqual([
      expect.stringMatching(/domainCredentials\.passwordKeyVaultSecretUri: \[secret\] is not a URL/),
    ]);
  });
});
