/** Dates and names as the viewer reads them: their own locale and time zone. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatInstant(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatWindow(window: { start: string; end: string } | null): string {
  if (!window) return 'not planned';
  return dateTime.formatRange(new Date(window.start), new Date(window.end));
}

export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const STATE_NAMES: Record<string, string> = {
  plan: 'Plan',
  prepare: 'Prepare',
  test: 'Test',
  approve: 'Approve',
  deploy: 'Deploy',
  verify: 'Verify',
  closed: 'Closed',
  'no-go': 'No-go',
  'rolled-back': 'Rolled back',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const stateName = (state: string): string => STATE_NAMES[state] ?? state;

const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const percents = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 1 });

/** A number as the viewer writes it. */
export const formatNumber = (n: number | null | undefined): string =>
  n === null || n === undefined ? '—' : numbers.format(n);

/** A rate between 0 and 1 as a percentage in the viewer's locale. */
export const formatPercent = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '—' : percents.format(rate);

/** A duration in milliseconds the way a person says it: minutes, hours or days. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const minutes = ms / 60_000;
  if (minutes < 90) return `${numbers.format(Math.round(minutes))} min`;
  const hours = minutes / 60;
  if (hours < 48) return `${numbers.format(Math.round(hours * 10) / 10)} h`;
  return `${numbers.format(Math.round((hours / 24) * 10) / 10)} d`;
}

/** A day (YYYY-MM-DD or YYYY-MM) as the viewer reads it, without shifting its date. */
export function formatDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(Date.UTC(y!, (m ?? 1) - 1, d ?? 1));
  return new Intl.DateTimeFormat(undefined, {
    timeZone: 'UTC',
    ...(d ? { month: 'short', day: 'numeric' } : { month: 'short', year: 'numeric' }),
  }).format(date);
}
