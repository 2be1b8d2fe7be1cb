import { doraReportOf, type DoraReport } from '../../domain/metrics/dora.js';
import { checkRange, type Bucket, type Dimension } from '../../domain/metrics/range.js';
import { loadMetricAggregates } from '../../store/metricDays.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

export interface DoraQuery {
  since?: string;
  until?: string;
  by: Dimension;
  bucket: Bucket;
}

/** The DORA keys and the release measures for a bounded range, by one dimension. */
export async function doraMetrics(ctx: Ctx, input: DoraQuery): Promise<DoraReport> {
  authorize(ctx.actor, 'metrics:read');
  const { range, problems } = checkRange(input.since, input.until);
  throwIfProblems(problems, 'invalid-range');
  // Summed per group and day in SQL; the medians and bands are computed here.
  const aggregates = await loadMetricAggregates(ctx.tx, ctx.engine, range!, input.by);
  return doraReportOf(aggregates, range!, input.by, input.bucket);
}
