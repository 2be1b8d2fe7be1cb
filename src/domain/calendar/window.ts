/**
 * Calendar windows: release windows, freezes (blackouts) and maintenance windows. A
 * window is written the way people say it — local wall-clock times in an IANA zone,
 * optionally repeating by an RFC 5545 RRULE — and expanded here into UTC occurrences.
 * Recurrence comes from `rrule`, zones and DST from `luxon` (ADR 0200-1).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import rrulePackage from 'rrule';
import type { FieldProblem } from '../errors.js';
import { LongText, Slug, StrictObject, StringEnum } from '../schema-kit.js';
import { isValidTimeZone } from '../time-zone.js';

// rrule ships CommonJS; its named exports are reachable only through the default one.
const { RRule } = rrulePackage;
type RRuleInstance = InstanceType<typeof RRule>;

export const WINDOW_KINDS = ['release', 'freeze', 'maintenance'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

const LocalDateTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$',
  description: 'local wall-clock time in the window’s time zone, e.g. 2026-03-27T18:00',
});

export const WindowScope = StrictObject(
  {
    region: Type.Optional(Slug),
    tier: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
    services: Type.Optional(Type.Array(Slug, { minItems: 1, maxItems: 500, uniqueItems: true })),
  },
  { description: 'which services the window covers; every given criterion must hold; {} is all' },
);
export type WindowScope = Static<typeof WindowScope>;

export const WindowInput = StrictObject({
  name: Slug,
  kind: StringEnum(WINDOW_KINDS),
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone' }),
  start: LocalDateTime,
  end: LocalDateTime,
  rrule: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=FR',
    }),
  ),
  scope: Type.Optional(WindowScope),
  environments: Type.Optional(
    Type.Array(Slug, { maxItems: 100, uniqueItems: true, description: 'absent: every one' }),
  ),
  capacity: Type.Optional(
    Type.Integer({ description: 'release windows: releases allowed at once (at least 1)' }),
  ),
  description: Type.Optional(LongText),
});
export type WindowInput = Static<typeof WindowInput>;

export interface CalendarWindow {
  id: string;
  name: string;
  kind: WindowKind;
  timeZone: string;
  start: string;
  end: string;
  rrule: string | null;
  scope: WindowScope;
  environments: string[];
  capacity: number | null;
  description: string;
}

export interface Occurrence {
  window: CalendarWindow;
  /** UTC instants, start inclusive, end exclusive. */
  start: number;
  end: number;
}

const DAY_NAME = '(MO|TU|WE|TH|FR|SA|SU)';
const list = (item: string) => new RegExp(`^${item}(,${item})*$`);
/** RFC 5545 §3.3.10 value syntax per part; rrule's own parser accepts too much. */
const RRULE_PART_SYNTAX: Record<string, RegExp> = {
  FREQ: /^(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)$/,
  UNTIL: /^\d{8}(T\d{6}Z?)?$/,
  COUNT: /^[1-9]\d{0,5}$/,
  INTERVAL: /^[1-9]\d{0,4}$/,
  BYSECOND: list('\\d{1,2}'),
  BYMINUTE: list('\\d{1,2}'),
  BYHOUR: list('\\d{1,2}'),
  BYDAY: list(`([+-]?\\d{1,2})?${DAY_NAME}`),
  BYMONTHDAY: list('[+-]?\\d{1,2}'),
  BYYEARDAY: list('[+-]?\\d{1,3}'),
  BYWEEKNO: list('[+-]?\\d{1,2}'),
  BYMONTH: list('\\d{1,2}'),
  BYSETPOS: list('[+-]?\\d{1,3}'),
  WKST: new RegExp(`^${DAY_NAME}$`),
};

/** Why an RRULE is unusable, or null. */
export function rruleProblem(text: string): string | null {
  const body = text.replace(/^RRULE:/i, '').toUpperCase();
  const seen = new Set<string>();
  for (const part of body.split(';')) {
    const [key, value, extra] = part.split('=');
    if (!key || value === undefined || value === '' || extra !== undefined)
      return `'${part}' is not NAME=VALUE`;
    const syntax = RRULE_PART_SYNTAX[key];
    if (!syntax)
      return `${key} is not an RRULE part Gatehouse accepts (the window's start and time zone say when it begins)`;
    if (!syntax.test(value)) return `${key}=${value} is not a valid value for ${key}`;
    if (seen.has(key)) return `${key} appears twice`;
    seen.add(key);
  }
  if (!seen.has('FREQ')) return 'FREQ is missing';
  if (seen.has('UNTIL') && seen.has('COUNT')) return 'UNTIL and COUNT may not both be given';
  let options: ReturnType<typeof RRule.parseString>;
  try {
    options = RRule.parseString(body);
    new RRule(options).all((_, i) => i < 1);
  } catch (error) {
    return (error as Error).message;
  }
  if (options.freq! > RRule.HOURLY) return 'windows repeat at most hourly';
  return null;
}

