import { describe, expect, it } from "vitest";
import { InputError } from "../../automation/core/errors";
import { parseStartAt, resolveTimeZone } from "../../automation/cli/startTime";

const NOW = Date.parse("2026-04-13T08:00:00Z");

describe("resolveTimeZone", () => {
  it("accepts IANA names and maps Windows names to IANA", () => {
    expect(resolveTimeZone("Europe/Berlin")).toBe("Europe/Berlin");
    expect(resolveTimeZone("W. Europe Standard Time")).toBe("Europe/Berlin");
    expect(resolveTimeZone("Pacific Standard Time")).toBe("America/Los_Angeles");
    expect(resolveTimeZone("UTC")).toBe("UTC");
  });

  it("refuses unknown names, naming the flag and examples", () => {
    expect(() => resolveTimeZone("Mars/Olympus")).toThrow(InputError);
    expect(() => resolveTimeZone("Mars/Olympus")).toThrow(
      /--time-zone "Mars\/Olympus".*Europe\/Berlin.*W\. Europe Standard Time/,
    );
  });
});

describe("parseStartAt", () => {
  it("takes an ISO time with an offset as is", () => {
    expect(parseStartAt("2026-04-15T22:00:00Z", undefined, NOW)).toBe("2026-04-15T22:00:00.000Z");
    expect(parseStartAt("2026-04-15T22:00+02:00", undefined, NOW)).toBe("2026-04-15T20:00:00.000Z");
  });

  it("reads a local time in an IANA or Windows zone, with daylight saving", () => {
    // April: Berlin is UTC+2 (CEST).
    expect(parseStartAt("2026-04-15T22:00", "Europe/Berlin", NOW)).toBe("2026-04-15T20:00:00.000Z");
    expect(parseStartAt("2026-04-15 22:00", "W. Europe Standard Time", NOW)).toBe("2026-04-15T20:00:00.000Z");
    // December: UTC+1 (CET).
    expect(parseStartAt("2026-12-01T22:00", "Europe/Berlin", NOW)).toBe("2026-12-01T21:00:00.000Z");
    expect(parseStartAt("2026-07-01T18:30", "Eastern Standard Time", NOW)).toBe("2026-07-01T22:30:00.000Z");
    expect(parseStartAt("2026-07-01T18:30", "Asia/Kolkata", NOW)).toBe("2026-07-01T13:00:00.000Z");
  });

  it("reads a bare HH:mm as its next occurrence in the zone", () => {
    // 08:00Z is 10:00 in Berlin: 22:00 is today, 09:00 is tomorrow.
    expect(parseStartAt("22:00", "Europe/Berlin", NOW)).toBe("2026-04-13T20:00:00.000Z");
    expect(parseStartAt("09:00", "Europe/Berlin", NOW)).toBe("2026-04-14T07:00:00.000Z");
  });

  it("takes the earlier instant of an hour that occurs twice, refuses one that does not exist", () => {
    // 2026-10-25 02:30 occurs twice in Berlin (CEST then CET).
    expect(parseStartAt("2026-10-25T02:30", "Europe/Berlin", NOW)).toBe("2026-10-25T00:30:00.000Z");
    // 2027-03-28 02:30 does not exist in Berlin.
    expect(() => parseStartAt("2027-03-28T02:30", "Europe/Berlin", NOW)).toThrow(
      /does not exist in Europe\/Berlin/,
    );
  });

  it.each([
    ["tomorrow", undefined, /--at "tomorrow": not a time/],
    ["2026-04-15T22:00", undefined, /has no offset: add --time-zone/],
    ["2026-02-30T22:00", "Europe/Berlin", /not a valid date/],
    ["2026-04-15T25:00", "Europe/Berlin", /not a valid date/],
    ["2026-04-15T22:00Z", "Europe/Berlin", /already carries an offset/],
    ["2026-04-01T22:00Z", undefined, /is in the past/],
    ["2026-04-15T22:00", "Nowhere/City", /--time-zone "Nowhere\/City"/],
  ])("refuses --at %s (--time-zone %s)", (at, zone, message) => {
    expect(() => parseStartAt(at, zone, NOW)).toThrow(InputError);
    expect(() => parseStartAt(at, zone, NOW)).toThrow(message);
  });
});
