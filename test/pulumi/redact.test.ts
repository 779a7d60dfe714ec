import { describe, expect, it } from "vitest";
import { REDACTED, redactSecrets, secretValuesOfConfig } from "../../automation/pulumi/redact";

describe("secretValuesOfConfig", () => {
  it("collects secret scalars whole and the credential leaves of secret objects", () => {
    const values = secretValuesOfConfig({
      "avd-rollout:hostPool": { value: '{"name":"hp-prod","resourceGroupName":"rg-avd"}' },
      "avd-rollout:joinPassword": { value: "P@ssw0rd-join", secret: true },
      "avd-rollout:sessionHostConfiguration": {
        value: JSON.stringify({
          vmSizeId: "Standard_D4ads_v5",
          vmAdminCredentials: { username: "avdadmin", password: "Adm1n-Secret" },
          domainInfo: {
            activeDirectoryInfo: { domainCredentials: { username: "join@corp", password: "J0in-Secret" } },
          },
        }),
        secret: true,
      },
      "avd-rollout:short": { value: "ab", secret: true },
    });
    expect(values.sort()).toEqual(["Adm1n-Secret", "J0in-Secret", "P@ssw0rd-join"].sort());
    expect(values).not.toContain("Standard_D4ads_v5");
  });
});

describe("redactSecrets", () => {
  it("removes known secret values wherever they appear", () => {
    const out = redactSecrets("login as avdadmin/Adm1n-Secret failed (Adm1n-Secret)", ["Adm1n-Secret"]);
    expect(out).toBe(`login as avdadmin/${REDACTED} failed (${REDACTED})`);
  });

  it("removes credential shapes even when the value is not known", () => {
    const text = [
      "Authorization: Bearer eyJhbGciOi.abc.def",
      "https://acct.blob.core.windows.net/c/configure.ps1?sv=2022&sig=abcDEF%2B123&se=2026",
      '{"password": "unknown-one", "registrationToken":"tok-123"}',
      "token eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJSZWdpc3RyYXRpb25JZCI6IjEifQ.c2lnbmF0dXJl",
    ].join("\n");
    const out = redactSecrets(text);
    expect(out).not.toMatch(/eyJhbGciOi|abcDEF|unknown-one|tok-123|c2lnbmF0dXJl/);
    expect(out).toContain("sv=2022");
    expect(out).toContain("https://acct.blob.core.windows.net/c/configure.ps1");
  });

  it("removes the longer of two overlapping secrets whole", () => {
    expect(redactSecrets("x secret-long y", ["secret", "secret-long"])).toBe(`x ${REDACTED} y`);
  });
});
