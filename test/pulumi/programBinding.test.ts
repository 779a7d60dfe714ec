import { describe, expect, it } from "vitest";
import type { ConfigMap } from "@pulumi/pulumi/automation";
import { configurationRevision, parseStackConfig } from "../../program/config";
import { REVISION_TAG_KEY } from "../../program/stackProgram";
import { programBinding } from "../../automation/pulumi/programBinding";
import { redactSecrets, secretValuesOfConfig } from "../../automation/pulumi/redact";
import { ADMIN_PASSWORD, entraConfig } from "../program/config/fixtures";

/** The raw config as `stack.getAllConfig()` returns it: JSON text per key, secret flags. */
function asConfigMap(raw: Record<string, unknown>): ConfigMap {
  const map: ConfigMap = {};
  for (const [key, value] of Object.entries(raw)) {
    map[key] = {
      value: typeof value === "string" ? value : JSON.stringify(value),
      secret: key === "avd-rollout:sessionHostConfiguration",
    };
  }
  return map;
}

describe("programBinding", () => {
  const binding = programBinding(() => async () => ({}));

  it("reads the desired pool with the program's own parse, revision and host names", () => {
    const raw = entraConfig();
    const desired = binding.desiredFromConfig(asConfigMap(raw));
    expect(desired.hosts).toEqual(Array.from({ length: 10 }, (_, i) => `avdprod-${i}`));
    expect(desired.revision).toBe(configurationRevision(parseStackConfig(raw)));
    expect(desired.update.maxVmsRemoved).toBeGreaterThanOrEqual(1);
    expect(desired.update.logOffMessage.length).toBeGreaterThan(0);
    expect(binding.revisionTagKey).toBe(REVISION_TAG_KEY);
  });

  it("gets a different revision when the configuration changes", () => {
    const raw = entraConfig();
    const before = binding.desiredFromConfig(asConfigMap(raw)).revision;
    (raw["avd-rollout:sessionHostConfiguration"] as { vmSizeId: string }).vmSizeId = "Standard_D8ads_v5";
    expect(binding.desiredFromConfig(asConfigMap(raw)).revision).not.toBe(before);
  });

  it("knows the admin password as a secret to redact, but not the VM size", () => {
    const secrets = secretValuesOfConfig(asConfigMap(entraConfig()));
    expect(secrets).toContain(ADMIN_PASSWORD);
    expect(redactSecrets(`login failed for avdadmin:${ADMIN_PASSWORD} on Standard_D4ads_v5`, secrets)).toBe(
      "login failed for avdadmin:[secret] on Standard_D4ads_v5",
    );
  });
});
