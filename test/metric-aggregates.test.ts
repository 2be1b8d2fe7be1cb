/**
 * The DORA summary is summed in SQL per group and day (src/store/metricAggregates.ts),
 * stored per day and kept fresh by triggers (src/store/metricDays.ts); the row-level
 * facts (src/store/metrics.ts) summed in memory must give exactly the same report: every
 * dimension, every bucket, two ranges, before and after the days are stored, and after
 * each kind of write that changes a stored day; on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { after, before, describe, test } from 'node:test';
import { execute, query, SYSTEM_ACTOR, type App } from '../src/app/context.js';
import { generateDemoOrganisation } from '../src/app/demo/demoOrganisation.js';
import { linkDeployment } from '../src/app/incidents/linkDeployment.js';
import { recordIncident } from '../src/app/incidents/recordIncident.js';
import { refreshMetricDays } from '../src/app/metrics/refreshMetricDays.js';
import { doraMetrics } from '../src/app/metrics/doraMetrics.js';
import { postReleaseControlCharts } from '../src/app/metrics/controlCharts.js';
import { doraReport } from '../src/domain/metrics/dora.js';
import {
  BUCKETS,
  DIMENSIONS,
  type Bucket,
  type Dimension,
  type MetricRange,
} from '../src/domain/metrics/range.js';
import { openStore, type Store } from '../src/store/database.js';
import { loadMetricFacts } from '../src/store/metrics.js';
import { metricDaysStale, wholeDays } from '../src/store/metricDays.js';
import { demoScratch } from './support/demo-store.js';
import { engines, type Scratch } from './support/engines.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const MIN = 60_000;
const demo = generateDemoOrganisation({ now: NOW });
const RANGES = {
  'the demo year': { since: demo.since.toISOString(), until: NOW.toISOString() },
  'one quarter': { since: '2025-01-01T00:00:00.000Z', until: '2025-04-01T00:00:00.000Z' },
  // Starts and ends mid-day: the partial days at either end are never stored.
  'a range cut mid-day': {
    since: '2025-02-03T13:17:00.000Z',
    until: '2025-05-20T08:00:00.000Z',
  },
};
/** Where the writes below land: a short range keeps their refreshes and checks quick. */
const SPRING = { since: '2025-03-01T00:00:00.000Z', until: '2025-05-01T00:00:00.000Z' };

/** The summary as a user gets it, and the same from the row facts. */
async function bothWays(app: App, range: MetricRange, by: Dimension, bucket: Bucket) {
  const summed = await query(app, SYSTEM_ACTOR, (ctx) =>
    doraMetrics(ctx, { ...range, by, bucket }),
  );
  const rows = doraReport(
    await query(app, SYSTEM_ACTOR, (ctx) => loadMetricFacts(ctx.tx, range, by)),
    range,
    by,
    bucket,
  );
  return { summed, rows };
}

