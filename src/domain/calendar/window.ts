/**
 * Calendar windows: release windows, freezes (blackouts) and maintenance windows. A
 * window is written the way people say it — local wall-clock times in an IANA zone,
 * optionally repeating by an RFC 5545 RRULE — and expanded here into UTC occurrences.
 * Recurrence comes from `rrule`, zones and DST from `luxon` (ADR 0200-1).
 */
import { Type, type Static } from '@sinclair/typebox';
import { DateTime, type DurationLikeObject } from 'luxon';
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

/** The wall-clock length of a window, so every occurrence ends at the same local time. */
function wallClockLength(window: CalendarWindow): DurationLikeObject {
  const start = DateTime.fromISO(window.start, { zone: window.timeZone });
  const end = DateTime.fromISO(window.end, { zone: window.timeZone });
  return end.diff(start, ['days', 'hours', 'minutes', 'seconds']).toObject();
}

/**
 * rrule works on "floating" times: local wall-clock fields carried in a UTC Date. Each
 * occurrence is turned back into a real instant in the window's zone by luxon, which is
 * what keeps Friday 18:00 at 18:00 on both sides of a daylight-saving change.
 */
function floating(local: DateTime): Date {
  return new Date(
    Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second),
  );
}

function fromFloating(date: Date, zone: string): DateTime {
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: date.getUTCHours(),
      minute: date.getUTCMinutes(),
      second: date.getUTCSeconds(),
    },
    { zone },
  );
}

const ruleCache = new WeakMap<CalendarWindow, RRuleInstance>();

function ruleOf(window: CalendarWindow): RRuleInstance {
  const cached = ruleCache.get(window);
  if (cached) return cached;
  const start = DateTime.fromISO(window.start, { zone: window.timeZone });
  const rule = new RRule({
    ...RRule.parseString(window.rrule!.replace(/^RRULE:/i, '')),
    dtstart: floating(start),
  });
  ruleCache.set(window, rule);
  return rule;
}

const DAY = 86_400_000;

/** Occurrences of a window that overlap [from, to), UTC milliseconds, in start order. */
export function occurrencesBetween(window: CalendarWindow, from: number, to: number): Occurrence[] {
  const length = wallClockLength(window);
  const occurrence = (localStart: DateTime): Occurrence => ({
    window,
    start: localStart.toMillis(),
    end: localStart.plus(length).toMillis(),
  });
  if (!window.rrule) {
    const only = occurrence(DateTime.fromISO(window.start, { zone: window.timeZone }));
    return only.start < to && only.end > from ? [only] : [];
  }
  const span =
    DateTime.fromISO(window.end, { zone: window.timeZone }).toMillis() -
    DateTime.fromISO(window.start, { zone: window.timeZone }).toMillis();
  // Floating times differ from real ones by at most a day's offset; widen to be safe.
  const starts = ruleOf(window).between(new Date(from - span - DAY), new Date(to + DAY), true);
  return starts
    .map((date) => occurrence(fromFloating(date, window.timeZone)))
    .filter((o) => o.start < to && o.end > from);
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
