/**
 * The emulator refuses what ARM and the REST specification refuse, in ARM's error shape, and
 * records each such request as a violation — the mechanism by which an off-spec adapter call
 * fails a test.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DesktopVirtualizationAPIClient } from "@azure/arm-desktopvirtualization";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { armRequest } from "../support/armRequest";
import { createTestCertificate, type TestCertificate } from "./certificate";
import { emulatorCredential } from "./credential";
import { API_VERSIONS } from "./api-versions";
import { MemoryBackend } from "./memory-backend";
import { ALL_ROUTES, startArmEmulator, type ArmEmulator } from "./server";

let certificate: TestCertificate;
let emulator: ArmEmulator;
let backend: MemoryBackend;
const DV = "2024-04-03";

beforeAll(async () => {
  certificate = await createTestCertificate();
});
beforeEach(async () => {
  await emulator?.close();
  backend = new MemoryBackend();
  backend.addHost({ host: "avd-0", sessions: [{ user: "ana@contoso.com" }] });
  emulator = await startArmEmulator({ backend, certificate });
});
afterAll(async () => {
  await emulator?.close();
});

const pool = (): string =>
  `/subscriptions/${backend.subscriptionId}/resourceGroups/${backend.resourceGroupName}/providers/Microsoft.DesktopVirtualization/hostPools/${backend.hostPoolName}`;
const errorOf = (body: unknown): { code: string; message: string } =>
  (body as { error: { code: string; message: string } }).error;

/** Path template (parameters blanked, lower case) -> api-version, as the installed SDK sends it. */
function sdkOperations(file: string): Map<string, string> {
  const code = readFileSync(join(__dirname, "../../../node_modules", file), "utf8");
  const operations = new Map<string, string>();
  for (const m of code.matchAll(/"(\/subscriptions\/[^"]*?)(?:\{\?[^"]*\})?",\s*\{([^}]*)\}/g)) {
    const version = /"api%2Dversion": "([0-9-]+)"/.exec(m[2]!)?.[1];
    if (version) operations.set(template(m[1]!), version);
  }
  return operations;
}

function template(path: string): string {
  return path.replace(/\{[^}]+\}/g, "{}").toLowerCase();
}

