/**
 * Shewhart control charts and the Western Electric rules, for telling a real shift in
 * delivery (more failures after a change of process) from ordinary noise.
 *
 *   XmR (individuals and moving range): centre x̄, limits x̄ ± 2.66·MR̄ (2.66 = 3/d2,
 *     d2 = 1.128 for ranges of two), σ estimated as MR̄/1.128.
 *   p-chart (share of defective items, n varying): centre p̄ = Σd/Σn, limits
 *     p̄ ± 3·√(p̄(1−p̄)/nᵢ), clipped to [0, 1].
 *   u-chart (defects per unit, n varying): centre ū = Σc/Σn, limits ū ± 3·√(ū/nᵢ),
 *     the lower clipped at 0.
 *
 * The rules are judged on each point's distance from the centre in its own σ, so the
 * varying limits of p- and u-charts need no special case. No maintained JavaScript
 * library computes these (ADR 0400-1); the formulas are the textbook ones (Montgomery,
 * Introduction to Statistical Quality Control; Western Electric Statistical Quality
 * Control Handbook, 1956).
 */
export const WESTERN_ELECTRIC_RULES = {
  'beyond-3-sigma': 'one point beyond 3σ from the centre line',
  '2-of-3-beyond-2-sigma': 'two of three consecutive points beyond 2σ on the same side',
  '4-of-5-beyond-1-sigma': 'four of five consecutive points beyond 1σ on the same side',
  '8-on-one-side': 'eight consecutive points on the same side of the centre line',
} as const;
export type WesternElectricRule = keyof typeof WESTERN_ELECTRIC_RULES;

export interface ChartPoint {
  label: string;
  value: number;
  /** Sample size (p- and u-charts): items inspected or units observed. */
  n?: number;
  center: number;
  upperLimit: number;
  lowerLimit: number;
  sigma: number;
}

export interface Signal {
  rule: WesternElectricRule;
  description: string;
  /** The point that completed the pattern. */
  index: number;
  label: string;
  side: 'above' | 'below';
}

export interface ControlChart {
  kind: 'xmr' | 'p' | 'u';
  center: number;
  points: ChartPoint[];
  signals: Signal[];
  /** XmR only: the moving-range chart's centre and upper limit (3.267·MR̄). */
  movingRange?: { center: number; upperLimit: number; values: number[] };
}

const D2 = 1.128;
const D4 = 3.267;

/** Distance from the centre in σ; a flat process (σ = 0) is infinitely far off by any move. */
function zScore(p: ChartPoint): number {
  const diff = p.value - p.center;
  if (p.sigma === 0) return diff === 0 ? 0 : diff > 0 ? Infinity : -Infinity;
  return diff / p.sigma;
}

/** Every point that completes one of the four patterns, each naming its rule. */
export function westernElectricSignals(points: readonly ChartPoint[]): Signal[] {
  const z = points.map(zScore);
  const signals: Signal[] = [];
  const flag = (rule: WesternElectricRule, index: number, side: 'above' | 'below') =>
    signals.push({
      rule,
      description: WESTERN_ELECTRIC_RULES[rule],
      index,
      label: points[index]!.label,
      side,
    });
  const windowCount = (end: number, size: number, test: (zi: number) => boolean) => {
    if (end + 1 < size) return 0;
    let count = 0;
    for (let i = end - size + 1; i <= end; i++) if (test(z[i]!)) count++;
    return count;
  };
  for (let i = 0; i < z.length; i++) {
    const zi = z[i]!;
    if (Math.abs(zi) > 3) flag('beyond-3-sigma', i, zi > 0 ? 'above' : 'below');
    for (const side of ['above', 'below'] as const) {
      const sign = side === 'above' ? 1 : -1;
      const beyond = (k: number) => (zj: number) => sign * zj > k;
      // The point itself must be part of the pattern, so each signal marks where it shows.
      if (sign * zi > 2 && windowCount(i, 3, beyond(2)) >= 2)
        flag('2-of-3-beyond-2-sigma', i, side);
      if (sign * zi > 1 && windowCount(i, 5, beyond(1)) >= 4)
        flag('4-of-5-beyond-1-sigma', i, side);
      if (windowCount(i, 8, beyond(0)) === 8) flag('8-on-one-side', i, side);
    }
  }
  return signals;
}

export function xmrChart(series: ReadonlyArray<{ label: string; value: number }>): ControlChart {
  const values = series.map((s) => s.value);
  const center = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  const ranges = values.slice(1).map((v, i) => Math.abs(v - values[i]!));
  const mrBar = ranges.length ? ranges.reduce((a, b) => a + b, 0) / ranges.length : 0;
  const sigma = mrBar / D2;
  const points = series.map((s) => ({
    label: s.label,
    value: s.value,
    center,
    upperLimit: center + 3 * sigma,
    lowerLimit: center - 3 * sigma,
    sigma,
  }));
  return {
    kind: 'xmr',
    center,
    points,
    signals: westernElectricSignals(points),
    movingRange: { center: mrBar, upperLimit: D4 * mrBar, values: ranges },
  };
}

/** Periods with nothing inspected have no rate and are left out of the chart. */
export function pChart(
  series: ReadonlyArray<{ label: string; defective: number; inspected: number }>,
): ControlChart {
  const used = series.filter((s) => s.inspected > 0);
  const total = used.reduce((a, s) => a + s.inspected, 0);
  const center = total ? used.reduce((a, s) => a + s.defective, 0) / total : 0;
  const points = used.map((s) => {
    const sigma = Math.sqrt((center * (1 - center)) / s.inspected);
    return {
      label: s.label,
      value: s.defective / s.inspected,
      n: s.inspected,
      center,
      upperLimit: Math.min(1, center + 3 * sigma),
      lowerLimit: Math.max(0, center - 3 * sigma),
      sigma,
    };
  });
  return { kind: 'p', center, points, signals: westernElectricSignals(points) };
}

export function uChart(
  series: ReadonlyArray<{ label: string; defects: number; units: number }>,
): ControlChart {
  const used = series.filter((s) => s.units > 0);
  const total = used.reduce((a, s) => a + s.units, 0);
  const center = total ? used.reduce((a, s) => a + s.defects, 0) / total : 0;
  const points = used.map((s) => {
    const sigma = Math.sqrt(center / s.units);
    return {
      label: s.label,
      value: s.defects / s.units,
      n: s.units,
      center,
      upperLimit: center + 3 * sigma,
      lowerLimit: Math.max(0, center - 3 * sigma),
      sigma,
    };
  });
  return { kind: 'u', center, points, signals: westernElectricSignals(points) };
}
