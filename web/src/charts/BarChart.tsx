/**
 * A small accessible SVG bar chart: a title and description for screen readers, each bar
 * with its value as text, and the same numbers in a table for those who prefer one.
 */
import { useId } from 'react';
import { formatNumber } from '../format.js';

export interface BarSeries {
  name: string;
  className: string;
  values: (number | null)[];
}

export function GroupedBarChart({
  title,
  labels,
  series,
  unit = '',
}: {
  title: string;
  labels: string[];
  series: BarSeries[];
  unit?: string;
}) {
  const id = useId();
  const width = 640;
  const rowHeight = 18 * series.length + 14;
  const labelWidth = 170;
  const height = labels.length * rowHeight + 24;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values.map((v) => Math.abs(v ?? 0))));
  const scale = (v: number) => ((width - labelWidth - 70) * Math.abs(v)) / max;
  return (
    <figure className="chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-t`}>{title}</title>
        <desc id={`${id}-d`}>
          {labels
            .map(
              (label, i) =>
                `${label}: ${series.map((s) => `${s.name} ${formatNumber(s.values[i])}${unit}`).join(', ')}`,
            )
            .join('; ')}
        </desc>
        {labels.map((label, i) => (
          <g key={label} transform={`translate(0, ${i * rowHeight + 4})`}>
            <text x={0} y={14} className="chart-label">
              {label.length > 24 ? `${label.slice(0, 23)}…` : label}
            </text>
            {series.map((s, j) => {
              const v = s.values[i] ?? null;
              return (
                <g key={s.name} transform={`translate(${labelWidth}, ${j * 18})`}>
                  <rect className={s.className} width={v === null ? 0 : scale(v)} height={14} />
                  <text x={(v === null ? 0 : scale(v)) + 4} y={12} className="chart-value">
                    {v === null ? 'no data' : `${formatNumber(v)}${unit}`}
                  </text>
                </g>
              );
            })}
          </g>
        ))}
      </svg>
      <figcaption>
        {title}.{' '}
        {series.map((s) => (
          <span key={s.name} className="legend">
            <span className={`swatch ${s.className}`} aria-hidden="true" /> {s.name}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
