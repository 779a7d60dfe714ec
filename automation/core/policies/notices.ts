/**
 * The notice promise, per session (spec §5.3): no session is signed out by force earlier than
 * the delay after the message *it* received, counted from delivery. Pure bookkeeping over the
 * notice groups of the rollout record.
 */
import type { NoticeGroup } from "../record";

/** Every session id that is in a notice group (sent, or being sent). */
export function noticedIds(groups: readonly NoticeGroup[] | undefined): Set<string> {
  const ids = new Set<string>();
  for (const group of groups ?? []) for (const id of group.ids) ids.add(id);
  return ids;
}

/** The listed sessions that no notice covers yet: they get their own notice and full delay. */
export function unnotifiedSessions(
  sessionIds: readonly string[],
  groups: readonly NoticeGroup[] | undefined,
): string[] {
  const known = noticedIds(groups);
  return sessionIds.filter((id) => !known.has(id));
}

/** A group's deadline (ms), or null while its delivery is not confirmed. */
export function groupDeadline(group: NoticeGroup, delayMs: number): number | null {
  if (group.sentAt === undefined) return null;
  return Date.parse(group.sentAt) + delayMs;
}

/** Deadline of each noticed session (null: its delivery is not confirmed yet). */
export function sessionDeadlines(
  groups: readonly NoticeGroup[] | undefined,
  delayMs: number,
): Map<string, number | null> {
  const deadlines = new Map<string, number | null>();
  for (const group of groups ?? []) {
    const deadline = groupDeadline(group, delayMs);
    for (const id of group.ids) if (!deadlines.has(id)) deadlines.set(id, deadline);
  }
  return deadlines;
}

/** The listed sessions that may be signed out by force now: noticed, delivered, deadline passed. */
export function sessionsPastDeadline(
  sessionIds: readonly string[],
  groups: readonly NoticeGroup[] | undefined,
  delayMs: number,
  now: number,
): string[] {
  const deadlines = sessionDeadlines(groups, delayMs);
  return sessionIds.filter((id) => {
    const deadline = deadlines.get(id);
    return deadline !== undefined && deadline !== null && deadline <= now;
  });
}

/** The earliest deadline after `now` among the listed sessions (or among all noticed ones), or null. */
export function nextDeadline(
  groups: readonly NoticeGroup[] | undefined,
  delayMs: number,
  now: number,
  sessionIds?: readonly string[],
): number | null {
  const deadlines = sessionDeadlines(groups, delayMs);
  let next: number | null = null;
  for (const [id, deadline] of deadlines) {
    if (sessionIds && !sessionIds.includes(id)) continue;
    if (deadline !== null && deadline > now && (next === null || deadline < next)) next = deadline;
  }
  return next;
}

/** Whether the host's first notice (the one given to everyone on it at the start) has run out. */
export function firstNoticeRunOut(
  groups: readonly NoticeGroup[] | undefined,
  delayMs: number,
  now: number,
): boolean {
  const first = groups?.[0];
  if (!first) return false;
  const deadline = groupDeadline(first, delayMs);
  return deadline !== null && deadline <= now;
}

/** Indexes of groups whose sending was started but never confirmed (the driver died while sending). */
export function unconfirmedGroups(groups: readonly NoticeGroup[] | undefined): number[] {
  const indexes: number[] = [];
  (groups ?? []).forEach((group, index) => {
    if (group.sentAt === undefined) indexes.push(index);
  });
  return indexes;
}

/** The wording users read: the message and when they will be signed out. */
export function noticeBody(message: string, deadline: number, now: number): string {
  const minutes = Math.ceil((deadline - now) / 60_000);
  if (minutes <= 0) return `${message} You will be signed out shortly.`;
  const at = new Date(deadline).toISOString().slice(11, 16);
  return `${message} You will be signed out at ${at} UTC (in ${minutes} minute${minutes === 1 ? "" : "s"}).`;
}
