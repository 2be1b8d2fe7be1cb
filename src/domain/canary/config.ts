/**
 * What a canary analysis compares and how strictly: per-metric direction, allowed change,
 * criticality and data requirements, in the words of Kayenta's canary configs. The schema
 * is TypeBox so the CLI, the HTTP API and OpenAPI read the same definition.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Ajv } from 'ajv';
import { invalid, GatehouseError } from '../errors.js';
import { StrictObject, StringEnum } from '../schema-kit.js';

export const METRIC_DIRECTIONS = ['increase', 'decrease', 'either'] as const;
export type MetricDirection = (typeof METRIC_DIRECTIONS)[number];

export const CanaryMetricConfig = StrictObject({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  direction: StringEnum(METRIC_DIRECTIONS, {
    description: 'which change is harmful: increase (latency, errors), decrease (orders), either',
    default: 'either',
  }),
  allowedIncrease: Type.Number({
    minimum: 0,
    default: 0,
    description:
      'tolerated rise of the canary mean over the baseline mean, as a fraction (0.1 = 10 %)',
  }),
  allowedDecrease: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0,
    description: 'tolerated fall of the canary mean, as a fraction',
  }),
  critical: Type.Boolean({ default: false, description: 'a failure fails the whole run' }),
  mustHaveData: Type.Boolean({
    default: false,
    description: 'missing or too little data makes the whole run inconclusive',
  }),
  noData: StringEnum(['ignore', 'fail'] as const, {
    default: 'ignore',
    description: 'ignore: left out of the score (and said so); fail: counts as a failing metric',
  }),
  nan: StringEnum(['remove', 'zero'] as const, {
    default: 'remove',
    description: 'NaN samples are removed, or read as zero (for counters that report nothing)',
  }),
  weight: Type.Number({ exclusiveMinimum: 0, default: 1 }),
  query: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4000,
      description:
        'PromQL for pulling this metric from Prometheus; {{scope}} is replaced by the baseline or canary scope',
    }),
  ),
});
export type CanaryMetricConfig = Static<typeof CanaryMetricConfig>;

export const CanaryConfig = StrictObject({
  confidence: Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.98 }),
  tolerance: Type.Number({
    minimum: 0,
    default: 0.25,
    description: "Kayenta's fraction of the Hodges-Lehmann estimate the interval must clear",
  }),
  thresholds: Type.Optional(
    StrictObject({
      pass: Type.Number({ minimum: 0, maximum: 100, default: 75 }),
      marginal: Type.Number({ minimum: 0, maximum: 100, default: 50 }),
    }),
  ),
  minSamples: Type.Integer({
    minimum: 2,
    default: 10,
    description: 'fewer samples than this in either group is too little traffic to judge',
  }),
  sequential: Type.Optional(
    StrictObject({
      alpha: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 0.5, default: 0.01 }),
      mixtureScale: Type.Number({ exclusiveMinimum: 0, default: 1 }),
      maxSamples: Type.Integer({
        minimum: 2,
        default: 120,
        description: 'the horizon: with this many pairs and no failure the metric passes',
      }),
    }),
  ),
  prometheus: Type.Optional(
    StrictObject(
      {
        baselineScope: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^"\\\\]+$' }),
        canaryScope: Type.String({ minLength: 1, maxLength: 200, pattern: '^[^"\\\\]+$' }),
        stepSeconds: Type.Integer({ minimum: 1, maximum: 3600, default: 60 }),
      },
      {
        description:
          "where the metrics' queries are pulled from: the scopes (label values) that tell baseline from canary, and the sample step",
      },
    ),
  ),
  metrics: Type.Array(CanaryMetricConfig, { minItems: 1, maxItems: 500 }),
});
export type CanaryConfig = Static<typeof CanaryConfig>;

export interface ResolvedCanaryConfig extends CanaryConfig {
  thresholds: { pass: number; marginal: number };
  sequential: { alpha: number; mixtureScale: number; maxSamples: number };
}

// Ajv rather than TypeBox's Value: StringEnum is a JSON Schema `enum` TypeBox cannot check
// itself, and Ajv fills the declared defaults while it validates (as the HTTP layer does).
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
ajv.addKeyword('kind').addKeyword('modifier');
const validate = ajv.compile(CanaryConfig as object);

/** Validates a config document (YAML or JSON, already parsed) and fills the defaults. */
export function parseCanaryConfig(document: unknown): ResolvedCanaryConfig {
  const copy = structuredClone(document) as Record<string, unknown>;
  if (copy && typeof copy === 'object' && !Array.isArray(copy)) {
    // Absent sections still get their defaults.
    copy.thresholds ??= {};
    copy.sequential ??= {};
  }
  const problems = validate(copy)
    ? []
    : (validate.errors ?? []).map((e) => ({
        field:
          e.keyword === 'additionalProperties'
            ? `${e.instancePath}/${String(e.params.additionalProperty)}`
            : e.instancePath || '/',
        reason:
          e.keyword === 'additionalProperties'
            ? 'is not a known field'
            : (e.message ?? 'is invalid'),
      }));
  const config = copy as unknown as ResolvedCanaryConfig;
  if (problems.length === 0) {
    if (config.thresholds.marginal > config.thresholds.pass)
      problems.push({
        field: '/thresholds/marginal',
        reason: 'must not exceed the pass threshold',
      });
    const seen = new Set<string>();
    config.metrics.forEach((m, i) => {
      if (seen.has(m.name))
        problems.push({ field: `/metrics/${i}/name`, reason: `metric ${m.name} is listed twice` });
      seen.add(m.name);
      if (m.query !== undefined && !config.prometheus)
        problems.push({
          field: `/metrics/${i}/query`,
          reason: 'a query needs the prometheus section (baselineScope, canaryScope)',
        });
    });
  }
  if (problems.length > 0) {
    const first = problems[0]!;
    if (problems.length === 1) throw invalid(first.field, first.reason, 'invalid-canary-config');
    throw new GatehouseError(
      'invalid',
      'invalid-canary-config',
      `the canary config has ${problems.length} problems; first ${first.field}: ${first.reason}`,
      { problems },
    );
  }
  return config;
}
