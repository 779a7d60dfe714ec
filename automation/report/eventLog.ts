/**
 * Reading an event log (spec section 8) for the report. A report is built from the log alone,
 * and logs outlive the code that wrote them: every field beyond `t` and `type` may be absent
 * (older drivers wrote fewer), and event types this version does not know are skipped, not
 * refused.
 */
import { readFileSync } from "node:fs";
import { InputError } from "../core/errors";
import type { AnyEvent, EventType } from "../core/events";

/** An event as read from a log: `t` and `type` are certain, every other field optional. */
export type LoggedEvent<E extends AnyEvent = AnyEvent> = E extends AnyEvent
  ? Pick<E, "t" | "type"> & Partial<Omit<E, "t" | "type">>
  : never;

/** The logged event of one type. */
export type LoggedOf<T extends EventType> = LoggedEvent<Extract<AnyEvent, { type: T }>>;

/** Every type the report understands; a Record so that a type added to events.ts must be added here. */
const KNOWN_TYPES: Record<EventType, true> = {
  "rollout.started": true,
  "batch.started": true,
  "host.notified": true,
  "host.signedOut": true,
  "host.drained": true,
  "host.undrained": true,
  "host.removed": true,
  "vm.deallocated": true,
  "stack.up": true,
  "stack.upFinished": true,
  "host.registered": true,
  "host.ready": true,
  "vm.deleted": true,
  "vm.retained": true,
  "host.failed": true,
  "host.retry": true,
  "batch.finished": true,
  "rollout.progress": true,
  "rollout.blocked": true,
  "rollout.paused": true,
  "rollout.resumed": true,
  "rollout.cancelled": true,
  "rollout.handover": true,
  "rollout.finished": true,
  "world.availability": true,
  "world.session": true,
  "world.fault": true,
  "driver.crashed": true,
  "driver.resumed": true,
};

export function isKnownType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(KNOWN_TYPES, type);
}

/** Narrows a logged event to one type. */
export function isType<T extends EventType>(event: LoggedEvent, type: T): event is LoggedOf<T> {
  return event.type === type;
}

/**
 * Parses JSON lines. A line that is not a JSON object with a string `type` and an ISO `t` is an
 * error naming the source and line (a truncated last line — a driver killed mid-write — is
 * skipped: the lines before it are whole).
 */
export function parseEventLog(text: string, source: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  const lines = text.split("\n");
  let lastLine = lines.length - 1;
  while (lastLine >= 0 && lines[lastLine].trim() === "") lastLine--;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (line === "") continue;
    const isLast = index === lastLine;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (isLast && !text.endsWith("\n")) break;
      throw new InputError(
        `${source} line ${index + 1}: not JSON (${JSON.stringify(line.slice(0, 60))}); pass an event log written by --events (one JSON object per line)`,
      );
    }
    if (
      typeof value !== "object" ||
      value === null ||
      Array.isArray(value) ||
      typeof (value as { type?: unknown }).type !== "string" ||
      typeof (value as { t?: unknown }).t !== "string" ||
      Number.isNaN(Date.parse((value as { t: string }).t))
    ) {
      throw new InputError(
        `${source} line ${index + 1}: not an event (an object with an ISO "t" and a "type"); pass an event log written by --events`,
      );
    }
    const event = value as { type: string };
    if (isKnownType(event.type)) events.push(value as LoggedEvent);
  }
  return events;
}

/** Reads and parses an event log file; a missing or unreadable file is an InputError naming `flag`. */
export function readEventLog(path: string, flag: string): LoggedEvent[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : "unreadable";
    throw new InputError(
      `${flag} ${JSON.stringify(path)}: cannot read the event log (${reason}); pass the file written by --events`,
    );
  }
  return parseEventLog(text, path);
}
