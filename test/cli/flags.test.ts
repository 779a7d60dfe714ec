import { describe, expect, it } from "vitest";
import {
  LIMITS,
  parseBatchSize,
  parseLogOffDelay,
  parseMessage,
  parseStack,
  parseSwitch,
} from "../../automation/cli/flags";
import { InputError } from "../../automation/core/errors";
import { recordingIo, runCli, runtimeFor, simulatedPool } from "./harness";

const LONG_MESSAGE = "x".repeat(LIMITS.logOffMessageLength + 1);

// [args, what the message must say]. Every case exits 2, opens no stack and changes nothing.
const BAD_FLAGS: [string[], RegExp][] = [
  [["start", "--yes"], /--stack is required.*--stack prod/],
  [["start", "--stack", "", "--yes"], /--stack is required/],
  [["start", "--stack", "prod env", "--yes"], /--stack "prod env": not a valid Pulumi stack name/],
  [
    ["start", "--stack", "prod", "--stack", "test", "--yes"],
    /--stack was given 2 times \(prod, test\); give it once/,
  ],
  [["start", "--stack", "prod", "--batch-size", "0", "--yes"], /--batch-size 0: out of range; .*at least 1/],
  [["start", "--stack", "prod", "--batch-size", "-3", "--yes"], /--batch-size -3: out of range/],
  [["start", "--stack", "prod", "--batch-size", "two", "--yes"], /--batch-size "two": not a whole number/],
  [["start", "--stack", "prod", "--batch-size", "1.5", "--yes"], /--batch-size "1.5": not a whole number/],
  [
    ["start", "--stack", "prod", "--log-off-delay", "1441", "--yes"],
    /--log-off-delay 1441: out of range; give whole minutes from 0 to 1440/,
  ],
  [["start", "--stack", "prod", "--log-off-delay", "-1", "--yes"], /--log-off-delay -1: out of range/],
  [
    ["start", "--stack", "prod", "--log-off-delay", "30m", "--yes"],
    /--log-off-delay "30m": not a whole number/,
  ],
  [
    ["start", "--stack", "prod", "--message", LONG_MESSAGE, "--yes"],
    /--message is 261 characters long; Azure shows at most 260: shorten it by 1/,
  ],
  [
    ["start", "--stack", "prod", "--message", "   ", "--yes"],
    /--message " {3}": empty; give the text users see/,
  ],
  [["start", "--stack", "prod", "--at", "soon", "--yes"], /--at "soon": not a time avd-rollout understands/],
  [
    ["start", "--stack", "prod", "--at", "2026-04-15T22:00", "--yes"],
    /--at "2026-04-15T22:00" has no offset: add --time-zone/,
  ],
  [
    ["start", "--stack", "prod", "--at", "2026-04-15T22:00", "--time-zone", "Atlantis/Capital", "--yes"],
    /--time-zone "Atlantis\/Capital": not a known time zone/,
  ],
  [
    ["start", "--stack", "prod", "--time-zone", "Europe/Berlin", "--yes"],
    /--time-zone "Europe\/Berlin" is only used with --at/,
  ],
  [
    ["start", "--stack", "prod", "--at", "2026-04-15T22:00Z", "--time-zone", "UTC", "--yes"],
    /already carries an offset/,
  ],
  [
    ["start", "--stack", "prod", "--at", "2020-01-01T00:00:00Z", "--yes"],
    /--at "2020-01-01T00:00:00Z" is in the past/,
  ],
  [
    ["start", "--stack", "prod", "--at", "2026-02-30T10:00", "--time-zone", "UTC", "--yes"],
    /--at "2026-02-30T10:00": not a valid date/,
  ],
  [
    ["start", "--stack", "prod", "--events", "/no/such/folder/events.jsonl", "--yes"],
    /--events "\/no\/such\/folder\/events.jsonl": folder \/no\/such\/folder does not exist/,
  ],
  [["start", "--stack", "prod", "--events", "/tmp", "--yes"], /--events "\/tmp" is a folder/],
  [["plan", "--stack", "prod", "--batch-size", "0"], /--batch-size 0: out of range/],
  [["plan"], /--stack is required/],
  [["status", "--stack", "a/b/c/d"], /--stack "a\/b\/c\/d": not a valid Pulumi stack name/],
  [["drift", "--stack", "-x"], /--stack|Unknown/],
  [["start", "--stack", "prod", "--batchsize", "3", "--yes"], /Unknown argument/],
];

describe("flag validation: exit 2, a message naming the flag, value and fix, nothing changed", () => {
  it.each(BAD_FLAGS)("%j", async (args, message) => {
    const pool = simulatedPool({ hostPool: { hosts: 2, vmNamePrefix: "avd" } });
    const run = await runCli(args, runtimeFor(pool, recordingIo()), pool.clock);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
    expect(pool.opened).toEqual([]);
    expect(pool.world.stats.stackUps).toBe(0);
  });

  it("has at least 15 bad-flag cases", () => {
    expect(BAD_FLAGS.length).toBeGreaterThanOrEqual(15);
  });
});

describe("flag parsers", () => {
  it("accept good values", () => {
    expect(parseStack("org/avd-rollout/prod")).toBe("org/avd-rollout/prod");
    expect(parseBatchSize("10000")).toBe(10000);
    expect(parseBatchSize(undefined)).toBeUndefined();
    expect(parseLogOffDelay("0")).toBe(0);
    expect(parseLogOffDelay("1440")).toBe(1440);
    expect(parseMessage("x".repeat(260))).toHaveLength(260);
    expect(parseSwitch("yes", true)).toBe(true);
    expect(parseSwitch("yes", undefined)).toBe(false);
  });

  it("refuse a value on a switch", () => {
    expect(() => parseSwitch("yes", "maybe")).toThrow(InputError);
    expect(() => parseSwitch("yes", "maybe")).toThrow(/--yes takes no value \(got "maybe"\)/);
  });
});
