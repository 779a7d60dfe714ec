import { describe, expect, it } from "vitest";
import { InputError } from "../../../automation/core/errors";
import { assertSameDirectory, directoryIdentity, parseStackConfig } from "../../../program/config";
import { adConfig, DOMAIN_PASSWORD, entraConfig, withValue } from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";

describe("directoryIdentity", () => {
  it("names the join type, and the domain for Active Directory", () => {
    expect(directoryIdentity(parseStackConfig(entraConfig()))).toBe("AzureActiveDirectory");
    expect(directoryIdentity(parseStackConfig(adConfig()))).toBe("ActiveDirectory:corp.contoso.com");
  });

  it("is the same with or without Intune, whatever the OU or credentials, and case-insensitive in the domain", () => {
    const noIntune = withValue(entraConfig(), `${SHC}.domainInfo.azureActiveDirectoryInfo`, undefined);
    expect(directoryIdentity(parseStackConfig(noIntune))).toBe("AzureActiveDirectory");
    const moved = adConfig();
    withValue(moved, `${SHC}.domainInfo.activeDirectoryInfo.domainName`, "CORP.Contoso.com");
    withValue(moved, `${SHC}.domainInfo.activeDirectoryInfo.ouPath`, undefined);
    withValue(moved, `${SHC}.domainInfo.activeDirectoryInfo.domainCredentials.username`, "CORP\\join2");
    expect(directoryIdentity(parseStackConfig(moved))).toBe("ActiveDirectory:corp.contoso.com");
  });

  it("never contains a secret", () => {
    expect(directoryIdentity(parseStackConfig(adConfig()))).not.toContain(DOMAIN_PASSWORD);
  });
});

describe("assertSameDirectory", () => {
  it("accepts the same directory, and anything when nothing is deployed", () => {
    expect(() =>
      assertSameDirectory("ActiveDirectory:corp.contoso.com", "ActiveDirectory:CORP.contoso.com"),
    ).not.toThrow();
    expect(() => assertSameDirectory(undefined, "AzureActiveDirectory")).not.toThrow();
    expect(() => assertSameDirectory(null, "AzureActiveDirectory")).not.toThrow();
    expect(() => assertSameDirectory("", "AzureActiveDirectory")).not.toThrow();
  });

  it.each([
    ["AzureActiveDirectory", "ActiveDirectory:corp.contoso.com"],
    ["ActiveDirectory:corp.contoso.com", "AzureActiveDirectory"],
    ["ActiveDirectory:corp.contoso.com", "ActiveDirectory:fabrikam.com"],
  ])("refuses %s -> %s as Azure does", (previous, next) => {
    let error: unknown;
    try {
      assertSameDirectory(previous, next);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message).toMatch(/^Changing the directory is refused, as in Azure/);
    expect(message).toContain(previous);
    expect(message).toContain(next);
    expect(message).toContain("avd-rollout:sessionHostConfiguration.domainInfo");
    expect(message).toContain("Fix:");
  });
});
