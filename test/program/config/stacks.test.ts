/**
 * The stack files users copy (stacks/Pulumi.*.yaml) parse through parseStackConfig. `secure:`
 * placeholders stand for Pulumi-encrypted secrets; the test substitutes a decrypted dummy, as
 * Pulumi does when it hands the program its configuration.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  configurationRevision,
  desiredHostNames,
  directoryIdentity,
  parseStackConfig,
} from "../../../program/config";

const stacksDir = join(__dirname, "../../../stacks");
const DUMMY_SECRET = "Dummy-Decrypted-Secret-42!";

function decryptPlaceholders(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decryptPlaceholders);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value);
  if (entries.length === 1 && entries[0]![0] === "secure") return DUMMY_SECRET;
  return Object.fromEntries(entries.map(([key, inner]) => [key, decryptPlaceholders(inner)]));
}

function loadStack(file: string): Record<string, unknown> {
  const document = parse(readFileSync(join(stacksDir, file), "utf8")) as { config?: Record<string, unknown> };
  expect(document.config, `${file} has a config: block`).toBeTypeOf("object");
  return decryptPlaceholders(document.config) as Record<string, unknown>;
}

describe("stack files", () => {
  const files = readdirSync(stacksDir).filter((file) => /^Pulumi\..+\.yaml$/.test(file));

  it("include the commented production example and the dev stack", () => {
    expect(files).toEqual(expect.arrayContaining(["Pulumi.example.yaml", "Pulumi.dev.yaml"]));
  });

  it.each(files)("%s is a valid configuration", (file) => {
    const config = parseStackConfig(loadStack(file));
    expect(configurationRevision(config)).toMatch(/^[0-9a-f]{16}$/);
    expect(desiredHostNames(config).length).toBe(config.sessionHosts.count);
  });

  it("the example shows Active Directory join with the password as a secret placeholder", () => {
    const text = readFileSync(join(stacksDir, "Pulumi.example.yaml"), "utf8");
    expect(text).toContain(
      "pulumi config set --secret --path 'avd-rollout:sessionHostConfiguration.vmAdminCredentials.password'",
    );
    const config = parseStackConfig(loadStack("Pulumi.example.yaml"));
    expect(directoryIdentity(config)).toBe("ActiveDirectory:corp.contoso.com");
  });

  it("the dev stack is a small Entra ID + Intune stack from the marketplace", () => {
    const config = parseStackConfig(loadStack("Pulumi.dev.yaml"));
    const shc = config.sessionHostConfiguration;
    expect(shc.imageInfo.type).toBe("Marketplace");
    expect(shc.domainInfo).toEqual({
      joinType: "AzureActiveDirectory",
      azureActiveDirectoryInfo: { mdmProviderGuid: "0000000a-0000-0000-c000-000000000000" },
    });
    expect(config.sessionHosts.count).toBeLessThanOrEqual(5);
  });

  it("an undecrypted secret is reported, not accepted", () => {
    const raw = parse(readFileSync(join(stacksDir, "Pulumi.dev.yaml"), "utf8")) as {
      config: Record<string, unknown>;
    };
    expect(() => parseStackConfig(raw.config)).toThrow(/vmAdminCredentials\.password: is still encrypted/);
  });
});
