/**
 * CAB meetings: a change advisory board that sits once or on a schedule. A meeting is
 * written like a calendar window — local wall-clock start and end in an IANA zone,
 * optionally repeating by an RFC 5545 RRULE — and expanded by the calendar's own
 * recurrence code, so "every Tuesday 10:00 Europe/Berlin" stays at 10:00 across a
 * daylight-saving change.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldProblem } from '../errors.js';
import { occurrencesBetween, windowProblems, type CalendarWindow } from '../calendar/window.js';
import { ShortText, Slug, StrictObject } from '../schema-kit.js';

const LocalDateTime = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$',
  description: 'local wall-clock time in the meeting’s time zone, e.g. 2026-03-24T10:00',
});

export const CabMeetingInput = StrictObject({
  name: Slug,
  title: ShortText,
  timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone' }),
  start: LocalDateTime,
  end: LocalDateTime,
  rrule: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'RFC 5545 recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU; absent: one-off',
    }),
  ),
  members: Type.Optional(
    Type.Array(Slug, { maxItems: 100, uniqueItems: true, description: 'user names' }),
  ),
});
export type CabMeetingInput = Static<typeof CabMeetingInput>;

export interface CabMeeting {
  id: string;
  name: string;
  title: string;
  timeZone: string;
  start: string;
  end: string;
  rrule: string | null;
  members: string[];
  createdBy: string;
  createdAt: string;
}

export interface MeetingOccurrence {
  /** UTC instants, ISO 8601. */
  start: string;
  end: string;
}

/** The meeting as the calendar's recurrence code sees it. */
function asWindow(meeting: Pick<CabMeeting, 'name' | 'timeZone' | 'start' | 'end' | 'rrule'>) {
  const window: CalendarWindow = {
    id: meeting.name,
    name: meeting.name,
    kind: 'maintenance',
    timeZone: meeting.timeZone,
    start: meeting.start,
    end: meeting.end,
    rrule: meeting.rrule,
    scope: {},
    environments: [],
    capacity: null,
    description: '',
  };
  return window;
}

/** Every problem with a meeting's schedule, each naming its field; empty when sound. */
export function meetingProblems(input: CabMeetingInput): FieldProblem[] {
  return windowProblems({
    name: input.name,
    kind: 'maintenance',
    timeZone: input.timeZone,
    start: input.start,
    end: input.end,
    ...(input.rrule === undefined ? {} : { rrule: input.rrule }),
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
/** How far ahead "the next meeting" is looked for: a board that sits less than yearly is none. */
const HORIZON = 400 * 86_400_000;

/** Occurrences starting in [from, to), in order. */
export function meetingOccurrences(
  meeting: Pick<CabMeeting, 'name' | 'timeZone' | 'start' | 'end' | 'rrule'>,
  from: number,
  to: number,
): MeetingOccurrence[] {
  return occurrencesBetween(asWindow(meeting), from, to)
    .filter((o) => o.start >= from)
    .map((o) => ({ start: iso(o.start), end: iso(o.end) }));
}

/** The first occurrence starting at or after `at`, or null when the meeting sits no more. */
export function nextOccurrence(
  meeting: Pick<CabMeeting, 'name' | 'timeZone' | 'start' | 'end' | 'rrule'>,
  at: number,
): MeetingOccurrence | null {
  return meetingOccurrences(meeting, at, at + HORIZON)[0] ?? null;
}

/** The occurrence that starts exactly at `start` (an instant), or null if there is none. */
export function occurrenceStartingAt(
  meeting: Pick<CabMeeting, 'name' | 'timeZone' | 'start' | 'end' | 'rrule'>,
  start: number,
): MeetingOccurrence | null {
  const found = nextOccurrence(meeting, start);
  return found && Date.parse(found.start) === start ? found : null;
}

/** The meeting after the one starting at `start`: the agenda's horizon. */
export function followingOccurrence(
  meeting: Pick<CabMeeting, 'name' | 'timeZone' | 'start' | 'end' | 'rrule'>,
  start: number,
): MeetingOccurrence | null {
  return nextOccurrence(meeting, start + 1);
}
