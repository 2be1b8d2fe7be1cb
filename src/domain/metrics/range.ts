/**
 * The period a metric covers and the calendar buckets it is cut into. Buckets are UTC
 * days, ISO weeks (starting Monday) and calendar months, so the same history gives the
 * same series whoever asks and from wherever.
 */
import type { FieldProblem } from '../errors.js';

export const BUCKETS = ['day', 'week', 'month'] as const;
export type Bucket = (typeof BUCKETS)[number];

export const DIMENSIONS = ['team', 'service', 'environment', 'class'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface MetricRange {
  /** Inclusive, ISO 8601 UTC. */
  since: string;
  /** Exclusive, ISO 8601 UTC. */
  until: string;
}

/** The longest range one request may cover: four years of daily buckets stay small. */
export const MAX_RANGE_DAYS = 4 * 366;
const DAY_MS = 86_400_000;

/**
 * Refuses a range with a missing end (an unbounded metric silently grows with history),
 * an end before its start, or one longer than MAX_RANGE_DAYS; each naming its field.
 */
export function checkRange(
  since: string | undefined,
  until: string | undefined,
  // The name the schema layer gives query parameters, so one endpoint names them one way.
  fieldPrefix = '/querystring',
): { range: MetricRange | null; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const parse = (name: 'since' | 'until', value: string | undefined): number | null => {
    if (value === undefined || value === '') {
      problems.push({
        field: `${fieldPrefix}/${name}`,
        reason: 'is required: a metric over an unbounded range is refused',
      });
      return null;
    }
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) {
      problems.push({
        field: `${fieldPrefix}/${name}`,
        reason: `'${value}' is not an ISO 8601 date-time`,
      });
      return null;
    }
    return ms;
  };
  const from = parse('since', since);
  const to = parse('until', until);
  if (from === null || to === null) return { range: null, problems };
  if (to <= from) {
    problems.push({
      field: `${fieldPrefix}/until`,
      reason: `must be after since (${new Date(from).toISOString()}): the range is reversed or empty`,
    });
  } else if (to - from > MAX_RANGE_DAYS * DAY_MS) {
    problems.push({
      field: `${fieldPrefix}/until`,
      reason: `the range may cover at most ${MAX_RANGE_DAYS} days`,
    });
  }
  if (problems.length) return { range: null, problems };
  return {
    range: { since: new Date(from).toISOString(), until: new Date(to).toISOString() },
    problems,
  };
}

/** The bucket an instant (ISO 8601 UTC text) falls in, as a sortable label. */
export function bucketOf(instant: string, bucket: Bucket): string {
  if (bucket === 'day') return instant.slice(0, 10);
  if (bucket === 'month') return instant.slice(0, 7);
  const date = new Date(instant.slice(0, 10) + 'T00:00:00Z');
  const sinceMonday = (date.getUTCDay() + 6) % 7;
  return new Date(date.getTime() - sinceMonday * DAY_MS).toISOString().slice(0, 10);
}

/** Every bucket label the range touches, in order, so empty periods show as zero. */
export function bucketsIn(range: MetricRange, bucket: Bucket): string[] {
  const labels: string[] = [];
  const end = Date.parse(range.until);
  let at = Date.parse(bucketOf(range.since, 'day') + 'T00:00:00Z');
  while (at < end) {
    const label = bucketOf(new Date(at).toISOString(), bucket);
    if (labels[labels.length - 1] !== label) labels.push(label);
    at += DAY_MS;
  }
  return labels;
}

export function rangeDays(range: MetricRange): number {
  return (Date.parse(range.until) - Date.parse(range.since)) / DAY_MS;
}