/** The local date-time exactly as written, or null when it does not exist in the zone. */
function existingLocal(local: string, zone: string): DateTime | null {
  const parsed = DateTime.fromISO(local, { zone });
  if (!parsed.isValid) return null;
  const normalised = local.length === 16 ? `${local}:00` : local;
  return parsed.toFormat("yyyy-MM-dd'T'HH:mm:ss") === normalised ? parsed : null;
}

/** Every problem with a window, each naming its field; empty when the window is sound. */
export function windowProblems(input: WindowInput): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (!isValidTimeZone(input.timeZone))
    problems.push({ field: '/timeZone', reason: `'${input.timeZone}' is not an IANA time zone` });
  if (input.rrule !== undefined) {
    const problem = rruleProblem(input.rrule);
    if (problem) problems.push({ field: '/rrule', reason: problem });
  }
  if (input.capacity !== undefined) {
    if (input.kind !== 'release')
      problems.push({
        field: '/capacity',
        reason: `only release windows have a capacity; a ${input.kind} window admits no releases to count`,
      });
    else if (!Number.isInteger(input.capacity) || input.capacity < 1 || input.capacity > 10000)
      problems.push({ field: '/capacity', reason: 'must be a whole number from 1 to 10000' });
  }
  if (problems.some((p) => p.field === '/timeZone')) return problems;
  const start = existingLocal(input.start, input.timeZone);
  const end = existingLocal(input.end, input.timeZone);
  if (!start)
    problems.push({
      field: '/start',
      reason: `${input.start} does not exist in ${input.timeZone} (a daylight-saving gap or an impossible date)`,
    });
  if (!end)
    problems.push({
      field: '/end',
      reason: `${input.end} does not exist in ${input.timeZone} (a daylight-saving gap or an impossible date)`,
    });
  if (start && end && end.toMillis() <= start.toMillis())
    problems.push({
      field: '/end',
      reason: `ends at ${input.end}, not after its start ${input.start}`,
    });
  return problems;
}

/**
 * rrule works on "floating" times: local wall-clock fields carried in a UTC Date. Each
 * occurrence's floating start and end (start plus the window's wall-clock length) are
 * turned into real instants in the window's zone, which is what keeps Friday 18:00 at
 * 18:00 on both sides of a daylight-saving change.
 */
function floatingOf(local: string): number {
  const [date, time] = local.split('T') as [string, string];
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const [hh, mm, ss] = time.split(':').map(Number) as [number, number, number | undefined];
  return Date.UTC(y, m - 1, d, hh, mm, ss ?? 0);
}

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** Per zone, the offset in force in each quarter hour looked up so far. */
const offsetCache = new Map<string, Map<number, number>>();
let offsetsCached = 0;
const QUARTER_HOUR = 900_000;

/**
 * The zone's UTC offset (minutes) at an instant, from the runtime's ICU data (the same
 * data luxon reads). Offsets change only on quarter-hour boundaries, so one lookup per
 * zone and quarter hour is cached: expanding a year of 500 windows would otherwise spend
 * its time formatting dates (bench: calendar).
 */
export function zoneOffset(zone: string, instant: number): number {
  const bucket = Math.floor(instant / QUARTER_HOUR);
  let offsets = offsetCache.get(zone);
  const cached = offsets?.get(bucket);
  if (cached !== undefined) return cached;
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormats.set(zone, format);
  }
  const at = bucket * QUARTER_HOUR;
  const parts: Record<string, number> = {};
  for (const part of format.formatToParts(new Date(at)))
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  const wall = Date.UTC(
    parts.year!,
    parts.month! - 1,
    parts.day!,
    parts.hour!,
    parts.minute!,
    parts.second!,
  );
  const offset = Math.round((wall - at) / 60_000);
  if (offsetsCached > 200_000) {
    offsetCache.clear();
    offsetsCached = 0;
    offsets = undefined;
  }
  if (!offsets) offsetCache.set(zone, (offsets = new Map()));
  offsets.set(bucket, offset);
  offsetsCached++;
  return offset;
}

