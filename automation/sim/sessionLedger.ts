/**
 * Every user session of a rehearsal, read back from the event log alone: where it signed in,
 * which notices listed it, how it ended. The invariant checker (invariants.ts) and the rehearsal
 * summary (rehearse.ts) both read users' experience from here, so what the summary reports is
 * exactly what the checker checks.
 */
import type { AnyEvent } from "../core/events";

export interface SessionNotice {
  /** When the notice listing this session was reported (its delivery). */
  at: number;
  /** The deadline that notice stated. */
  deadline: number;
  host: string;
}

export interface SessionRecord {
  id: string;
  user: string;
  host: string;
  signedInAt: number;
  /** Notices that listed this session, in order. */
  notices: SessionNotice[];
  endedAt?: number;
  /** `signedOut`: by the user; `loggedOff`: by force (the driver, or a removal or deallocation). */
  ended?: "signedOut" | "loggedOff";
}

export interface SessionLedger {
  sessions: Map<string, SessionRecord>;
  /** Sign-ins that found no host with room. */
  refused: number;
  /** Notices that listed a session the log never saw sign in (each counts once). */
  unknownNoticed: string[];
}

export function readSessionLedger(events: readonly AnyEvent[]): SessionLedger {
  const sessions = new Map<string, SessionRecord>();
  const unknownNoticed: string[] = [];
  let refused = 0;
  for (const event of events) {
    const t = Date.parse(event.t);
    if (event.type === "world.session") {
      if (event.action === "refused") {
        refused++;
        continue;
      }
      if (event.session === undefined || event.host === null) continue;
      if (event.action === "signedIn") {
        sessions.set(event.session, {
          id: event.session,
          user: event.user,
          host: event.host,
          signedInAt: t,
          notices: [],
        });
      } else {
        const session = sessions.get(event.session);
        if (session && session.ended === undefined) {
          session.ended = event.action;
          session.endedAt = t;
        }
      }
    } else if (event.type === "host.notified") {
      const deadline = Date.parse(event.deadline);
      for (const id of event.sessionIds) {
        const session = sessions.get(id);
        if (session) session.notices.push({ at: t, deadline, host: event.host });
        else unknownNoticed.push(id);
      }
    }
  }
  return { sessions, refused, unknownNoticed };
}

export interface UsersSummary {
  /** Sessions signed out by force earlier than the delay after their own first notice (or with none). */
  shortNotices: number;
  /** The shortest notice (minutes) a session signed out by force had; the full delay when none was. */
  shortestNoticeMinutes: number;
  refusedSignIns: number;
  /** Distinct users signed out by force, or notified in more than one session (or twice in one). */
  disruptedUsers: number;
  /** Sessions listed by more than one notice. */
  sessionsNoticedAgain: number;
}

export function summarizeUsers(ledger: SessionLedger, delayMinutes: number): UsersSummary {
  const delayMs = delayMinutes * 60_000;
  let shortNotices = 0;
  let shortest = Number.POSITIVE_INFINITY;
  let noticedAgain = 0;
  const disrupted = new Set<string>();
  const noticedSessionsOfUser = new Map<string, number>();
  for (const session of ledger.sessions.values()) {
    if (session.notices.length > 1) {
      noticedAgain++;
      disrupted.add(session.user);
    }
    if (session.notices.length > 0)
      noticedSessionsOfUser.set(session.user, (noticedSessionsOfUser.get(session.user) ?? 0) + 1);
    if (session.ended !== "loggedOff" || session.endedAt === undefined) continue;
    disrupted.add(session.user);
    const first = session.notices[0];
    const noticeMs = first ? session.endedAt - first.at : 0;
    shortest = Math.min(shortest, noticeMs);
    if (!first || noticeMs < delayMs) shortNotices++;
  }
  for (const [user, count] of noticedSessionsOfUser) if (count > 1) disrupted.add(user);
  return {
    shortNotices,
    shortestNoticeMinutes: Number.isFinite(shortest)
      ? Math.round((shortest / 60_000) * 10) / 10
      : delayMinutes,
    refusedSignIns: ledger.refused,
    disruptedUsers: disrupted.size,
    sessionsNoticedAgain: noticedAgain,
  };
}
