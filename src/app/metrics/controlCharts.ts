import { invalid } from '../../domain/errors.js';
import {
  pChart,
  uChart,
  xmrChart,
  type ControlChart,
} from '../../domain/metrics/control-charts.js';
import { emptyReleaseCounts } from '../../domain/metrics/aggregates.js';
import { groupMetricsOf, type SeriesPoint } from '../../domain/metrics/dora.js';
import { checkRange, type Bucket, type Dimension } from '../../domain/metrics/range.js';
import { loadMetricAggregates } from '../../store/metricDays.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

export interface ControlChartQuery {
  since?: string;
  until?: string;
  bucket: Bucket;
  /** With `group`: chart one team, service, environment or release class only. */
  by?: Dimension;
  group?: string;
}

export interface PostReleaseCharts {
  range: { since: string; until: string };
  bucket: Bucket;
  group: string;
  /** p-chart: failed production deployments over finished ones, per period. */
  changeFailures: ControlChart;
  /** u-chart: incidents (defects that escaped to production) per delivered deployment. */
  postReleaseDefects: ControlChart;
  /** XmR: each period's median time to restore, in hours. */
  timeToRestore: ControlChart;
  /** XmR: each period's median lead time for changes, in hours. */
  leadTime: ControlChart;
}

const HOUR = 3_600_000;
const hours = (series: SeriesPoint[], pick: (p: SeriesPoint) => number | null) =>
  series.flatMap((p) => {
    const v = pick(p);
    return v === null ? [] : [{ label: p.bucket, value: v / HOUR }];
  });

/** The data series, limits and Western Electric signals the UI plots. */
export async function postReleaseControlCharts(
  ctx: Ctx,
  input: ControlChartQuery,
): Promise<PostReleaseCharts> {
  authorize(ctx.actor, 'metrics:read');
  const { range, problems } = checkRange(input.since, input.until);
  throwIfProblems(problems, 'invalid-range');
  if ((input.by === undefined) !== (input.group === undefined))
    throw invalid(
      input.by === undefined ? '/querystring/by' : '/querystring/group',
      'by and group go together: say which dimension the group belongs to',
    );
  const aggregates = await loadMetricAggregates(ctx.tx, ctx.engine, range!, input.by ?? 'team');
  const { series } = groupMetricsOf(
    input.group ?? '(all)',
    aggregates.deployments.filter((d) => input.group === undefined || d.group === input.group),
    aggregates.incidents.filter((i) => input.group === undefined || i.group === input.group),
    (input.group === undefined ? aggregates.allReleases : aggregates.releases.get(input.group)) ??
      emptyReleaseCounts(),
    range!,
    input.bucket,
  );
  return {
    range: range!,
    bucket: input.bucket,
    group: input.group ?? '(all)',
    changeFailures: pChart(
      series.map((p) => ({
        label: p.bucket,
        defective: p.failedDeployments,
        inspected: p.finishedDeployments,
      })),
    ),
    postReleaseDefects: uChart(
      series.map((p) => ({ label: p.bucket, defects: p.incidents, units: p.deployments })),
    ),
    timeToRestore: xmrChart(hours(series, (p) => p.medianTimeToRestoreMs)),
    leadTime: xmrChart(hours(series, (p) => p.medianLeadTimeMs)),
  };
}
