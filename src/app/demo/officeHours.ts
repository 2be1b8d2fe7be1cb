/** Time in each team's own time zone: working hours and deploy days are local matters. */

import { type Rng } from './random.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Timestamps keep whole seconds: nobody records a deployment to the millisecond. */
export const plus = (at: Date, ms: number): Date =>
  new Date(Math.round((at.getTime() + ms) / 1000) * 1000);
export const minutes = (n: number): number => n * MINUTE;
export const hours = (n: number): number => n * HOUR;

interface LocalDate {
  year: number;
  month: number;
  day: number;
}
interface LocalTime extends LocalDate {
  hour: number;
  minute: number;
  /** 0 is Sunday. */
  weekday: number;
}

export const clocks = new Map<string, Intl.DateTimeFormat>();
const offsets = new Map<string, number>();

function askClock(at: Date, timeZone: string): number {
  let clock = clocks.get(timeZone);
  if (!clock) {
    clock = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    clocks.set(timeZone, clock);
  }
  const parts = Object.fromEntries(clock.formatToParts(at).map((p) => [p.type, p.value]));
  const shown = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
  );
  return Math.round((shown - Math.floor(at.getTime() / MINUTE) * MINUTE) / MINUTE);
}

/**
 * Minutes `timeZone` is ahead of UTC at `at`. Asking Intl costs far more than the rest of
 * the generator, so it is asked once per zone and UTC day, and per hour only on the few
 * days a zone changes its offset (which it does on whole UTC hours).
 */
function utcOffset(at: Date, timeZone: string): number {
  const day = Math.floor(at.getTime() / DAY);
  const dayKey = `${timeZone}|${day}`;
  let whole = offsets.get(dayKey);
  if (whole === undefined) {
    const first = askClock(new Date(day * DAY), timeZone);
    const last = askClock(new Date((day + 1) * DAY - MINUTE), timeZone);
    whole = first === last ? first : NaN;
    offsets.set(dayKey, whole);
  }
  if (!Number.isNaN(whole)) return whole;
  const hourKey = `${timeZone}|${day}|${Math.floor(at.getTime() / HOUR)}`;
  let offset = offsets.get(hourKey);
  if (offset === undefined) {
    offset = askClock(at, timeZone);
    offsets.set(hourKey, offset);
  }
  return offset;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const wall = new Date(at.getTime() + utcOffset(at, timeZone) * MINUTE);
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    weekday: wall.getUTCDay(),
  };
}

function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** The instant a wall clock in `timeZone` shows the given local time. */
export function zoned(date: LocalDate, hour: number, minute: number, timeZone: string): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  const first = wall - utcOffset(new Date(wall), timeZone) * MINUTE;
  return new Date(wall - utcOffset(new Date(first), timeZone) * MINUTE);
}

const isWorkingDay = (weekday: number): boolean => weekday >= 1 && weekday <= 5;
const isWorkingTime = (local: LocalTime): boolean =>
  isWorkingDay(local.weekday) && local.hour >= 9 && local.hour < 18;

/** People act in office hours: an earlier moment moves back to the last working afternoon. */
export function snapBack(rng: Rng, at: Date, timeZone: string): Date {
  const local = localTime(at, timeZone);
  if (isWorkingTime(local)) return at;
  let day: LocalDate = local;
  if (!(isWorkingDay(local.weekday) && local.hour >= 18)) {
    do day = addDays(day, -1);
    while (!isWorkingDay(weekdayOf(day)));
  }
  return zoned(day, 15, rng.int(0, 160), timeZone);
}

/** …and a later moment moves on to the next working morning. */
export function snapForward(rng: Rng, at: Date, timeZone: string): Date {
  const local = localTime(at, timeZone);
  if (isWorkingTime(local)) return at;
  let day: LocalDate = local;
  if (!(isWorkingDay(local.weekday) && local.hour < 9)) {
    do day = addDays(day, 1);
    while (!isWorkingDay(weekdayOf(day)));
  }
  return zoned(day, 9, rng.int(5, 150), timeZone);
}
