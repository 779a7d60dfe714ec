/**
 * The notice promise, per session (spec 5.3), as tables over notice groups: who is told, each
 * session's deadline counted from its own delivery, who may be signed out at a moment (exactly at
 * the deadline, not a millisecond before), and what users read.
 */
import { describe, expect, it } from "vitest";
import {
  firstNoticeRunOut,
  groupDeadline,
  nextDeadline,
  noticeBody,
  noticedIds,
  sessionDeadlines,
  sessionsPastDeadline,
  unconfirmedGroups,
  unnotifiedSessions,
} from "../../../automation/core/policies/notices";
import type { NoticeGroup } from "../../../automation/core/record";

const MIN = 60_000;
const T0 = Date.parse("2026-04-13T08:00:00.000Z");
const at = (minutes: number) => new Date(T0 + minutes * MIN).toISOString();
const sent = (ids: string[], minute: number): NoticeGroup => ({ ids, sentAt: at(minute) });
const sending = (ids: string[]): NoticeGroup => ({ ids, sendingSince: at(0) });
const DELAY = 30 * MIN;

/** The host's first notice at 0 (a, b), a late arrival told at 10 (c), a group whose sending died (d). */
const groups: NoticeGroup[] = [sent(["a", "b"], 0), sent(["c"], 10), sending(["d"])];

describe("who is told", () => {
  it("every session in any group counts as told, sent or being sent", () => {
    expect([...noticedIds(groups)].sort()).toEqual(["a", "b", "c", "d"]);
    expect(noticedIds(undefined).size).toBe(0);
  });

  it("sessions no group lists get a notice of their own, in the order listed", () => {
    expect(unnotifiedSessions(["e", "a", "f", "d"], groups)).toEqual(["e", "f"]);
    expect(unnotifiedSessions(["a"], undefined)).toEqual(["a"]);
    expect(unnotifiedSessions([], groups)).toEqual([]);
  });

  it("groups whose sending was never confirmed are found by index", () => {
    expect(unconfirmedGroups(groups)).toEqual([2]);
    expect(unconfirmedGroups([sending(["x"]), sent(["y"], 1), sending([])])).toEqual([0, 2]);
    expect(unconfirmedGroups(undefined)).toEqual([]);
  });
});

describe("deadlines", () => {
  it("a group's deadline is its delivery plus the delay; none before it is confirmed", () => {
    expect(groupDeadline(sent(["a"], 5), DELAY)).toBe(T0 + 35 * MIN);
    expect(groupDeadline(sending(["a"]), DELAY)).toBeNull();
  });

  it("each session has the deadline of the first group that lists it", () => {
    const twice = [sent(["a"], 0), sent(["a", "b"], 20)];
    expect(Object.fromEntries(sessionDeadlines(twice, DELAY))).toEqual({
      a: T0 + 30 * MIN,
      b: T0 + 50 * MIN,
    });
    expect(Object.fromEntries(sessionDeadlines(groups, DELAY))).toEqual({
      a: T0 + 30 * MIN,
      b: T0 + 30 * MIN,
      c: T0 + 40 * MIN,
      d: null,
    });
  });

  it.each<[number, string[]]>([
    [30 * MIN - 1, []],
    [30 * MIN, ["a", "b"]],
    [40 * MIN - 1, ["a", "b"]],
    [40 * MIN, ["a", "b", "c"]],
    [1000 * MIN, ["a", "b", "c"]], // d: never, while its delivery is unconfirmed; e: never told
  ])("at %i ms, the listed sessions past their deadline are %j", (offset, due) => {
    expect(sessionsPastDeadline(["a", "b", "c", "d", "e"], groups, DELAY, T0 + offset)).toEqual(due);
  });

  it("only listed sessions are signed out: one that left is not", () => {
    expect(sessionsPastDeadline(["b"], groups, DELAY, T0 + 60 * MIN)).toEqual(["b"]);
  });

  it("a delay of 0: due the moment the notice is delivered", () => {
    expect(sessionsPastDeadline(["a"], [sent(["a"], 5)], 0, T0 + 5 * MIN)).toEqual(["a"]);
    expect(sessionsPastDeadline(["a"], [sent(["a"], 5)], 0, T0 + 5 * MIN - 1)).toEqual([]);
  });

  it.each<[string, number, string[] | undefined, number | null]>([
    ["the earliest deadline still ahead", 0, undefined, 30],
    ["not one that is now", 30, undefined, 40],
    ["nor one passed", 35, undefined, 40],
    ["none left", 40, undefined, null],
    ["only among the listed sessions", 0, ["c"], 40],
    ["none among them", 0, ["e"], null],
  ])("nextDeadline: %s", (_name, minute, listed, expected) => {
    const next = nextDeadline(groups, DELAY, T0 + minute * MIN, listed);
    expect(next).toBe(expected === null ? null : T0 + expected * MIN);
  });

  it("nextDeadline is the earliest whatever the order of the groups; no notice, no deadline", () => {
    const unordered = [sent(["x"], 20), sent(["y"], 5), sent(["z"], 12)];
    expect(nextDeadline(unordered, DELAY, T0)).toBe(T0 + 35 * MIN);
    expect(nextDeadline(undefined, DELAY, T0)).toBeNull();
    expect(sessionDeadlines(undefined, DELAY).size).toBe(0);
    expect(sessionsPastDeadline(["x"], undefined, DELAY, T0 + 1000 * MIN)).toEqual([]);
  });
});

describe("the host's first notice", () => {
  it.each<[string, NoticeGroup[] | undefined, number, boolean]>([
    ["runs out exactly the delay after its delivery", [sent([], 0), sent(["c"], 10)], 30 * MIN, true],
    ["not a millisecond before", [sent([], 0)], 30 * MIN - 1, false],
    ["later groups do not matter", [sent([], 0), sent(["c"], 25)], 30 * MIN, true],
    ["an unconfirmed first group never runs out", [sending([])], 1000 * MIN, false],
    ["no notice: nothing ran out", undefined, 1000 * MIN, false],
    ["no groups: nothing ran out", [], 1000 * MIN, false],
  ])("%s", (_name, list, offset, runOut) => {
    expect(firstNoticeRunOut(list, DELAY, T0 + offset)).toBe(runOut);
  });
});

describe("what users read", () => {
  it.each([
    [30 * MIN, "Save your work. You will be signed out at 08:30 UTC (in 30 minutes)."],
    [30 * MIN - 1, "Save your work. You will be signed out at 08:29 UTC (in 30 minutes)."],
    [60_001, "Save your work. You will be signed out at 08:01 UTC (in 2 minutes)."],
    [MIN, "Save your work. You will be signed out at 08:01 UTC (in 1 minute)."],
    [1, "Save your work. You will be signed out at 08:00 UTC (in 1 minute)."],
    [0, "Save your work. You will be signed out shortly."],
    [-MIN, "Save your work. You will be signed out shortly."],
  ])("a deadline %i ms ahead", (ahead, text) => {
    expect(noticeBody("Save your work.", T0 + ahead, T0)).toBe(text);
  });
});
