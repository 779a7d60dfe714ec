/** readStackConfig inside the Pulumi runtime: config as `pulumi up` sees it (JSON text per key). */
import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../../../automation/core/errors";
import { parseStackConfig } from "../../../program/config";
import { readStackConfig } from "../../../program/config/readStackConfig";
import { ADMIN_PASSWORD, adConfig, revealed } from "./fixtures";

const SHC = "avd-rollout:sessionHostConfiguration";

/** What the engine hands the program: every value as text, objects as JSON. */
function engineConfig(raw: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

afterEach(() => pulumi.runtime.setAllConfig({}, []));

describe("readStackConfig", () => {
  it("reads every key through pulumi.Config, the secret key plainly, and parses it", () => {
    // `pulumi config set --secret --path ...password` makes the whole sessionHostConfiguration key secret.
    pulumi.runtime.setAllConfig(engineConfig(adConfig()), [SHC]);
    const config = readStackConfig();
    expect(config).toEqual(parseStackConfig(adConfig()));
    expect(revealed(config.sessionHostConfiguration.vmAdminCredentials.password)).toBe(ADMIN_PASSWORD);
  });

  it("reports a misspelt avd-rollout key the stack sets", () => {
    const raw = { ...adConfig(), "avd-rollout:updates": { maxVmsRemoved: 2 } };
    pulumi.runtime.setAllConfig(engineConfig(raw), []);
    expect(() => readStackConfig()).toThrow(
      /avd-rollout:updates: unknown key\. Fix: did you mean avd-rollout:update\?/,
    );
  });

  it("fails with InputError, not a Pulumi error, on bad JSON and missing keys", () => {
    pulumi.runtime.setAllConfig({ "avd-rollout:hostPool": "{not json" }, []);
    expect(() => readStackConfig()).toThrow(InputError);
    expect(() => readStackConfig()).toThrow(/avd-rollout:hostPool: is text/);
    expect(() => readStackConfig()).toThrow(/azure-native:location is missing/);
  });
});
