/**
 * The hypercare check, run on a schedule (and on demand): for every open watch, pull each
 * watched metric's series before and after the deployment marker from the metrics source,
 * run the regression detector, and record what it found. Network calls run after the read
 * and before the writes, one short transaction per watch; the update only moves a watch
 * that is still open, so replicas racing on the same watch record one outcome.
 */
import { detectRegression } from '../../domain/hypercare/regression-detector.js';
import {
  harmful,
  judgeWatch,
  type MetricFinding,
  type WatchStatus,
} from '../../domain/hypercare/watch.js';
import type { Policy } from '../../domain/policy.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import { execute, query, type Actor, type App, type Ctx } from '../context.js';
import type { MetricsSource } from '../canary/metricsSource.js';
import { selectReleasePolicy } from '../policies/selectReleasePolicy.js';

type HypercareRequirement = NonNullable<Policy['requires']['hypercare']>;

interface OpenWatch {
  id: string;
  releaseKey: string;
  service: string;
  environment: string;
  markerAt: string;
  endsAt: string;
  requirement: HypercareRequirement | null;
}

export interface HypercareCheck {
  checked: number;
  concluded: Array<{
    watch: string;
    release: string;
    service: string;
    status: WatchStatus;
    reason: string;
  }>;
}

async function measure(
  source: MetricsSource | undefined,
  watch: OpenWatch,
  now: Date,
): Promise<MetricFinding[]> {
  const requirement = watch.requirement;
  if (!requirement) return [];
  const marker = new Date(watch.markerAt);
  const stepSeconds = requirement.stepSeconds ?? 60;
  const referenceHours = requirement.referenceHours ?? 6;
  const until = new Date(Math.min(now.getTime(), Date.parse(watch.endsAt)));
  return Promise.all(
    requirement.metrics.map(async (metric): Promise<MetricFinding> => {
      if (!source)
        return {
          metric: metric.name,
          status: 'unreadable',
          reason: 'this server has no Prometheus configured (--prometheus-url)',
          afterSamples: 0,
        };
      const promql = metric.query
        .replaceAll('{{service}}', watch.service)
        .replaceAll('{{environment}}', watch.environment);
      const range = (start: Date, end: Date) =>
        source.queryRange({ query: promql, start, end, stepSeconds });
      const [before, after] = await Promise.all([
        range(
          new Date(marker.getTime() - referenceHours * 3600_000),
          new Date(marker.getTime() - 1000),
        ),
        until > marker ? range(marker, until) : Promise.resolve({ ok: true as const, values: [] }),
      ]);
      if (!before.ok || !after.ok)
        return {
          metric: metric.name,
          status: 'unreadable',
          reason: !before.ok
            ? `before the marker: ${before.reason}`
            : `after the marker: ${(after as { reason: string }).reason}`,
          afterSamples: 0,
        };
      const finding = detectRegression(before.values, after.values);
      return {
        metric: metric.name,
        status: harmful(finding, metric.direction ?? 'increase'),
        reason: finding.reason,
        afterSamples: finding.afterSamples,
      };
    }),
  );
}

export async function checkHypercareWatches(app: App, actor: Actor): Promise<HypercareCheck> {
  const open = await query(app, actor, async (ctx) => {
    authorize(ctx.actor, 'hypercare:check');
    const rows = await ctx.tx
      .selectFrom('hypercare_watches as w')
      .innerJoin('environments as e', 'e.name', 'w.environment')
      .select([
        'w.id',
        'w.release_id',
        'w.service',
        'w.environment',
        'w.marker_at',
        'w.ends_at',
        'e.production',
      ])
      .where('w.status', '=', 'watching')
      .orderBy('w.marker_at')
      .execute();
    const watches: OpenWatch[] = [];
    for (const row of rows) {
      const release = (await loadRelease(ctx.tx, row.release_id))!;
      const policy = await selectReleasePolicy(ctx.tx, release, {
        name: row.environment,
        production: row.production === 1,
      });
      watches.push({
        id: row.id,
        releaseKey: release.key,
        service: row.service,
        environment: row.environment,
        markerAt: row.marker_at,
        endsAt: row.ends_at,
        requirement: policy?.requires.hypercare ?? null,
      });
    }
    return watches;
  });

  const now = app.clock();
  const measured = await Promise.all(
    open.map(async (watch) => ({ watch, findings: await measure(app.metricsSource, watch, now) })),
  );

  // One short transaction per watch, not one for all: each concluded watch writes an
  // audit entry, and on PostgreSQL the chain's lock is held from a transaction's first
  // entry to its commit (ADR 3100-1), so a transaction over every watch held up every
  // other writer for as long as it took to record them all.
  const concluded: HypercareCheck['concluded'] = [];
  for (const { watch, findings } of measured) {
    const outcome = await execute(app, actor, (ctx) => recordWatchCheck(ctx, watch, findings));
    if (outcome) concluded.push(outcome);
  }
  return { checked: measured.length, concluded };
}

/** Records one watch's findings; its conclusion when the check moved it out of watching. */
async function recordWatchCheck(
  ctx: Ctx,
  watch: OpenWatch,
  findings: MetricFinding[],
): Promise<HypercareCheck['concluded'][number] | null> {
  authorize(ctx.actor, 'hypercare:check');
  const verdict = judgeWatch(findings, ctx.now.getTime() >= Date.parse(watch.endsAt));
  const moved = await ctx.tx
    .updateTable('hypercare_watches')
    .set({
      status: verdict.status,
      findings: JSON.stringify({ reason: verdict.reason, metrics: findings }),
      checked_at: ctx.now.toISOString(),
    })
    .where('id', '=', watch.id)
    .where('status', '=', 'watching')
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) === 0 || verdict.status === 'watching') return null;
  await recordAudit(ctx, {
    action: verdict.status === 'regression' ? 'hypercare.regression-detected' : 'hypercare.closed',
    subjectType: 'release',
    subjectId: watch.releaseKey,
    after: {
      watch: watch.id,
      service: watch.service,
      environment: watch.environment,
      status: verdict.status,
      reason: verdict.reason,
      metrics: findings,
    },
  });
  return {
    watch: watch.id,
    release: watch.releaseKey,
    service: watch.service,
    status: verdict.status,
    reason: verdict.reason,
  };
}
