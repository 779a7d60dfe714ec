import { describe, expect, it } from "vitest";
import { isTransientFailureMessage, upFailuresByHost } from "../../automation/pulumi/upFailures";
import { diagnostic, opFailed, urnOf } from "./engineEvents";

const HOSTS = ["avd-0", "avd-1", "avd-2", "avd-10"];
const EXT = "azure-native:compute:VirtualMachineExtension";

describe("upFailuresByHost", () => {
  it("attributes error diagnostics to hosts and classifies agent registration failures as transient", () => {
    const failures = upFailuresByHost(
      [
        diagnostic("info line", urnOf(EXT, "avd-1-dsc"), "info"),
        diagnostic(
          'error: VM has reported a failure when processing extension DSC. Error message: "AgentRegistrationFailureGeneric: registration failed"',
          urnOf(EXT, "avd-1-dsc"),
        ),
        diagnostic(
          'error: Code="InvalidParameter" Message="The supplied password must be between 8-123 characters"',
          urnOf("azure-native:compute:VirtualMachine", "avd-10-2026-04-15T17-16-07"),
        ),
        diagnostic("error: update failed"),
      ],
      HOSTS,
    );
    expect(Object.keys(failures.byHost).sort()).toEqual(["avd-1", "avd-10"]);
    expect(failures.byHost["avd-1"]).toContain("AgentRegistrationFailureGeneric");
    expect(failures.transientHosts).toEqual(["avd-1"]);
    expect(failures.unattributed).toEqual(["error: update failed"]);
  });

  it("treats ARM throttling and 5xx as transient, bad requests as permanent", () => {
    expect(isTransientFailureMessage('Status=429 Code="TooManyRequests"')).toBe(true);
    expect(isTransientFailureMessage("StatusCode=503 ServiceUnavailable")).toBe(true);
    expect(isTransientFailureMessage("registration timed out after 30m")).toBe(true);
    expect(isTransientFailureMessage('Code="InvalidParameter"')).toBe(false);
    expect(isTransientFailureMessage("AuthorizationFailed")).toBe(false);
  });

  it("names a host whose resource failed without a diagnostic", () => {
    const failures = upFailuresByHost([opFailed(urnOf(EXT, "avd-2-aadlogin"))], HOSTS);
    expect(failures.byHost["avd-2"]).toContain("avd-2");
    expect(failures.transientHosts).toEqual([]);
  });

  it("redacts secrets from the messages it keeps", () => {
    const failures = upFailuresByHost(
      [
        diagnostic(
          "error: domain join failed for join@corp with password Sup3r-S3cret!",
          urnOf(EXT, "avd-0-join"),
        ),
      ],
      HOSTS,
      ["Sup3r-S3cret!"],
    );
    expect(failures.byHost["avd-0"]).not.toContain("Sup3r-S3cret!");
    expect(failures.byHost["avd-0"]).toContain("[secret]");
  });
});
