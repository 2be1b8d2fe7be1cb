/**
 * The independent check: on the demo organisation's year of history, with incidents
 * recorded against its failed deployments, the four keys computed by Gatehouse must
 * equal those of a second, deliberately simple implementation in plain SQL
 * (test/support/four-keys.ts), on SQLite and on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { execute, query, SYSTEM_ACTOR, type App } from '../src/app/context.js';
import { finalState, generateDemoOrganisation } from '../src/app/demo/demoOrganisation.js';
import { recordIncident } from '../src/app/incidents/recordIncident.js';
import { doraMetrics } from '../src/app/metrics/doraMetrics.js';
import { openStore, type Store } from '../src/store/database.js';
import { demoScratch } from './support/demo-store.js';
import { engines, type Scratch } from './support/engines.js';
import { fourKeysByTeam } from './support/four-keys.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const MIN = 60_000;
const demo = generateDemoOrganisation({ now: NOW });
const YEAR = { since: demo.since.toISOString(), until: NOW.toISOString() };
const QUARTER = { since: '2025-01-01T00:00:00.000Z', until: '2025-04-01T00:00:00.000Z' };

/**
 * Incidents as an on-call rota would have raised them: one for every failed or
 * rolled-back production deployment, one for every ninth successful one (a failure
 * its deployment did not notice), and a few with no known cause.
 */
async function recordIncidents(app: App): Promise<number> {
  const deployments = await app.store.db
    .selectFrom('deployments')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .select(['deployments.id', 'deployments.status', 'deployments.finished_at', 'services.name'])
    .where('environments.production', '=', 1)
    .where('deployments.finished_at', 'is not', null)
    .orderBy('deployments.started_at')
    .orderBy('deployments.id')
    .execute();
  let recorded = 0;
  for (const [n, d] of deployments.entries()) {
    const failed = d.status === 'failed' || d.status === 'rolled-back';
    if (!failed && n % 9 !== 0 && n % 31 !== 5) continue;
    const started = Date.parse(d.finished_at!) + (n % 17) * MIN;
    const detected = started + (3 + (n % 40)) * MIN;
    const resolved = detected + (10 + ((n * 37) % 600)) * MIN;
    if (detected > NOW.getTime()) continue;
    await execute(app, SYSTEM_ACTOR, (ctx) =>
      recordIncident(ctx, {
        title: `Errors after deployment ${n}`,
        severity: 1 + (n % 4),
        service: d.name,
        startedAt: new Date(started).toISOString(),
        detectedAt: new Date(detected).toISOString(),
        ...(resolved <= NOW.getTime() && { resolvedAt: new Date(resolved).toISOString() }),
        ...(n % 31 !== 5 && { causedBy: [d.id] }),
      }),
    );
    recorded++;
  }
  return recorded;
}

for (const engine of await engines()) {
  describe(`four keys checked independently on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;
    let store: Store;
    let app: App;
    let incidents: number;

    before(async () => {
      // The demo organisation, loaded once per run and copied (test/support/demo-store.ts).
      scratch = await demoScratch(engine, NOW);
      store = openStore(scratch.url);
      app = { store, clock: () => NOW };
      incidents = await recordIncidents(app);
    });
    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    for (const [label, range] of [
      ['the demo year', YEAR],
      ['one quarter', QUARTER],
    ] as const) {
      test(`Gatehouse and plain SQL agree on every team over ${label}`, async (t) => {
        t.diagnostic(`${incidents} incidents recorded over the demo history`);
        const report = await query(app, SYSTEM_ACTOR, (ctx) =>
          doraMetrics(ctx, { ...range, by: 'team', bucket: 'month' }),
        );
        const simple = await fourKeysByTeam(store.db, engine.name, range.since, range.until);
        const teams = [...simple.keys()].filter(
          (team) => simple.get(team)!.finishedDeployments > 0,
        );
        assert.ok(teams.length >= 4, `teams with deployments: ${teams.join(', ')}`);
        for (const team of teams) {
          const expected = simple.get(team)!;
          const group = report.groups.find((g) => g.group === team);
          assert.ok(group, `no group for ${team}`);
          assert.deepEqual(
            {
              deployments: group.deploymentFrequency.deployments,
              deploymentDays: group.deploymentFrequency.deploymentDays,
              medianLeadTimeMs: group.leadTimeForChanges.medianMs,
              finishedDeployments: group.changeFailureRate.deployments,
              failedDeployments: group.changeFailureRate.failed,
              medianTimeToRestoreMs: group.timeToRestore.medianMs,
            },
            expected,
            team,
          );
        }
        // The history is rich enough for the check to mean something.
        const all = report.overall;
        assert.ok(all.changeFailureRate.failed > 0 && all.timeToRestore.resolved > 0);
        assert.ok(all.changeFailureRate.failed < all.changeFailureRate.deployments);
      });
    }

    test('the demo year shows its rollbacks, emergencies and every DORA band', async () => {
      const report = await query(app, SYSTEM_ACTOR, (ctx) =>
        doraMetrics(ctx, { ...YEAR, by: 'class', bucket: 'week' }),
      );
      const rolledBack = demo.releases.filter((r) => finalState(r) === 'rolled-back').length;
      assert.equal(report.overall.rollbackFrequency.rollbacks, rolledBack);
      const emergency = report.groups.find((g) => g.group === 'emergency');
      assert.ok(emergency && emergency.reworkRate.rate === 1, 'emergency work is all rework');
      assert.ok((report.overall.emergencyChangeShare.share ?? 0) > 0);
      assert.equal(report.overall.series.length, 53);
      for (const key of ['leadTimeForChanges', 'changeFailureRate', 'timeToRestore'] as const)
        assert.ok(report.overall[key].band !== null, key);
    });
  });
}
