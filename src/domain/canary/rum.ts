/**
 * Real-user monitoring as canary input: browsers report Core Web Vitals and JavaScript
 * errors per page view (a beacon, tagged with the version that served the page), a
 * collector forwards them in batches, and each beacon becomes one sample per metric for
 * the baseline or the canary group. Every RUM metric is lower-is-better, so an analysis
 * that judges one must treat an increase as the harmful direction.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { CanaryConfig } from './config.js';
import type { PushCanarySamplesInput } from './analysis.js';
import { StrictObject } from '../schema-kit.js';

/** The samples' metric names in an analysis config, and the accepted range of each. */
export const RUM_METRICS = {
  'rum.lcp': { field: 'lcp', unit: 'ms', max: 120_000, about: 'Largest Contentful Paint' },
  'rum.inp': { field: 'inp', unit: 'ms', max: 60_000, about: 'Interaction to Next Paint' },
  'rum.cls': { field: 'cls', unit: '', max: 100, about: 'Cumulative Layout Shift' },
  'rum.js-error-rate': {
    field: 'jsErrors',
    unit: '',
    max: 1,
    about: 'page views with a JavaScript error (0 or 1 per view; the mean is the rate)',
  },
} as const;
export type RumMetric = keyof typeof RUM_METRICS;

const Version = Type.String({ minLength: 1, maxLength: 100 });

export const RumBeacon = StrictObject(
  {
    version: Version,
    lcp: Type.Optional(
      Type.Number({ minimum: 0, maximum: 120_000, description: 'LCP in milliseconds' }),
    ),
    inp: Type.Optional(
      Type.Number({ minimum: 0, maximum: 60_000, description: 'INP in milliseconds' }),
    ),
    cls: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'CLS score' })),
    jsErrors: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10_000,
        description: 'uncaught JavaScript errors during the page view',
      }),
    ),
  },
  { description: 'one page view: the version that served it and what the browser measured' },
);
export type RumBeacon = Static<typeof RumBeacon>;

export const PushRumBeaconsInput = StrictObject({
  baselineVersion: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'the version beacons of the baseline carry; beacons of any other version than the canary count as baseline when absent',
    }),
  ),
  beacons: Type.Array(RumBeacon, { minItems: 1, maxItems: 5_000 }),
});
export type PushRumBeaconsInput = Static<typeof PushRumBeaconsInput>;

export type RumProblem = { field: string; reason: string };

/** The analysis must judge at least one RUM metric, each with an increase as harm. */
export function rumConfigProblems(config: CanaryConfig): RumProblem[] {
  const named = config.metrics.filter((m) => m.name in RUM_METRICS);
  if (named.length === 0)
    return [
      {
        field: '/config/metrics',
        reason: `the analysis judges no RUM metric; name one of ${Object.keys(RUM_METRICS).join(', ')}`,
      },
    ];
  return named
    .filter((m) => m.direction !== 'increase')
    .map((m) => ({
      field: `/config/metrics/${config.metrics.indexOf(m)}/direction`,
      reason: `${m.name} is lower-is-better: its direction must be increase, not ${m.direction}`,
    }));
}

/**
 * Sorts beacons into baseline and canary samples per metric, in the order received.
 * A beacon of neither version is refused (by index), never silently counted.
 */
export function beaconsToSamples(
  input: PushRumBeaconsInput,
  canaryVersion: string,
): { samples: PushCanarySamplesInput; problems: RumProblem[] } {
  const samples = { baseline: {}, canary: {} } as Required<PushCanarySamplesInput>;
  const problems: RumProblem[] = [];
  input.beacons.forEach((beacon, i) => {
    const group =
      beacon.version === canaryVersion
        ? 'canary'
        : !input.baselineVersion || beacon.version === input.baselineVersion
          ? 'baseline'
          : null;
    if (!group) {
      problems.push({
        field: `/body/beacons/${i}/version`,
        reason: `${beacon.version} is neither the canary (${canaryVersion}) nor the baseline (${input.baselineVersion})`,
      });
      return;
    }
    const measured: Array<[RumMetric, number | undefined]> = [
      ['rum.lcp', beacon.lcp],
      ['rum.inp', beacon.inp],
      ['rum.cls', beacon.cls],
      [
        'rum.js-error-rate',
        beacon.jsErrors === undefined ? undefined : beacon.jsErrors > 0 ? 1 : 0,
      ],
    ];
    if (measured.every(([, value]) => value === undefined))
      problems.push({
        field: `/body/beacons/${i}`,
        reason: 'measures nothing: give lcp, inp, cls or jsErrors',
      });
    for (const [metric, value] of measured)
      if (value !== undefined) (samples[group][metric] ??= []).push(value);
  });
  return { samples, problems };
}
