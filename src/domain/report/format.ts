/** How the report's numbers read, the same in Markdown and HTML. */
import type { Measure, MeasureUnit, Trend } from './quarterly.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < HOUR) return `${Math.round(ms / MINUTE)} min`;
  if (ms < 2 * DAY) return `${(ms / HOUR).toFixed(1)} h`;
  return `${(ms / DAY).toFixed(1)} d`;
}

export const formatPercent = (rate: number | null): string =>
  rate === null ? '—' : `${(rate * 100).toFixed(1)} %`;

export const formatNumber = (value: number | null, digits = 2): string =>
  value === null ? '—' : value.toFixed(digits);

export function formatValue(unit: MeasureUnit, value: number | null): string {
  if (value === null) return '—';
  switch (unit) {
    case 'per-day':
      return `${value.toFixed(2)} / day`;
    case 'duration':
      return formatDuration(value);
    case 'ratio':
      return formatPercent(value);
    case 'count':
      return String(value);
    case 'number':
      return value.toFixed(2);
  }
}

export const TREND_WORDS: Record<Trend, string> = {
  better: '▲ better',
  worse: '▼ worse',
  steady: '= steady',
  'no-data': 'no comparison',
};

export const formatMeasure = (m: Measure, which: 'current' | 'previous'): string =>
  formatValue(m.unit, m[which]);