/**
 * The instant a floating local time names in a zone, resolved as luxon does: a time in a
 * spring-forward gap moves forward by the gap, an ambiguous one takes the earlier offset.
 */
export function instantOf(floating: number, zone: string): number {
  const o = zoneOffset(zone, floating);
  let guess = floating - o * 60_000;
  const o2 = zoneOffset(zone, guess);
  if (o === o2) return guess;
  guess -= (o2 - o) * 60_000;
  const o3 = zoneOffset(zone, guess);
  if (o2 === o3) return guess;
  return floating - Math.min(o2, o3) * 60_000;
}

const ruleCache = new WeakMap<CalendarWindow, RRuleInstance>();

function ruleOf(window: CalendarWindow): RRuleInstance {
  const cached = ruleCache.get(window);
  if (cached) return cached;
  const rule = new RRule({
    ...RRule.parseString(window.rrule!.replace(/^RRULE:/i, '')),
    dtstart: new Date(floatingOf(window.start)),
  });
  ruleCache.set(window, rule);
  return rule;
}

const DAY = 86_400_000;

/**
 * A window's recurrence in floating local time, before its zone is applied: the local
 * starts of the occurrences that may overlap a period, and the wall-clock length. Windows
 * alike in rule, start and end share it whatever their zones.
 */
export interface FloatingRecurrence {
  starts: readonly number[];
  length: number;
}

export function floatingRecurrence(
  window: CalendarWindow,
  from: number,
  to: number,
): FloatingRecurrence {
  const floatingStart = floatingOf(window.start);
  const length = floatingOf(window.end) - floatingStart;
  if (!window.rrule) return { starts: [floatingStart], length };
  // Floating times differ from real ones by at most a day's offset; widen to be safe.
  const starts = ruleOf(window)
    .between(new Date(from - length - DAY), new Date(to + DAY), true)
    .map((date) => date.getTime());
  return { starts, length };
}

/**
 * The occurrences of a window overlapping [from, to), UTC milliseconds, in start order,
 * from its floating recurrence over (at least) that period.
 */
export function occurrencesIn(
  window: CalendarWindow,
  recurrence: FloatingRecurrence,
  from: number,
  to: number,
): Array<{ start: number; end: number }> {
  const found: Array<{ start: number; end: number }> = [];
  for (const localStart of recurrence.starts) {
    const start = instantOf(localStart, window.timeZone);
    const end = instantOf(localStart + recurrence.length, window.timeZone);
    if (start < to && end > from) found.push({ start, end });
  }
  return found;
}

/** Occurrences of a window that overlap [from, to), UTC milliseconds, in start order. */
export function occurrencesBetween(window: CalendarWindow, from: number, to: number): Occurrence[] {
  return occurrencesIn(window, floatingRecurrence(window, from, to), from, to).map(
    ({ start, end }) => ({ window, start, end }),
  );
}

/** The occurrence in force at `at`, if any. */
export function occurrenceAt(window: CalendarWindow, at: number): Occurrence | null {
  return occurrencesBetween(window, at, at + 1)[0] ?? null;
}

export interface ServiceFacts {
  name: string;
  tier: number;
}

export interface EnvironmentFacts {
  name: string;
  /** The regions the deployment touches: the environment's, or the one asked about. */
  regions: readonly string[];
}

/** Whether a window covers a service deployed into an environment. */
export function windowCovers(
  window: CalendarWindow,
  service: ServiceFacts,
  environment: EnvironmentFacts,
): boolean {
  if (window.environments.length > 0 && !window.environments.includes(environment.name))
    return false;
  const { region, tier, services } = window.scope;
  if (services && !services.includes(service.name)) return false;
  if (tier !== undefined && service.tier !== tier) return false;
  if (region !== undefined && !environment.regions.includes(region)) return false;
  return true;
}

/**
 * The first instant after `at`, and no later than `at + horizon`, at which one of the
 * windows starts or ends; `at + horizon` when none does. Whatever is decided from these
 * windows at `at` holds until then.
 */
export function nextBoundary(
  windows: readonly CalendarWindow[],
  at: number,
  horizon: number,
): number {
  let next = at + horizon;
  for (const window of windows)
    for (const occurrence of occurrencesBetween(window, at, at + horizon))
      for (const edge of [occurrence.start, occurrence.end])
        if (edge > at && edge < next) next = edge;
  return next;
}
