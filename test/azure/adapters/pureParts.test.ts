/**
 * The adapters' pure parts: ids and names, power states, Retry-After parsing and backoff,
 * error classification and redaction, clouds and subscription resolution.
 */
import { describe, expect, it } from "vitest";
import {
  parseUserSessionId,
  parseVmId,
  sameResourceId,
  sessionHostNameOf,
} from "../../../automation/azure/armIds";
import { parseRetryAfter, toPortError } from "../../../automation/azure/armErrors";
import { CLOUDS, cloudFromConfig } from "../../../automation/azure/clouds";
import { resolveSubscriptionId } from "../../../automation/azure/credentials";
import { toSessionHostStatus, toUserSessionInfo } from "../../../automation/azure/hostPoolAdapter";
import { powerStateFromStatuses } from "../../../automation/azure/powerState";
import { redact } from "../../../automation/azure/redact";
import { InputError } from "../../../automation/core/errors";

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name.toLowerCase()] });

describe("ids and names", () => {
  it("strips the host pool prefix from a session host name", () => {
    expect(sessionHostNameOf("hp-prod/avdprod-0.corp.contoso.com")).toBe("avdprod-0.corp.contoso.com");
    expect(sessionHostNameOf("avdprod-0")).toBe("avdprod-0");
  });

  it("takes a user session's host and id from its ARM id", () => {
    const id =
      "/subscriptions/s/resourceGroups/rg/providers/Microsoft.DesktopVirtualization/hostPools/hp/sessionHosts/avd-3.contoso.local/userSessions/12";
    expect(parseUserSessionId(id)).toEqual({ sessionHostName: "avd-3.contoso.local", sessionId: "12" });
    expect(
      toUserSessionInfo({ id, name: "12", sessionState: "Active", userPrincipalName: "u" }),
    ).toMatchObject({
      sessionHostName: "avd-3.contoso.local",
      id: "12",
    });
    // Name shaped hostPool/sessionHost/id with no id given.
    expect(toUserSessionInfo({ name: "hp/avd-3.contoso.local/7" })).toMatchObject({
      sessionHostName: "avd-3.contoso.local",
      id: "7",
    });
    expect(toUserSessionInfo({ sessionState: "SomethingNew" as never, name: "hp/h/1" })?.sessionState).toBe(
      "Unknown",
    );
  });

  it("parses VM ids case-insensitively and rejects other resource types", () => {
    expect(
      parseVmId("/subscriptions/s/resourcegroups/RG/providers/microsoft.compute/virtualmachines/vm-1"),
    ).toEqual({
      subscriptionId: "s",
      resourceGroupName: "RG",
      provider: "microsoft.compute",
      type: "virtualmachines",
      name: "vm-1",
    });
    expect(
      parseVmId("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d"),
    ).toBeUndefined();
    expect(parseVmId("vm-1")).toBeUndefined();
    expect(sameResourceId("/A/b", "/a/B")).toBe(true);
  });

  it("treats an unknown session host status as not serving", () => {
    expect(toSessionHostStatus("Available")).toBe("Available");
    expect(toSessionHostStatus("BrandNewStatus")).toBe("Unavailable");
    expect(toSessionHostStatus(undefined)).toBe("Unavailable");
  });
});

describe("power state", () => {
  it("reads the PowerState/ status and ignores the others", () => {
    expect(
      powerStateFromStatuses([{ code: "ProvisioningState/succeeded" }, { code: "PowerState/deallocated" }]),
    ).toBe("deallocated");
    expect(powerStateFromStatuses([{ code: "PowerState/running" }])).toBe("running");
    expect(powerStateFromStatuses([{ code: "PowerState/stopped" }])).toBe("stopped");
  });

  it("is unknown without a power status or with an unexpected one", () => {
    expect(powerStateFromStatuses([{ code: "ProvisioningState/creating" }])).toBe("unknown");
    expect(powerStateFromStatuses(undefined)).toBe("unknown");
    expect(powerStateFromStatuses([{ code: "PowerState/hibernated" }])).toBe("unknown");
  });
});