describe("ARM emulator: requests off the specification are refused and recorded", () => {
  it("serves each SDK operation at the api-version the pinned SDK sends (an SDK upgrade must revisit it)", () => {
    const sdk = new Map([
      ...sdkOperations("@azure/arm-compute/dist/commonjs/api/virtualMachines/operations.js"),
      ...sdkOperations("@azure/arm-compute/dist/commonjs/api/disks/operations.js"),
      ...sdkOperations("@azure/arm-network/dist/commonjs/api/networkInterfaces/operations.js"),
    ]);
    const dv = readFileSync(
      join(
        __dirname,
        "../../../node_modules/@azure/arm-desktopvirtualization/dist-esm/src/models/parameters.js",
      ),
      "utf8",
    );
    const dvVersion = /defaultValue: "(\d{4}-\d{2}-\d{2})"/.exec(dv)?.[1];
    expect(dvVersion).toBe(API_VERSIONS.desktopVirtualization);
    let compared = 0;
    for (const route of ALL_ROUTES) {
      const version = sdk.get(template(route.path));
      if (route.path.includes("Microsoft.DesktopVirtualization"))
        expect(route.apiVersion, route.name).toBe(dvVersion);
      else if (version !== undefined) {
        expect(route.apiVersion, route.name).toBe(version);
        compared++;
      }
    }
    // VM get/instanceView/deallocate/start/delete, disk get/delete, NIC get/delete.
    expect(compared).toBeGreaterThanOrEqual(8);
  });

  it("refuses a request without a bearer token, or with another token", async () => {
    const none = await armRequest(emulator, "GET", pool(), { query: { "api-version": DV }, token: null });
    expect(none.status).toBe(401);
    expect(errorOf(none.body).code).toBe("AuthenticationFailed");
    const wrong = await armRequest(emulator, "GET", pool(), {
      query: { "api-version": DV },
      token: "stolen",
    });
    expect(wrong.status).toBe(401);
    expect(errorOf(wrong.body).code).toBe("InvalidAuthenticationToken");
    expect(emulator.log.violations()).toHaveLength(2);
  });

  it("refuses a missing or wrong api-version", async () => {
    const missing = await armRequest(emulator, "GET", pool());
    expect(missing.status).toBe(400);
    expect(errorOf(missing.body).code).toBe("MissingApiVersionParameter");
    const wrong = await armRequest(emulator, "GET", pool(), { query: { "api-version": "2022-09-09" } });
    expect(wrong.status).toBe(400);
    expect(errorOf(wrong.body)).toMatchObject({ code: "NoRegisteredProviderFound" });
    expect(errorOf(wrong.body).message).toContain("2024-04-03");
    // The VM routes want Microsoft.Compute's version, not the host pool's.
    const vm = await armRequest(emulator, "GET", backend.listVms()[0]!.resourceId, {
      query: { "api-version": DV },
    });
    expect(vm.status).toBe(400);
    expect(emulator.log.violations().map((v) => v.route)).toEqual([
      "HostPools_Get",
      "HostPools_Get",
      "VirtualMachines_Get",
    ]);
  });

  it("refuses an unknown route and a method the route does not have", async () => {
    const unknown = await armRequest(emulator, "GET", `${pool()}/sessionHostz`, {
      query: { "api-version": DV },
    });
    expect(unknown.status).toBe(404);
    expect(errorOf(unknown.body).code).toBe("InvalidResourceType");
    const method = await armRequest(emulator, "PUT", `${pool()}/sessionHosts/avd-0.corp.contoso.com`, {
      query: { "api-version": DV },
      body: { properties: {} },
    });
    expect(method.status).toBe(405);
    expect(emulator.log.violations()).toHaveLength(2);
  });

  it("refuses path parameters outside the specification's constraints", async () => {
    const longName = `${"h".repeat(40)}.corp.contoso.com`;
    const res = await armRequest(emulator, "GET", `${pool()}/sessionHosts/${longName}`, {
      query: { "api-version": DV },
    });
    expect(res.status).toBe(400);
    expect(errorOf(res.body).message).toContain("sessionHostName");
    const badChars = await armRequest(emulator, "GET", `${pool()}/sessionHosts/avd%2B0`, {
      query: { "api-version": DV },
    });
    expect(badChars.status).toBe(400);
    expect(emulator.log.violations()).toHaveLength(2);
  });

  it("refuses query parameters the operation does not define, or with bad values", async () => {
    const host = `${pool()}/sessionHosts/avd-0.corp.contoso.com`;
    const unknown = await armRequest(emulator, "DELETE", host, {
      query: { "api-version": DV, forced: "true" },
    });
    expect(unknown.status).toBe(400);
    expect(errorOf(unknown.body).code).toBe("InvalidQueryParameter");
    const badValue = await armRequest(emulator, "DELETE", host, {
      query: { "api-version": DV, force: "yes" },
    });
    expect(badValue.status).toBe(400);
    expect(backend.sessionHost("avd-0.corp.contoso.com")).toBeDefined();
  });

  it("refuses a drain body that is not shaped as SessionHostPatch, and changes nothing", async () => {
    const host = `${pool()}/sessionHosts/avd-0.corp.contoso.com`;
    // allowNewSession belongs under properties: a flat body would be ignored by the service.
    const flat = await armRequest(emulator, "PATCH", host, {
      query: { "api-version": DV },
      body: { allowNewSession: false },
    });
    expect(flat.status).toBe(400);
    expect(errorOf(flat.body).code).toBe("InvalidRequestContent");
    const wrongType = await armRequest(emulator, "PATCH", host, {
      query: { "api-version": DV },
      body: { properties: { allowNewSession: "false" } },
    });
    expect(wrongType.status).toBe(400);
    const notJson = await armRequest(emulator, "PATCH", host, {
      query: { "api-version": DV },
      text: "{allowNewSession",
    });
    expect(notJson.status).toBe(400);
    expect(backend.sessionHost("avd-0.corp.contoso.com")!.allowNewSession).toBe(true);
    expect(emulator.log.violations()).toHaveLength(3);

    const right = await armRequest(emulator, "PATCH", host, {
      query: { "api-version": DV },
      body: { properties: { allowNewSession: false } },
    });
    expect(right.status).toBe(200);
    expect((right.body as { properties: { allowNewSession: boolean } }).properties.allowNewSession).toBe(
      false,
    );
  });

  it("refuses a body on an action that takes none", async () => {
    const res = await armRequest(emulator, "POST", `${pool()}/retrieveRegistrationToken`, {
      query: { "api-version": DV },
      body: { expirationTime: "2030-01-01T00:00:00Z" },
    });
    expect(res.status).toBe(400);
    expect(emulator.log.violations()).toHaveLength(1);
  });

  it("makes an SDK call with another api-version fail, as an adapter drifting from the specification would", async () => {
    const client = new DesktopVirtualizationAPIClient(emulatorCredential(), backend.subscriptionId, {
      endpoint: emulator.url,
      $host: emulator.url,
      apiVersion: "2023-09-05",
      tlsOptions: { ca: emulator.ca },
      retryOptions: { maxRetries: 0 },
    });
    await expect(client.hostPools.get(backend.resourceGroupName, backend.hostPoolName)).rejects.toMatchObject(
      { statusCode: 400 },
    );
    expect(emulator.log.violations()[0]!.violation).toContain("2023-09-05");
  });

  it("serves the pinned SDK's requests without a single violation", async () => {
    const client = new DesktopVirtualizationAPIClient(emulatorCredential(), backend.subscriptionId, {
      endpoint: emulator.url,
      $host: emulator.url,
      tlsOptions: { ca: emulator.ca },
    });
    const hostName = "avd-0.corp.contoso.com";
    await client.hostPools.get(backend.resourceGroupName, backend.hostPoolName);
    await client.sessionHosts.update(backend.resourceGroupName, backend.hostPoolName, hostName, {
      sessionHost: { allowNewSession: false },
    });
    await client.userSessions.sendMessage(backend.resourceGroupName, backend.hostPoolName, hostName, "1", {
      sendMessage: { messageTitle: "Update", messageBody: "Save your work" },
    });
    await client.userSessions.delete(backend.resourceGroupName, backend.hostPoolName, hostName, "1", {
      force: true,
    });
    await client.sessionHosts.delete(backend.resourceGroupName, backend.hostPoolName, hostName, {
      force: true,
    });
    expect(backend.messages).toEqual([
      { sessionHostName: hostName, sessionId: "1", title: "Update", body: "Save your work" },
    ]);
    expect(backend.listSessionHosts()).toEqual([]);
    expect(emulator.log.violations()).toEqual([]);
  });
});
