import { Type } from '@sinclair/typebox';
import { BANDS } from '../../domain/metrics/bands.js';
import { WESTERN_ELECTRIC_RULES } from '../../domain/metrics/control-charts.js';
import { Nullable } from './common.js';

const Band = Type.String({ enum: [...BANDS] });
const Ms = Nullable(Type.Number({ description: 'milliseconds' }));
const Rate = Nullable(Type.Number({ minimum: 0, maximum: 1 }));
const Count = Type.Integer({ minimum: 0 });

const SeriesPointSchema = Type.Object({
  bucket: Type.String({ description: 'YYYY-MM-DD (day, or the Monday of a week) or YYYY-MM' }),
  deployments: Count,
  finishedDeployments: Count,
  failedDeployments: Count,
  changeFailureRate: Rate,
  medianLeadTimeMs: Ms,
  incidents: Count,
  medianTimeToRestoreMs: Ms,
});

export const GroupMetricsSchema = Type.Object(
  {
    group: Type.String(),
    deploymentFrequency: Type.Object({
      deployments: Count,
      deploymentDays: Count,
      perDay: Type.Number(),
      medianDeployDaysPerWeek: Type.Number(),
      band: Band,
    }),
    leadTimeForChanges: Type.Object({
      changes: Count,
      medianMs: Ms,
      p90Ms: Ms,
      band: Nullable(Band),
    }),
    changeFailureRate: Type.Object({
      deployments: Count,
      failed: Count,
      rate: Rate,
      band: Nullable(Band),
    }),
    timeToRestore: Type.Object({
      incidents: Count,
      resolved: Count,
      medianMs: Ms,
      band: Nullable(Band),
    }),
    reworkRate: Type.Object({ deployments: Count, rework: Count, rate: Rate }),
    releaseSuccessRate: Type.Object({ ended: Count, closed: Count, rate: Rate }),
    rollbackFrequency: Type.Object({ rollbacks: Count, perWeek: Type.Number() }),
    deploymentDuration: Type.Object({ finished: Count, medianMs: Ms, p90Ms: Ms }),
    onTimeDelivery: Type.Object({ planned: Count, onTime: Count, rate: Rate }),
    emergencyChangeShare: Type.Object({ releases: Count, emergency: Count, share: Rate }),
    mttd: Type.Object({ incidents: Count, meanMs: Ms }),
    mttr: Type.Object({ resolved: Count, meanMs: Ms }),
    series: Type.Array(SeriesPointSchema),
  },
  { $id: 'GroupMetrics' },
);

export const DoraReportSchema = Type.Object({
  range: Type.Object({ since: Type.String(), until: Type.String() }),
  by: Type.String(),
  bucket: Type.String(),
  overall: Type.Ref('GroupMetrics'),
  groups: Type.Array(Type.Ref('GroupMetrics')),
});

const ChartPointSchema = Type.Object({
  label: Type.String(),
  value: Type.Number(),
  n: Type.Optional(Type.Number()),
  center: Type.Number(),
  upperLimit: Type.Number(),
  lowerLimit: Type.Number(),
  sigma: Type.Number(),
});

export const ControlChartSchema = Type.Object(
  {
    kind: Type.String({ enum: ['xmr', 'p', 'u'] }),
    center: Type.Number(),
    points: Type.Array(ChartPointSchema),
    signals: Type.Array(
      Type.Object({
        rule: Type.String({ enum: [...Object.keys(WESTERN_ELECTRIC_RULES)] }),
        description: Type.String(),
        index: Type.Integer(),
        label: Type.String(),
        side: Type.String({ enum: ['above', 'below'] }),
      }),
    ),
    movingRange: Type.Optional(
      Type.Object({
        center: Type.Number(),
        upperLimit: Type.Number(),
        values: Type.Array(Type.Number()),
      }),
    ),
  },
  { $id: 'ControlChart' },
);

export const PostReleaseChartsSchema = Type.Object({
  range: Type.Object({ since: Type.String(), until: Type.String() }),
  bucket: Type.String(),
  group: Type.String(),
  changeFailures: Type.Ref('ControlChart'),
  postReleaseDefects: Type.Ref('ControlChart'),
  timeToRestore: Type.Ref('ControlChart'),
  leadTime: Type.Ref('ControlChart'),
});
