/**
 * The thin registration registers exactly what the generated @pulumi/azure-native classes
 * register: same type tokens, names, inputs (secrets included), dependencies, provider version
 * and every other resource option that reaches the engine. The one difference, by design, is the
 * version-migration aliases (program/azure/resourceFactory.ts explains why they are left out);
 * this test pins that difference down to exactly those aliases.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import type * as DeclareHostsModule from "../../program/sessionHosts/declareHosts";
import { installMockRuntime, type MockRuntime } from "./mockRuntime";
import { fullSettings } from "./settingsFixture";

type Request = RegisterResourceRequest.AsObject;

describe("thin registration vs generated classes", () => {
  let runtime: MockRuntime;
  let declare: typeof DeclareHostsModule;

  beforeAll(async () => {
    runtime = installMockRuntime();
    declare = await import("../../program/sessionHosts/declareHosts");
  });

  async function registrationsWith(registration: "thin" | "generated", joinType: "ad" | "entra") {
    runtime.reset();
    const settings =
      joinType === "ad"
        ? fullSettings()
        : fullSettings({
            join: { type: "AzureActiveDirectory", mdmProviderGuid: "0000000a-0000-0000-c000-000000000000" },
          });
    declare.declareHosts({
      settings,
      hosts: ["avd-0", "avd-1", "avd-2"],
      batch: new Set(["avd-1"]),
      generationTime: new Date("2026-04-15T17:16:07Z"),
      revisionTagKey: "avd-rollout-revision",
      // avd-0 and avd-2 run (kept as state records them), avd-1 is replaced: both kinds of registration.
      ledger: {
        hosts: new Map(
          ["avd-0", "avd-1", "avd-2"].map((host) => [
            host,
            {
              kinds: new Set(declare.configuredKinds(settings)),
              vmPendingReplacement: false,
              vmInitErrors: false,
              dataCollectionRuleId: undefined,
            },
          ]),
        ),
      },
      registrationToken: () => pulumi.secret("token-value"),
      registration,
    });
    await runtime.settle();
    return new Map(runtime.registrations.map((r) => [`${r.type}::${r.name}`, r.request]));
  }

  /** Everything in the request but the source position (where in the program it was declared). */
  function engineView(request: Request): Omit<Request, "sourceposition" | "stacktrace" | "aliasesList"> {
    const {
      sourceposition: _sourcePosition,
      stacktrace: _stackTrace,
      aliasesList: _aliases,
      ...rest
    } = request;
    return rest;
  }

  for (const joinType of ["ad", "entra"] as const) {
    it(`registers the same resources with the same engine-visible fields (${joinType} join)`, async () => {
      const generated = await registrationsWith("generated", joinType);
      const thin = await registrationsWith("thin", joinType);

      expect([...thin.keys()].sort()).toEqual([...generated.keys()].sort());
      // NIC, VM, agent, join, script, monitor agent, DCR association per host.
      expect(thin.size).toBe(3 * 7);
      for (const [key, generatedRequest] of generated) {
        const thinRequest = thin.get(key)!;
        expect(engineView(thinRequest), key).toEqual(engineView(generatedRequest));
        expect(thinRequest.version, key).toBe("3.28.0");
      }
    });
  }

  it("differs only by the generated classes' API-version aliases of the same resource", async () => {
    const generated = await registrationsWith("generated", "ad");
    const thin = await registrationsWith("thin", "ad");
    for (const [key, generatedRequest] of generated) {
      expect(thin.get(key)!.aliasesList, key).toEqual([]);
      const [type] = key.split("::");
      const [pkg, , typeName] = type!.split(":");
      expect(generatedRequest.aliasesList.length, key).toBeGreaterThan(0);
      for (const alias of generatedRequest.aliasesList) {
        // Only the type differs: same name, same parent, same project and stack.
        expect(alias.urn ?? "", key).toBe("");
        expect(alias.spec?.name, key).toBe("");
        expect(alias.spec?.project, key).toBe("");
        expect(alias.spec?.stack, key).toBe("");
        // The type under an explicit API version and/or its module's former name (insights -> monitor).
        expect(alias.spec?.type, key).toMatch(
          new RegExp(`^${pkg}:[a-z]+(/v[0-9]{8}(preview)?)?:${typeName}$`),
        );
      }
    }
  });
});
