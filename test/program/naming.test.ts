import { describe, expect, it } from "vitest";
import {
  generationStamp,
  logicalNamesOf,
  nicNameOf,
  osDiskNameOf,
  vmNameOf,
} from "../../program/sessionHosts/naming";

describe("generation names", () => {
  it.each([
    ["2026-04-15T17:16:07Z", "2026-04-15T17-16-07"],
    ["2026-01-02T03:04:05.999Z", "2026-01-02T03-04-05"],
    ["2026-12-31T23:59:59Z", "2026-12-31T23-59-59"],
    // A local-offset time is named in UTC.
    ["2026-04-15T19:16:07+02:00", "2026-04-15T17-16-07"],
  ])("%s -> %s (UTC, zero padded, no colons)", (iso, stamp) => {
    expect(generationStamp(new Date(iso))).toBe(stamp);
  });

  it("names the VM <host>-<stamp>, and the NIC and OS disk after the VM", () => {
    const vm = vmNameOf("avdprod-0", new Date("2026-04-15T17:16:07Z"));
    expect(vm).toBe("avdprod-0-2026-04-15T17-16-07");
    expect(nicNameOf(vm)).toBe("avdprod-0-2026-04-15T17-16-07-nic");
    expect(osDiskNameOf(vm)).toBe("avdprod-0-2026-04-15T17-16-07-osdisk");
  });

  it("keeps VM names within Azure's 64 characters for the longest host name", () => {
    expect(vmNameOf("abcdefghijk-999", new Date()).length).toBeLessThanOrEqual(64);
  });

  it("rejects an invalid generation time", () => {
    expect(() => generationStamp(new Date("not a date"))).toThrow(/generationTime/);
  });

  it("gives stable logical names that do not depend on the generation", () => {
    const names = logicalNamesOf("avd-10");
    expect([names.vm, names.nic, names.extension("avd-agent"), names.dataCollectionRuleAssociation]).toEqual([
      "avd-10-vm",
      "avd-10-nic",
      "avd-10-avd-agent",
      "avd-10-dcra",
    ]);
  });
});
