import { describe, expect, it } from "vitest";
import {
  firstNoticeRunOut,
  nextDeadline,
  noticeBody,
  sessionDeadlines,
  sessionsPastDeadline,
  unconfirmedGroups,
  unnotifiedSessions,
} from "../../../automation/core/policies/notices";
import type { NoticeGroup } from "../../../automation/core/record";

const MIN = 60_000;
const t = (minutes: number): string => new Date(minutes * MIN).toISOString();
const groups: NoticeGroup[] = [
  { ids: ["1", "2"], sentAt: t(0) },
  { ids: ["3"], sentAt: t(20) },
  { ids: ["4"], sendingSince: t(25) },
];

describe("per-session notices", () => {
  it("a session's deadline counts from its own group's delivery; an unconfirmed delivery has none yet", () => {
    expect(sessionDeadlines(groups, 30 * MIN)).toEqual(
      new Map([
        ["1", 30 * MIN],
        ["2", 30 * MIN],
        ["3", 50 * MIN],
        ["4", null],
      ]),
    );
  });

  it.each([
    [29.99, []],
    [30, ["1"]],
    [49.99, ["1"]],
    [50, ["1", "3"]],
    [500, ["1", "3"]], // never one whose delivery is unconfirmed, nor one never notified
  ])("at minute %f these may be signed out: %j", (minute, ids) => {
    expect(sessionsPastDeadline(["1", "3", "4", "9"], groups, 30 * MIN, minute * MIN)).toEqual(ids);
  });

  it("finds who is not notified yet, and what is unconfirmed", () => {
    expect(unnotifiedSessions(["1", "4", "9"], groups)).toEqual(["9"]);
    expect(unconfirmedGroups(groups)).toEqual([2]);
  });

  it("the next deadline among the sessions still there", () => {
    expect(nextDeadline(groups, 30 * MIN, 10 * MIN)).toBe(30 * MIN);
    expect(nextDeadline(groups, 30 * MIN, 10 * MIN, ["3"])).toBe(50 * MIN);
    expect(nextDeadline(groups, 30 * MIN, 50 * MIN)).toBeNull();
  });

  it("the host's first notice runs out at its delay, and not before its delivery is confirmed", () => {
    expect(firstNoticeRunOut(groups, 30 * MIN, 30 * MIN - 1)).toBe(false);
    expect(firstNoticeRunOut(groups, 30 * MIN, 30 * MIN)).toBe(true);
    expect(firstNoticeRunOut([{ ids: [], sendingSince: t(0) }], 30 * MIN, 60 * MIN)).toBe(false);
    expect(firstNoticeRunOut(undefined, 30 * MIN, 60 * MIN)).toBe(false);
  });

  it("tells users the time they will be signed out, never earlier than it will happen", () => {
    expect(noticeBody("Save your work.", 30 * MIN, 0)).toBe(
      "Save your work. You will be signed out at 00:30 UTC (in 30 minutes).",
    );
    expect(noticeBody("Save your work.", 60_000, 0)).toBe(
      "Save your work. You will be signed out at 00:01 UTC (in 1 minute).",
    );
    expect(noticeBody("Save your work.", 0, 0)).toBe("Save your work. You will be signed out shortly.");
  });
});
