/**
 * An accessible SVG line chart for trends and control charts: a title and a description
 * that reads the numbers, optional centre and control limits, and signals marked with a
 * distinct shape (not colour alone) and named in the description.
 */
import { useId } from 'react';
import { formatNumber } from '../format.js';

export interface LinePoint {
  label: string;
  value: number | null;
  center?: number;
  upper?: number;
  lower?: number;
}

export function LineChart({
  title,
  points,
  format = formatNumber,
  signals = [],
}: {
  title: string;
  points: LinePoint[];
  format?: (n: number) => string;
  /** Indexes of points that break a rule, with the rule's words. */
  signals?: { index: number; description: string }[];
}) {
  const id = useId();
  const width = 640;
  const height = 220;
  const pad = { left: 56, right: 16, top: 12, bottom: 36 };
  const values = points.flatMap((p) =>
    [p.value, p.upper, p.lower, p.center].filter((v): v is number => typeof v === 'number'),
  );
  const max = Math.max(...values, 0);
  const min = Math.min(...values, 0);
  const span = max - min || 1;
  const x = (i: number) =>
    pad.left +
    (points.length <= 1 ? 0 : (i * (width - pad.left - pad.right)) / (points.length - 1));
  const y = (v: number) => pad.top + ((max - v) * (height - pad.top - pad.bottom)) / span;
  const path = (pick: (p: LinePoint) => number | null | undefined) => {
    let d = '';
    let pen = false;
    points.forEach((p, i) => {
      const v = pick(p);
      if (typeof v !== 'number') {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    return d.trim();
  };
  const signalled = new Set(signals.map((s) => s.index));
  const every = Math.max(1, Math.ceil(points.length / 8));
  const description =
    points.map((p) => `${p.label}: ${p.value === null ? 'no data' : format(p.value)}`).join('; ') +
    (signals.length
      ? `. Signals: ${signals.map((s) => `${points[s.index]?.label ?? s.index} ${s.description}`).join('; ')}`
      : '');
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>{description}</desc>
        <line className="axis" x1={pad.left} x2={width - pad.right} y1={y(min)} y2={y(min)} />
        <text className="chart-label" x={pad.left - 6} y={y(max) + 4} textAnchor="end">
          {format(max)}
        </text>
        {max !== min && (
          <text className="chart-label" x={pad.left - 6} y={y(min) + 4} textAnchor="end">
            {format(min)}
          </text>
        )}
        {points.some((p) => p.upper !== undefined) && (
          <>
            <path className="limit" d={path((p) => p.upper)} />
            <path className="limit" d={path((p) => p.lower)} />
            <path className="center" d={path((p) => p.center)} />
          </>
        )}
        <path className="line" d={path((p) => p.value)} />
        {points.map((p, i) =>
          p.value === null ? null : signalled.has(i) ? (
            <rect
              key={i}
              className="signal"
              x={x(i) - 5}
              y={y(p.value) - 5}
              width={10}
              height={10}
              transform={`rotate(45 ${x(i)} ${y(p.value)})`}
            />
          ) : (
            <circle key={i} className="dot" cx={x(i)} cy={y(p.value)} r={3} />
          ),
        )}
        {points.map((p, i) =>
          i % every === 0 ? (
            <text key={i} className="chart-label" x={x(i)} y={height - 12} textAnchor="middle">
              {p.label}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption>
        {title}
        {signals.length > 0 && (
          <>
            {' '}
            —{' '}
            <span className="signal-key" aria-hidden="true">
              ◆
            </span>{' '}
            {signals.length} signal
            {signals.length === 1 ? '' : 's'}:{' '}
            {signals.map((s) => `${points[s.index]?.label ?? s.index} ${s.description}`).join('; ')}
          </>
        )}
      </figcaption>
    </figure>
  );
}
