/**
 * The DORA summary is summed in SQL per group and day (src/store/metricAggregates.ts);
 * the row-level facts (src/store/metrics.ts) summed in memory must give exactly the same
 * report: every dimension, every bucket, two ranges, on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execute, query, SYSTEM_ACTOR, type App } from '../src/app/context.js';
import { generateDemoOrganisation } from '../src/app/demo/demoOrganisation.js';
import { loadDemoOrganisation } from '../src/app/demo/loadDemoOrganisation.js';
import { recordIncident } from '../src/app/incidents/recordIncident.js';
import { doraMetrics } from '../src/app/metrics/doraMetrics.js';
import { postReleaseControlCharts } from '../src/app/metrics/controlCharts.js';
import { doraReport } from '../src/domain/metrics/dora.js';
import { BUCKETS, DIMENSIONS } from '../src/domain/metrics/range.js';
import { openStore, type Store } from '../src/store/database.js';
import { loadMetricFacts } from '../src/store/metrics.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { engines, type Scratch } from './support/engines.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const MIN = 60_000;
const demo = generateDemoOrganisation({ now: NOW });
const RANGES = {
  'the demo year': { since: demo.since.toISOString(), until: NOW.toISOString() },
  'one quarter': { since: '2025-01-01T00:00:00.000Z', until: '2025-04-01T00:00:00.000Z' },
};

/**
 * Incidents after some production deployments: most linked as caused by them, some with
 * no known cause, some never resolved, and a few naming two deployments at once.
 */
async function recordIncidents(app: App): Promise<number> {
  const deployments = await app.store.db
    .selectFrom('deployments')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .select(['deployments.id', 'deployments.finished_at', 'services.name'])
    .where('environments.production', '=', 1)
    .where('deployments.finished_at', 'is not', null)
    .orderBy('deployments.started_at')
    .orderBy('deployments.id')
    .execute();
  let recorded = 0;
  for (const [n, d] of deployments.entries()) {
    if (n % 7 !== 0) continue;
    const started = Date.parse(d.finished_at!) + (n % 13) * MIN;
    const detected = started + (2 + (n % 30)) * MIN;
    const resolved = detected + (15 + ((n * 53) % 900)) * MIN;
    if (detected > NOW.getTime()) continue;
    const previous = deployments[n - 1];
    await execute(app, SYSTEM_ACTOR, (ctx) =>
      recordIncident(ctx, {
        title: `Errors after deployment ${n}`,
        severity: 1 + (n % 4),
        service: d.name,
        startedAt: new Date(started).toISOString(),
        detectedAt: new Date(detected).toISOString(),
        ...(resolved <= NOW.getTime() &&
          n % 5 !== 0 && { resolvedAt: new Date(resolved).toISOString() }),
        ...(n % 3 !== 0 && {
          causedBy: n % 11 === 0 && previous ? [d.id, previous.id] : [d.id],
        }),
      }),
    );
    recorded++;
  }
  return recorded;
}

for (const engine of await engines()) {
  describe(`DORA summed in SQL on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;
    let store: Store;
    let app: App;

    before(async () => {
      scratch = await engine.scratch();
      store = openStore(scratch.url);
      await migrateToLatest(store);
      app = { store, clock: () => NOW };
      await loadDemoOrganisation(app);
      assert.ok((await recordIncidents(app)) > 20);
    });
    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    for (const [label, range] of Object.entries(RANGES)) {
      test(`the same report as the row facts over ${label}, by every dimension and bucket`, async () => {
        for (const by of DIMENSIONS)
          for (const bucket of BUCKETS) {
            const summed = await query(app, SYSTEM_ACTOR, (ctx) =>
              doraMetrics(ctx, { ...range, by, bucket }),
            );
            const rows = doraReport(
              await query(app, SYSTEM_ACTOR, (ctx) => loadMetricFacts(ctx.tx, range, by)),
              range,
              by,
              bucket,
            );
            assert.deepEqual(summed, rows, `${by} by ${bucket}`);
          }
      });
    }

    test('the comparison covers every kind of fact the report counts', async () => {
      const { overall, groups } = await query(app, SYSTEM_ACTOR, (ctx) =>
        doraMetrics(ctx, { ...RANGES['the demo year'], by: 'service', bucket: 'week' }),
      );
      assert.ok(groups.length >= 4);
      assert.ok(overall.changeFailureRate.failed > 0);
      assert.ok(overall.timeToRestore.resolved < overall.timeToRestore.incidents);
      assert.ok(overall.reworkRate.rework > 0);
      assert.ok(overall.onTimeDelivery.planned > 0);
      assert.ok(
        overall.onTimeDelivery.onTime < overall.onTimeDelivery.planned ||
          overall.onTimeDelivery.onTime > 0,
      );
      assert.ok(overall.rollbackFrequency.rollbacks > 0);
      // A release carrying several services is counted once overall, so by service the
      // groups may add up to more than the whole.
      const created = groups.reduce((n, g) => n + g.emergencyChangeShare.releases, 0);
      assert.ok(created >= overall.emergencyChangeShare.releases);
    });

    test('control charts read the same series for one group as the summary does', async () => {
      const range = RANGES['the demo year'];
      const summary = await query(app, SYSTEM_ACTOR, (ctx) =>
        doraMetrics(ctx, { ...range, by: 'team', bucket: 'week' }),
      );
      const team = summary.groups.find((g) => g.changeFailureRate.failed > 0)!;
      const charts = await query(app, SYSTEM_ACTOR, (ctx) =>
        postReleaseControlCharts(ctx, { ...range, bucket: 'week', by: 'team', group: team.group }),
      );
      assert.deepEqual(
        charts.changeFailures.points.map((p) => [p.label, p.value]),
        team.series
          .filter((p) => p.finishedDeployments > 0)
          .map((p) => [p.bucket, p.failedDeployments / p.finishedDeployments]),
      );
    });
  });
}
