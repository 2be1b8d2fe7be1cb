/**
 * Small line and bar charts as inline SVG, drawn on the server so a report reads offline
 * with no script: axes with ticks and labels, an accessible title, optional control
 * limits, and points marked where a control-chart rule fired. Every text is escaped.
 */
export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface ChartDatum {
  label: string;
  value: number | null;
  /** Drawn as a dashed upper / lower control limit where given. */
  upperLimit?: number;
  lowerLimit?: number;
  /** A control-chart rule fired at this point: drawn as a marked point. */
  signal?: boolean;
}

export interface ChartSpec {
  /** Unique within the document: used for the accessible title's id. */
  id: string;
  title: string;
  yLabel: string;
  data: ChartDatum[];
  /** How a value reads on the axis and in the point's tooltip. */
  format: (value: number) => string;
  /** Drawn as a solid centre line. */
  center?: number;
}

const WIDTH = 640;
const HEIGHT = 240;
const MARGIN = { top: 28, right: 16, bottom: 44, left: 64 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;
const PLOT_H = HEIGHT - MARGIN.top - MARGIN.bottom;

const round = (n: number) => Math.round(n * 10) / 10;

/** A "nice" axis maximum (1, 2, 2.5 or 5 × 10ⁿ) at or above the largest value. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

function frame(spec: ChartSpec, yMax: number, body: string[]): string {
  const titleId = `${spec.id}-title`;
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const y = round(MARGIN.top + PLOT_H - f * PLOT_H);
    return (
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${y}" y2="${y}" class="grid"/>` +
      `<text x="${MARGIN.left - 6}" y="${y + 4}" text-anchor="end">${escapeXml(spec.format(yMax * f))}</text>`
    );
  });
  // At most ~8 category labels, so they never overlap.
  const every = Math.max(1, Math.ceil(spec.data.length / 8));
  const step = spec.data.length ? PLOT_W / spec.data.length : PLOT_W;
  const labels = spec.data.flatMap((d, i) =>
    i % every === 0
      ? [
          `<text x="${round(MARGIN.left + step * (i + 0.5))}" y="${MARGIN.top + PLOT_H + 16}" text-anchor="middle">${escapeXml(d.label)}</text>`,
        ]
      : [],
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${titleId}" class="chart">`,
    `<title id="${titleId}">${escapeXml(spec.title)}</title>`,
    `<text x="${MARGIN.left}" y="16" class="chart-title">${escapeXml(spec.title)}</text>`,
    ...ticks,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_H}" class="axis"/>`,
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${MARGIN.top + PLOT_H}" y2="${MARGIN.top + PLOT_H}" class="axis"/>`,
    ...labels,
    `<text x="14" y="${MARGIN.top + PLOT_H / 2}" text-anchor="middle" transform="rotate(-90 14 ${MARGIN.top + PLOT_H / 2})">${escapeXml(spec.yLabel)}</text>`,
    ...body,
    '</svg>',
  ].join('\n');
}

function scale(spec: ChartSpec): {
  yMax: number;
  x: (i: number) => number;
  y: (v: number) => number;
} {
  const values = spec.data.flatMap((d) => [d.value ?? 0, d.upperLimit ?? 0]);
  const yMax = niceMax(Math.max(0, spec.center ?? 0, ...values));
  const step = spec.data.length ? PLOT_W / spec.data.length : PLOT_W;
  return {
    yMax,
    x: (i) => round(MARGIN.left + step * (i + 0.5)),
    y: (v) => round(MARGIN.top + PLOT_H - (Math.min(v, yMax) / yMax) * PLOT_H),
  };
}

function centreLine(spec: ChartSpec, y: (v: number) => number): string[] {
  if (spec.center === undefined) return [];
  const at = y(spec.center);
  return [
    `<line x1="${MARGIN.left}" x2="${MARGIN.left + PLOT_W}" y1="${at}" y2="${at}" class="center"><title>centre ${escapeXml(spec.format(spec.center))}</title></line>`,
  ];
}

function limitPath(
  spec: ChartSpec,
  pick: (d: ChartDatum) => number | undefined,
  x: (i: number) => number,
  y: (v: number) => number,
): string[] {
  const points = spec.data.flatMap((d, i) => {
    const v = pick(d);
    return v === undefined ? [] : [`${x(i)},${y(v)}`];
  });
  return points.length > 1 ? [`<polyline points="${points.join(' ')}" class="limit"/>`] : [];
}

/** A line through each bucket's value (gaps where there is none), with optional limits. */
export function lineChart(spec: ChartSpec): string {
  const { yMax, x, y } = scale(spec);
  const segments: string[][] = [[]];
  spec.data.forEach((d, i) => {
    if (d.value === null) segments.push([]);
    else segments[segments.length - 1]!.push(`${x(i)},${y(d.value)}`);
  });
  const body = [
    ...centreLine(spec, y),
    ...limitPath(spec, (d) => d.upperLimit, x, y),
    ...limitPath(spec, (d) => d.lowerLimit, x, y),
    ...segments
      .filter((s) => s.length > 1)
      .map((s) => `<polyline points="${s.join(' ')}" class="series"/>`),
    ...spec.data.flatMap((d, i) =>
      d.value === null
        ? []
        : [
            `<circle cx="${x(i)}" cy="${y(d.value)}" r="${d.signal ? 5 : 3}" class="${d.signal ? 'signal' : 'point'}"><title>${escapeXml(
              `${d.label}: ${spec.format(d.value)}${d.signal ? ' (control-chart signal)' : ''}`,
            )}</title></circle>`,
          ],
    ),
  ];
  return frame(spec, yMax, body);
}

/** One bar per bucket. */
export function barChart(spec: ChartSpec): string {
  const { yMax, x, y } = scale(spec);
  const width = round(Math.max(2, (spec.data.length ? PLOT_W / spec.data.length : PLOT_W) * 0.7));
  const body = [
    ...spec.data.flatMap((d, i) =>
      d.value === null
        ? []
        : [
            `<rect x="${round(x(i) - width / 2)}" y="${y(d.value)}" width="${width}" height="${round(
              MARGIN.top + PLOT_H - y(d.value),
            )}" class="${d.signal ? 'bar signal' : 'bar'}"><title>${escapeXml(
              `${d.label}: ${spec.format(d.value)}`,
            )}</title></rect>`,
          ],
    ),
    ...centreLine(spec, y),
  ];
  return frame(spec, yMax, body);
}
