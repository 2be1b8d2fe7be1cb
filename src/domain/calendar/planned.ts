/**
 * Planned releases and window occurrences as conflict detection works on them: epoch
 * milliseconds for the searches, each bound written out once for the conflicts that name
 * it, and the searches over releases sorted by start (ADR 2400-1).
 */
import { instantText as iso } from './instant-text.js';
import {
  floatingRecurrence,
  occurrencesIn,
  type CalendarWindow,
  type FloatingRecurrence,
} from './window.js';
import type { PlannedRelease } from './conflicts.js';

/**
 * A release with its bounds already written out (a year's detection names the same
 * instants in tens of thousands of conflicts) and its place in start order.
 */
export interface Planned extends PlannedRelease {
  index: number;
  startIso: string;
  endIso: string;
}
/** One occurrence of a window, in epoch milliseconds and written out. */
export interface Span {
  start: number;
  end: number;
  startIso: string;
  endIso: string;
  /** How a freeze conflict names the occurrence, once one does; shared by alike windows. */
  asFreeze?: string;
}
export type Bounds = { start: number; end: number; startIso: string; endIso: string };
export const laterStart = (a: Bounds, b: Bounds) => (a.start >= b.start ? a.startIso : b.startIso);
export const earlierEnd = (a: Bounds, b: Bounds) => (a.end <= b.end ? a.endIso : b.endIso);

/**
 * Each window's occurrences over the period, expanded once per detection; windows that
 * recur alike (every team's "Friday evening to Monday morning" freeze in the same zone)
 * share one expansion.
 */
export interface Expansions {
  /** What the occurrences depend on: equal keys, equal occurrences. */
  keyOf(window: CalendarWindow): string;
  of(window: CalendarWindow): readonly Span[];
}

export function expansionsFor(from: number, to: number): Expansions {
  const recurrences = new Map<string, FloatingRecurrence>();
  const expanded = new Map<string, Span[]>();
  const keyOf = (window: CalendarWindow) =>
    `${window.rrule ?? ''}|${window.start}|${window.end}|${window.timeZone}`;
  return {
    keyOf,
    of(window) {
      const key = keyOf(window);
      let spans = expanded.get(key);
      if (!spans) {
        // The rule's local starts do not depend on the zone: one expansion serves all.
        const local = `${window.rrule ?? ''}|${window.start}|${window.end}`;
        let recurrence = recurrences.get(local);
        if (!recurrence) {
          recurrence = floatingRecurrence(window, from, to);
          recurrences.set(local, recurrence);
        }
        spans = occurrencesIn(window, recurrence, from, to).map(({ start, end }) => ({
          start,
          end,
          startIso: iso(start),
          endIso: iso(end),
        }));
        expanded.set(key, spans);
      }
      return spans;
    },
  };
}

/**
 * The `count` items of `list` that pass `test`, in a list allocated at that length:
 * `filter` leaves room for 16 more, and a year's conflicts keep tens of thousands.
 */
export function exactly(
  count: number,
  list: readonly string[],
  test: (item: string) => boolean,
): string[] {
  const kept = new Array<string>(count);
  let at = 0;
  for (const item of list) if (test(item)) kept[at++] = item;
  return kept;
}

/**
 * Index of the first release (sorted by start) starting at or after `at`: releases
 * before it start earlier.
 */
export function firstStartingFrom(sorted: readonly Planned[], at: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]!.start < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Index of the first release (sorted by start, none longer than `longest`) that may
 * overlap an interval starting at `start`, given `past`, the first one starting after it
 * ends: releases from there to `past` overlap it when they end after `start`.
 */
export function firstOverlapping(
  sorted: readonly Planned[],
  longest: number,
  start: number,
  past: number,
): number {
  let first = past;
  while (first > 0 && sorted[first - 1]!.start > start - longest) first--;
  return first;
}

/** The longest duration among `list`. */
export function longestOf(list: readonly Planned[]): number {
  let longest = -Infinity;
  for (const r of list) if (r.end - r.start > longest) longest = r.end - r.start;
  return longest;
}
