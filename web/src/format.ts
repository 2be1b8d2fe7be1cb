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