describe("retry timing", () => {
  const now = Date.parse("2026-11-25T20:00:00Z");

  it("parses Retry-After seconds, HTTP dates and the millisecond headers", () => {
    expect(parseRetryAfter(headers({ "retry-after": "5" }), now)).toBe(5_000);
    expect(parseRetryAfter(headers({ "retry-after": "Wed, 25 Nov 2026 20:00:30 GMT" }), now)).toBe(30_000);
    expect(parseRetryAfter(headers({ "retry-after": "Wed, 25 Nov 2026 19:00:00 GMT" }), now)).toBe(0);
    expect(parseRetryAfter(headers({ "x-ms-retry-after-ms": "250", "retry-after": "1" }), now)).toBe(250);
    expect(parseRetryAfter(headers({ "retry-after-ms": "40" }), now)).toBe(40);
    expect(parseRetryAfter(headers({ "retry-after": "soon" }), now)).toBeUndefined();
    expect(parseRetryAfter(headers({}), now)).toBeUndefined();
  });
});

describe("errors", () => {
  it("classifies by status and keeps the ARM code", () => {
    const rest = (statusCode: number, code: string) => Object.assign(new Error("msg"), { statusCode, code });
    expect(toPortError(rest(404, "ResourceNotFound"), "op")).toMatchObject({
      kind: "notFound",
      code: "ResourceNotFound",
      operation: "op",
    });
    expect(toPortError(rest(412, "PreconditionFailed"), "op").kind).toBe("conflict");
    expect(toPortError(rest(429, "TooManyRequests"), "op").kind).toBe("transient");
    expect(toPortError(rest(409, "Conflict"), "op").kind).toBe("transient");
    expect(toPortError(rest(503, "ServiceUnavailable"), "op").kind).toBe("transient");
    expect(toPortError(rest(400, "InvalidParameter"), "op").kind).toBe("permanent");
    expect(toPortError(rest(401, "InvalidAuthenticationToken"), "op").kind).toBe("permanent");
  });

  it("calls timeouts and socket errors transient", () => {
    expect(toPortError(Object.assign(new Error("aborted"), { name: "AbortError" }), "op").kind).toBe(
      "transient",
    );
    expect(toPortError(Object.assign(new Error("reset"), { code: "ECONNRESET" }), "op").kind).toBe(
      "transient",
    );
  });

  it("never lets a token or password into a message", () => {
    const jwt = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJhYmMifQ.c2lnbmF0dXJl";
    const text = `failed: Authorization: Bearer abcdefghijklmnop; token=${jwt}; "password": "hunter2!"; url?sv=1&sig=SECRETSIG`;
    const out = redact(text);
    for (const secret of [jwt, "abcdefghijklmnop", "hunter2!", "SECRETSIG"])
      expect(out).not.toContain(secret);
    expect(redact("the value s3cr3t-value leaked", ["s3cr3t-value"])).not.toContain("s3cr3t-value");
    const error = toPortError(Object.assign(new Error(`bad ${jwt}`), { statusCode: 400, code: "X" }), "op");
    expect(error.message).not.toContain(jwt);
  });
});

describe("clouds and subscription", () => {
  it("knows the three clouds' ARM endpoints, scopes and authorities", () => {
    expect(cloudFromConfig(undefined)).toBe(CLOUDS.public);
    expect(cloudFromConfig("usgovernment")).toMatchObject({
      resourceManagerEndpoint: "https://management.usgovcloudapi.net",
      resourceManagerScope: "https://management.usgovcloudapi.net/.default",
      authorityHost: "https://login.microsoftonline.us",
    });
    expect(cloudFromConfig("AzureChinaCloud").resourceManagerEndpoint).toBe(
      "https://management.chinacloudapi.cn",
    );
  });

  it("rejects an unknown cloud naming the key and the accepted values", () => {
    expect(() => cloudFromConfig("mars")).toThrow(InputError);
    expect(() => cloudFromConfig("mars")).toThrow(
      /azure-native:environment is "mars".*public, usgovernment or china/,
    );
  });

  it("takes the subscription from config, else AZURE_SUBSCRIPTION_ID, else says how to set it", () => {
    const guid = "11111111-2222-3333-4444-555555555555";
    const other = "aaaaaaaa-2222-3333-4444-555555555555";
    expect(resolveSubscriptionId(guid, { AZURE_SUBSCRIPTION_ID: other })).toBe(guid);
    expect(resolveSubscriptionId(undefined, { AZURE_SUBSCRIPTION_ID: other })).toBe(other);
    expect(() => resolveSubscriptionId(undefined, {})).toThrow(
      /azure-native:subscriptionId.*AZURE_SUBSCRIPTION_ID/,
    );
    expect(() => resolveSubscriptionId("my-sub", {})).toThrow(InputError);
  });
});