/** The days marked stale among a range's whole days (or '*', every day). */
async function markedIn(app: App, range: MetricRange): Promise<string[]> {
  const whole = new Set(wholeDays(range));
  const rows = await app.store.db.selectFrom('metric_dirty_days').select('day').execute();
  return rows
    .map((r) => r.day)
    .filter((day) => day === '*' || whole.has(day))
    .sort();
}

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
      // The demo organisation, loaded once per run and copied (test/support/demo-store.ts).
      scratch = await demoScratch(engine, NOW);
      store = openStore(scratch.url);
      app = { store, clock: () => NOW };
      assert.ok((await recordIncidents(app)) > 20);
    });
    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    // Computed live (nothing stored yet), then from stored days: the buckets are cut in
    // the domain alike for both, so the stored pass checks one.
    for (const stored of [false, true])
      for (const [label, range] of Object.entries(RANGES)) {
        if (!stored && label === 'a range cut mid-day') continue;
        const buckets = stored ? (['week'] as const) : BUCKETS;
        test(`the same report as the row facts over ${label}, by every dimension, ${stored ? 'from stored days' : 'computed live, by every bucket'}`, async () => {
          for (const by of DIMENSIONS) {
            if (stored) {
              await refreshMetricDays(app, SYSTEM_ACTOR, { ...range, by });
              assert.equal(await metricDaysStale(store.reader, range, by), false, by);
            }
            for (const bucket of buckets) {
              const { summed, rows } = await bothWays(app, range, by, bucket);
              assert.deepEqual(summed, rows, `${by} by ${bucket}`);
            }
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

    /**
     * Each kind of write that changes a stored day, by a use case or straight into the
     * tables as an import would: the triggers mark its days, a read before any refresh
     * is already exact (marked days are computed live), and after the refresh the stored
     * days give the row facts' report for every dimension.
     */
    test('writes after the days are stored are in the next read, on every dimension', async () => {
      for (const by of DIMENSIONS) await refreshMetricDays(app, SYSTEM_ACTOR, { ...SPRING, by });
      assert.deepEqual(await markedIn(app, SPRING), []);
      const db = store.db;
      const production = await db
        .selectFrom('deployments as d')
        .innerJoin('environments as e', 'e.id', 'd.environment_id')
        .selectAll('d')
        .where('e.production', '=', 1)
        .where('d.status', '=', 'succeeded')
        .where('d.started_at', '>=', '2025-03-01')
        .where('d.started_at', '<', '2025-04-15')
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('incident_deployments as l')
                .select('l.incident_id')
                .whereRef('l.deployment_id', '=', 'd.id'),
            ),
          ),
        )
        .orderBy('d.started_at')
        .execute();
      assert.ok(production.length >= 3);
      const [first, second, third] = production as [
        (typeof production)[0],
        (typeof production)[0],
        (typeof production)[0],
      ];
      const copyId = 'metric-days-test-copy';
      const writes: Array<[string, () => Promise<unknown>]> = [
        [
          'a deployment inserted, as an import would',
          () =>
            db
              .insertInto('deployments')
              .values({
                ...first,
                id: copyId,
                status: 'failed',
                started_at: '2025-04-09T10:00:00.000Z',
                finished_at: '2025-04-09T10:20:00.000Z',
              })
              .execute(),
        ],
        [
          'two incidents on one day imported in one statement',
          async () => {
            const incident = await db
              .selectFrom('incidents')
              .selectAll()
              .where('started_at', '<', '2025-04-01')
              .orderBy('started_at', 'desc')
              .executeTakeFirstOrThrow();
            await db
              .insertInto('incidents')
              .values(
                [1, 2].map((n) => ({
                  ...incident,
                  id: `metric-days-test-incident-${n}`,
                  key: `INC-IMPORTED-${n}`,
                  external_id: null,
                  started_at: `2025-04-02T0${n}:00:00.000Z`,
                  detected_at: `2025-04-02T0${n}:10:00.000Z`,
                })),
              )
              .execute();
          },
        ],
        [
          'an incident linked to a deployment',
          async () => {
            const incident = await db
              .selectFrom('incidents')
              .select('key')
              .where('started_at', '>', second.started_at)
              .where('started_at', '<', '2025-05-01')
              .orderBy('started_at')
              .executeTakeFirstOrThrow();
            await execute(app, SYSTEM_ACTOR, (ctx) =>
              linkDeployment(ctx, incident.key, { deployment: second.id }),
            );
          },
        ],
        [
          'a release reclassified',
          () =>
            db
              .updateTable('releases')
              .set({ classification: 'emergency' })
              .where('id', '=', third.release_id)
              .execute(),
        ],
        [
          'an incident resolved later',
          async () => {
            const incident = await db
              .selectFrom('incidents')
              .select('id')
              .where('resolved_at', 'is not', null)
              .where('started_at', '<', '2025-05-01')
              .orderBy('started_at', 'desc')
              .executeTakeFirstOrThrow();
            await db
              .updateTable('incidents')
              .set({ resolved_at: NOW.toISOString() })
              .where('id', '=', incident.id)
              .execute();
          },
        ],
        [
          'a service moved to another team',
          async () => {
            const service = await db
              .selectFrom('services')
              .select(['id', 'team_id'])
              .where('id', '=', first.service_id)
              .executeTakeFirstOrThrow();
            const other = await db
              .selectFrom('teams')
              .select('id')
              .where('id', '<>', service.team_id)
              .executeTakeFirstOrThrow();
            await db
              .updateTable('services')
              .set({ team_id: other.id })
              .where('id', '=', service.id)
              .execute();
          },
        ],
        [
          'a deployment deleted',
          () => db.deleteFrom('deployments').where('id', '=', copyId).execute(),
        ],
        [
          'a team renamed (every day)',
          async () => {
            const team = await db.selectFrom('teams').select('id').executeTakeFirstOrThrow();
            await db
              .updateTable('teams')
              .set({ name: 'renamed-team' })
              .where('id', '=', team.id)
              .execute();
          },
        ],
      ];
      for (const [label, write] of writes) {
        await write();
        assert.notDeepEqual(await markedIn(app, SPRING), [], `${label} marks its days`);
        const before = await bothWays(app, SPRING, 'team', 'week');
        assert.deepEqual(before.summed, before.rows, `${label}, read before a refresh`);
        for (const by of DIMENSIONS) {
          await refreshMetricDays(app, SYSTEM_ACTOR, { ...SPRING, by });
          assert.equal(await metricDaysStale(store.reader, SPRING, by), false, `${label}, ${by}`);
          const { summed, rows } = await bothWays(app, SPRING, by, 'week');
          assert.deepEqual(summed, rows, `${label}, by ${by}`);
        }
        // Days outside the range's whole days stay marked (read live); none inside it.
        assert.deepEqual(await markedIn(app, SPRING), [], `${label} leaves no marks in the range`);
      }
    });

    test(
      'a write committing while a refresh runs keeps its day marked; two replicas refresh at once',
      { skip: engine.name === 'postgres' ? false : 'SQLite runs one write transaction at a time' },
      async () => {
        await refreshMetricDays(app, SYSTEM_ACTOR, { ...SPRING, by: 'team' });
        const d = await store.db
          .selectFrom('deployments')
          .select(['id', 'started_at', 'finished_at'])
          .where('started_at', '>=', '2025-03-02')
          .where('finished_at', 'is not', null)
          .orderBy('started_at')
          .executeTakeFirstOrThrow();
        const day = d.started_at.slice(0, 10);
        const later = (minutes: number) =>
          new Date(Date.parse(d.finished_at!) + minutes * MIN).toISOString();
        await store.db
          .updateTable('deployments')
          .set({ finished_at: later(1) })
          .where('id', '=', d.id)
          .execute();
        assert.ok((await markedIn(app, SPRING)).includes(day));
        // A second write to the same day, held open while a refresh reads the first mark.
        let commit!: () => void;
        const held = new Promise<void>((resolve) => (commit = resolve));
        let written!: () => void;
        const updated = new Promise<void>((resolve) => (written = resolve));
        const writer = store.db.transaction().execute(async (tx) => {
          await tx
            .updateTable('deployments')
            .set({ finished_at: later(45) })
            .where('id', '=', d.id)
            .execute();
          written();
          await held;
        });
        await updated;
        // The open write has not marked its day yet: on PostgreSQL the mark is written at
        // commit (migration 0027), so the refresh runs to its end without waiting for it.
        let refreshed = false;
        const refresh = refreshMetricDays(app, SYSTEM_ACTOR, { ...SPRING, by: 'team' }).finally(
          () => (refreshed = true),
        );
        let waitedForTheWrite = false;
        while (!refreshed) {
          // Sessions of this database only: the server is shared with other suites.
          const waiting = await sql<{ n: number }>`
            select count(*) as n from pg_stat_activity
             where datname = current_database() and wait_event_type = 'Lock'`.execute(store.db);
          if (Number(waiting.rows[0]!.n) > 0) {
            waitedForTheWrite = true;
            break;
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        commit();
        await writer;
        await refresh;
        assert.equal(waitedForTheWrite, false, 'the refresh waited for the open write');
        assert.ok(
          (await markedIn(app, SPRING)).includes(day),
          'the later write keeps its day marked',
        );
        const { summed, rows } = await bothWays(app, SPRING, 'team', 'week');
        assert.deepEqual(summed, rows);

        const replica = openStore(scratch.url);
        try {
          const other: App = { store: replica, clock: () => NOW };
          await Promise.all([
            refreshMetricDays(app, SYSTEM_ACTOR, { ...SPRING, by: 'team' }),
            refreshMetricDays(other, SYSTEM_ACTOR, { ...SPRING, by: 'team' }),
          ]);
        } finally {
          await replica.close();
        }
        assert.deepEqual(await markedIn(app, SPRING), []);
        assert.equal(await metricDaysStale(store.reader, SPRING, 'team'), false);
        const after = await bothWays(app, SPRING, 'team', 'week');
        assert.deepEqual(after.summed, after.rows);
      },
    );

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
