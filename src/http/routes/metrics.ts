import { Type } from '@sinclair/typebox';
import { query } from '../../app/context.js';
import { postReleaseControlCharts } from '../../app/metrics/controlCharts.js';
import { doraMetrics } from '../../app/metrics/doraMetrics.js';
import { refreshMetricDays } from '../../app/metrics/refreshMetricDays.js';
import { releaseDefectDensity } from '../../app/metrics/defectDensity.js';
import { DEFECT_DENSITY_DIMENSIONS } from '../../domain/metrics/defect-density.js';
import { DefectDensityReportSchema } from '../schemas/defect-density.js';
import { BUCKETS, DIMENSIONS } from '../../domain/metrics/range.js';
import { Instant, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES } from '../schemas/common.js';
import {
  ControlChartSchema,
  DoraReportSchema,
  GroupMetricsSchema,
  PostReleaseChartsSchema,
} from '../schemas/metrics.js';
import type { RouteDeps } from './index.js';

export const RangeQuery = {
  since: Type.Optional(Instant),
  until: Type.Optional(Instant),
};

export function metricsRoutes({ server, app }: RouteDeps): void {
  const tags = ['metrics'];

  server.get(
    '/metrics/dora',
    {
      schema: {
        tags,
        summary:
          'DORA keys (with performance bands) and release measures for a bounded range, by one dimension; see docs/metrics.md',
        querystring: Type.Object(
          {
            ...RangeQuery,
            by: StringEnum(DIMENSIONS, { default: 'team' }),
            bucket: StringEnum(BUCKETS, { default: 'week' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: DoraReportSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await refreshMetricDays(app, request.actor, request.query);
      return query(app, request.actor, (ctx) => doraMetrics(ctx, request.query));
    },
  );

  server.get(
    '/metrics/control-charts',
    {
      schema: {
        tags,
        summary:
          'Control charts of post-release failure and defect rates (p, u) and restore and lead times (XmR), with Western Electric signals',
        querystring: Type.Object(
          {
            ...RangeQuery,
            bucket: StringEnum(BUCKETS, { default: 'week' }),
            by: Type.Optional(StringEnum(DIMENSIONS)),
            group: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: PostReleaseChartsSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await refreshMetricDays(app, request.actor, request.query);
      return query(app, request.actor, (ctx) => postReleaseControlCharts(ctx, request.query));
    },
  );

  server.get(
    '/metrics/defect-density',
    {
      schema: {
        tags,
        summary:
          'Defect density: incidents linked to the releases delivered in a bounded range, per release and per changed service; see docs/metrics.md',
        querystring: Type.Object(
          {
            ...RangeQuery,
            by: StringEnum(DEFECT_DENSITY_DIMENSIONS, { default: 'team' }),
            bucket: StringEnum(BUCKETS, { default: 'month' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: DefectDensityReportSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => releaseDefectDensity(ctx, request.query)),
  );
}

export const METRICS_SCHEMAS = [GroupMetricsSchema, ControlChartSchema];
