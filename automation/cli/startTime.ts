/**
 * `start --at TIME [--time-zone TZ]` (spec section 5.7): an ISO time with an offset, or a local
 * wall-clock time in an IANA (`Europe/Berlin`) or Windows (`W. Europe Standard Time`) time zone.
 * Windows names map to IANA through the `windows-iana` package (CLDR's windowsZones table).
 */
import { findIana } from "windows-iana";
import { InputError } from "../core/errors";

/** The IANA zone for an IANA or Windows time-zone name; InputError naming --time-zone otherwise. */
export function resolveTimeZone(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "")
    throw new InputError(
      `--time-zone "": empty; give an IANA name such as Europe/Berlin or a Windows name such as "W. Europe Standard Time"`,
    );
  if (isIanaZone(trimmed)) return canonicalIana(trimmed);
  const viaWindows = findIana(trimmed)[0];
  if (viaWindows && isIanaZone(viaWindows)) return canonicalIana(viaWindows);
  throw new InputError(
    `--time-zone "${name}": not a known time zone; give an IANA name such as Europe/Berlin or America/New_York, ` +
      `or a Windows name such as "W. Europe Standard Time" or "Pacific Standard Time"`,
  );
}

function isIanaZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function canonicalIana(name: string): string {
  return new Intl.DateTimeFormat("en-US", { timeZone: name }).resolvedOptions().timeZone;
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallTimeIn(zone: string, instant: number): WallTime {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(instant));
  const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value ?? "0");
  return {
    year: get("year"),
    month: get("month"),
    day: get("day"),
    hour: get("hour"),
    minute: get("minute"),
    second: get("second"),
  };
}

function asUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/**
 * The instant at which the clocks of `zone` show `wall`. In a daylight-saving gap there is no
 * such instant (InputError); in an overlap the earlier one is taken.
 */
export function instantOfWallTime(wall: WallTime, zone: string, flagValue: string): number {
  const naive = asUtcMs(wall);
  const candidates = new Set<number>();
  // Offsets are within ±14 h; probing either side of the naive instant finds both offsets of a transition.
  for (const probe of [naive - 14 * 3600_000, naive, naive + 14 * 3600_000]) {
    const offset = asUtcMs(wallTimeIn(zone, probe)) - Math.floor(probe / 1000) * 1000;
    candidates.add(naive - offset);
  }
  const matching = [...candidates]
    .filter((instant) => asUtcMs(wallTimeIn(zone, instant)) === naive)
    .sort((a, b) => a - b);
  const first = matching[0];
  if (first === undefined) {
    throw new InputError(
      `--at "${flagValue}": that local time does not exist in ${zone} (the clocks skip it for daylight saving); pick another time`,
    );
  }
  return first;
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const LOCAL_TIME = /^(\d{2}):(\d{2})$/;

const FORMAT_HELP =
  `use an ISO time with an offset (2026-04-15T22:00:00Z, 2026-04-15T22:00+02:00), ` +
  `or a local time (2026-04-15T22:00 or 22:00) with --time-zone`;

function checkRanges(flagValue: string, wall: WallTime): void {
  const valid =
    wall.month >= 1 &&
    wall.month <= 12 &&
    wall.day >= 1 &&
    wall.day <= 31 &&
    wall.hour <= 23 &&
    wall.minute <= 59 &&
    wall.second <= 59;
  const roundTrip = new Date(asUtcMs(wall));
  if (!valid || roundTrip.getUTCDate() !== wall.day || roundTrip.getUTCMonth() + 1 !== wall.month) {
    throw new InputError(`--at "${flagValue}": not a valid date and time; ${FORMAT_HELP}`);
  }
}

/**
 * The scheduled start as an ISO UTC time. `now` bounds it: a time more than a minute in the
 * past is refused (a schedule that has already passed is almost always a typo), and a bare
 * `HH:mm` means its next occurrence.
 */
export function parseStartAt(at: string, timeZone: string | undefined, now: number): string {
  const value = at.trim();
  let instant: number;
  if (ISO_WITH_OFFSET.test(value)) {
    if (timeZone !== undefined) {
      throw new InputError(
        `--at "${at}" already carries an offset, so --time-zone "${timeZone}" would be ignored; drop one of them`,
      );
    }
    instant = Date.parse(value.replace(" ", "T"));
    const wallMatch = LOCAL_DATE_TIME.exec(value.slice(0, 16));
    if (wallMatch) checkRanges(at, wallFromMatch(wallMatch));
    if (Number.isNaN(instant))
      throw new InputError(`--at "${at}": not a valid date and time; ${FORMAT_HELP}`);
  } else {
    const dateTime = LOCAL_DATE_TIME.exec(value);
    const timeOnly = LOCAL_TIME.exec(value);
    if (!dateTime && !timeOnly)
      throw new InputError(`--at "${at}": not a time avd-rollout understands; ${FORMAT_HELP}`);
    if (timeZone === undefined) {
      throw new InputError(
        `--at "${at}" has no offset: add --time-zone (e.g. Europe/Berlin or "W. Europe Standard Time"), or write it with Z or +hh:mm`,
      );
    }
    const zone = resolveTimeZone(timeZone);
    if (dateTime) {
      const wall = wallFromMatch(dateTime);
      checkRanges(at, wall);
      instant = instantOfWallTime(wall, zone, at);
    } else {
      const today = wallTimeIn(zone, now);
      const wall = { ...today, hour: Number(timeOnly?.[1]), minute: Number(timeOnly?.[2]), second: 0 };
      checkRanges(at, wall);
      instant = instantOfWallTime(wall, zone, at);
      if (instant <= now) {
        const tomorrow = wallTimeIn(zone, now + 24 * 3600_000);
        instant = instantOfWallTime(
          { ...tomorrow, hour: wall.hour, minute: wall.minute, second: 0 },
          zone,
          at,
        );
      }
    }
  }
  if (instant < now - 60_000) {
    throw new InputError(
      `--at "${at}" is in the past (${new Date(instant).toISOString()}); give a future time, or leave --at out to start now`,
    );
  }
  return new Date(instant).toISOString();
}

function wallFromMatch(match: RegExpExecArray): WallTime {
  return {
    year: Number(match[1]),
    month: Number(match[2]),
    day: Number(match[3]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6] ?? "0"),
  };
}
