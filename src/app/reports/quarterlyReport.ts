/**
 * The quarterly health report for one calendar quarter: the delivery measures (against
 * the previous quarter), defect density, the control charts and their signals, the
 * contributing factors named by reviews closed in the quarter, and the action items
 * overdue now. Read-only; anonymised (docs/reports.md).
 */
import { GatehouseError } from '../../domain/errors.js';
import {
  buildQuarterlyReport,
  type FactorRow,
  type QuarterlyReport,
} from '../../domain/report/quarterly.js';
import { parseQuarter, previousQuarter } from '../../domain/report/quarter.js';
import {
  factorsNamed,
  overdueActionItemsByTeam,
  personIdentifiers,
} from '../../store/quarterlyReport.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { releaseDefectDensity } from '../metrics/defectDensity.js';
import { doraMetrics } from '../metrics/doraMetrics.js';
import { postReleaseControlCharts } from '../metrics/controlCharts.js';
import { throwIfProblems } from '../releases/releaseContent.js';

/** How many factors the report lists. */
const TOP_FACTORS = 5;

function topFactors(lessons: Awaited<ReturnType<typeof factorsNamed>>): FactorRow[] {
  const seen = new Map<string, { reviews: Set<string>; services: Set<string>; before: boolean }>();
  for (const lesson of lessons)
    for (const factor of lesson.factors) {
      const entry = seen.get(factor) ?? { reviews: new Set(), services: new Set(), before: false };
      if (lesson.inRange) {
        entry.reviews.add(lesson.review);
        lesson.services.forEach((s) => entry.services.add(s));
      } else entry.before = true;
      seen.set(factor, entry);
    }
  return [...seen]
    .filter(([, e]) => e.reviews.size > 0)
    .map(([factor, e]) => ({
      factor,
      reviews: e.reviews.size,
      services: [...e.services].sort(),
      recurring: e.before || e.reviews.size > 1,
    }))
    .sort((a, b) => b.reviews - a.reviews || a.factor.localeCompare(b.factor))
    .slice(0, TOP_FACTORS);
}

export async function quarterlyReport(ctx: Ctx, quarterText: string): Promise<QuarterlyReport> {
  authorize(ctx.actor, 'metrics:read');
  authorize(ctx.actor, 'review:read');
  const parsed = parseQuarter(quarterText, '/params/quarter');
  if (parsed.problem) throwIfProblems([parsed.problem], 'invalid-quarter');
  const quarter = parsed.quarter!;
  const now = ctx.now.toISOString();
  if (quarter.since > now)
    throw new GatehouseError(
      'conflict',
      'quarter-not-begun',
      `${quarter.label} has not begun (it starts ${quarter.since}): a health report covers a quarter that has started`,
      { field: '/params/quarter' },
    );
  const asOf = quarter.until < now ? quarter.until : now;
  const range = { since: quarter.since, until: asOf };
  const before = previousQuarter(quarter);
  const previousRange = { since: before.since, until: before.until };
  const [current, previous, defects, previousDefects, charts] = [
    await doraMetrics(ctx, { ...range, by: 'team', bucket: 'week' }),
    await doraMetrics(ctx, { ...previousRange, by: 'team', bucket: 'month' }),
    await releaseDefectDensity(ctx, { ...range, by: 'team', bucket: 'month' }),
    await releaseDefectDensity(ctx, { ...previousRange, by: 'team', bucket: 'month' }),
    await postReleaseControlCharts(ctx, { ...range, bucket: 'week' }),
  ];
  return buildQuarterlyReport({
    quarter,
    asOf,
    generatedAt: now,
    current,
    previous: previous.overall,
    defects,
    previousDefects: previousDefects.overall,
    charts: {
      changeFailures: charts.changeFailures,
      postReleaseDefects: charts.postReleaseDefects,
      timeToRestore: charts.timeToRestore,
      leadTime: charts.leadTime,
    },
    factors: topFactors(await factorsNamed(ctx.tx, range)),
    overdueActions: await overdueActionItemsByTeam(ctx.tx, now),
    people: await personIdentifiers(ctx.tx),
  });
}
