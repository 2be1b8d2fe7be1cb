import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';

const Count = Type.Integer({ minimum: 0 });
const Value = Nullable(Type.Number());

export const QuarterlyReportSchema = Type.Object({
  quarter: Type.String({ description: 'YYYY-Qn' }),
  period: Type.Object({
    since: Type.String(),
    until: Type.String(),
    asOf: Type.String({ description: 'the end of the data: now, while the quarter runs' }),
    partial: Type.Boolean(),
  }),
  previousQuarter: Type.String(),
  generatedAt: Type.String(),
  measures: Type.Array(
    Type.Object({
      key: Type.String(),
      label: Type.String(),
      unit: Type.String({ enum: ['per-day', 'duration', 'ratio', 'count', 'number'] }),
      current: Value,
      previous: Value,
      trend: Type.String({ enum: ['better', 'worse', 'steady', 'no-data'] }),
      band: Nullable(Type.String()),
    }),
  ),
  teams: Type.Array(
    Type.Object({
      team: Type.String(),
      deployments: Count,
      deploymentsPerDay: Type.Number(),
      medianLeadTimeMs: Value,
      changeFailureRate: Value,
      medianTimeToRestoreMs: Value,
      defectsPerRelease: Value,
    }),
  ),
  weeks: Type.Array(
    Type.Object({
      week: Type.String(),
      deployments: Count,
      changeFailureRate: Value,
      medianLeadTimeMs: Value,
      incidents: Count,
      medianTimeToRestoreMs: Value,
    }),
  ),
  months: Type.Array(
    Type.Object({ month: Type.String(), releases: Count, defects: Count, perRelease: Value }),
  ),
  charts: Type.Object({
    changeFailures: Type.Ref('ControlChart'),
    postReleaseDefects: Type.Ref('ControlChart'),
    timeToRestore: Type.Ref('ControlChart'),
    leadTime: Type.Ref('ControlChart'),
  }),
  signals: Type.Array(
    Type.Object({
      chart: Type.String(),
      bucket: Type.String(),
      rule: Type.String(),
      description: Type.String(),
      side: Type.String({ enum: ['above', 'below'] }),
    }),
  ),
  factors: Type.Array(
    Type.Object({
      factor: Type.String(),
      reviews: Count,
      services: Type.Array(Type.String()),
      recurring: Type.Boolean(),
    }),
  ),
  overdueActions: Type.Array(
    Type.Object({
      title: Type.String(),
      review: Type.String(),
      release: Type.String(),
      dueAt: Type.String(),
      daysOverdue: Count,
      owner: Type.String({
        description: "the owner's team, 'an owner' or 'no owner'; never a person",
      }),
    }),
  ),
});
