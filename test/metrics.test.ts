/**
 * GET /metrics/dora and /metrics/control-charts on a real port, on SQLite and on
 * PostgreSQL, over a small history recorded through the API; bad ranges refused naming
 * the field.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const DAY = 86_400_000;
// One instant for the whole file: read anew for each timestamp, the clock could tick
// between an incident's start and its resolution and add a millisecond to the durations.
const NOW = Date.now();
const daysAgo = (n: number, plusMinutes = 0) =>
  new Date(NOW - n * DAY + plusMinutes * 60_000).toISOString();

for (const engine of await engines()) {
  describe(`metrics over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    const since = daysAgo(28);
    const until = daysAgo(-1);

    const deploy = async (service: string, ago: number, status: string, environment = 'prod') => {
      const release = await server.call('POST', '/releases', {
        body: releaseBody({ services: [{ service, version: `9.${ago}.0` }] }),
      });
      assert.equal(release.status, 201, JSON.stringify(release.body));
      const deployment = await server.call('POST', `/releases/${release.body.key}/deployments`, {
        body: {
          service,
          environment,
          region: 'eu-west',
          status,
          startedAt: daysAgo(ago),
          finishedAt: daysAgo(ago, 20),
          historyImport: 'past deployment the test builds on',
        },
      });
      assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
      return deployment.body.id as string;
    };

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      const linked = await deploy('payments-api', 20, 'succeeded');
      for (const ago of [18, 12, 5]) await deploy('payments-api', ago, 'succeeded');
      await deploy('payments-api', 15, 'failed');
      await deploy('payments-api', 8, 'rolled-back');
      await deploy('payments-api', 3, 'succeeded', 'uat');
      await deploy('auth', 10, 'succeeded');
      await deploy('auth', 2, 'succeeded');
      await deploy('auth', 40, 'succeeded'); // before the range
      const incident = await server.call('POST', '/incidents', {
        body: {
          title: 'Refunds double-charged',
          severity: 2,
          service: 'payments-api',
          startedAt: daysAgo(20, 60),
          detectedAt: daysAgo(20, 90),
          resolvedAt: daysAgo(20, 180),
          causedBy: [linked],
        },
      });
      assert.equal(incident.status, 201, JSON.stringify(incident.body));
    });
    after(async () => server?.close());

    test('the keys by service, with bands and the release measures', async () => {
      const response = await server.call(
        'GET',
        `/metrics/dora?since=${since}&until=${until}&by=service&bucket=week`,
      );
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const report = response.body;
      assert.deepEqual(report.range, { since, until });
      const api = report.groups.find((g: { group: string }) => g.group === 'payments-api');
      const auth = report.groups.find((g: { group: string }) => g.group === 'auth');
      assert.equal(
        api.deploymentFrequency.deployments,
        4,
        'successful production deployments only',
      );
      assert.deepEqual(api.changeFailureRate, {
        deployments: 6,
        failed: 3,
        rate: 0.5,
        band: 'low',
      });
      assert.equal(api.timeToRestore.medianMs, 2 * 3_600_000);
      assert.equal(api.timeToRestore.band, 'high');
      assert.equal(api.mttd.meanMs, 30 * 60_000);
      assert.equal(api.deploymentDuration.medianMs, 20 * 60_000);
      assert.deepEqual(auth.changeFailureRate, {
        deployments: 2,
        failed: 0,
        rate: 0,
        band: 'elite',
      });
      assert.equal(report.overall.deploymentFrequency.deployments, 6);
      assert.ok(report.overall.series.length >= 5);
      const weeks = report.overall.series.reduce(
        (sum: number, p: { finishedDeployments: number }) => sum + p.finishedDeployments,
        0,
      );
      assert.equal(weeks, 8, 'the weekly series adds up to the whole');
    });

    test('by environment counts every environment, not only production', async () => {
      const response = await server.call(
        'GET',
        `/metrics/dora?since=${since}&until=${until}&by=environment`,
      );
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(
        response.body.groups.map((g: { group: string }) => g.group),
        ['prod', 'uat'],
      );
    });

    test('control charts: the p-chart of change failures and the u-chart of escaped defects', async () => {
      const response = await server.call(
        'GET',
        `/metrics/control-charts?since=${since}&until=${until}&bucket=week&by=service&group=payments-api`,
      );
      assert.equal(response.status, 200, JSON.stringify(response.body));
      const { changeFailures, postReleaseDefects, timeToRestore } = response.body;
      assert.equal(changeFailures.kind, 'p');
      assert.equal(changeFailures.center, 0.5);
      const inspected = changeFailures.points.reduce((s: number, p: { n: number }) => s + p.n, 0);
      assert.equal(inspected, 6);
      for (const p of changeFailures.points) {
        assert.ok(p.lowerLimit >= 0 && p.upperLimit <= 1);
        assert.ok(p.lowerLimit <= p.center && p.center <= p.upperLimit);
      }
      assert.equal(postReleaseDefects.kind, 'u');
      assert.equal(postReleaseDefects.center, 1 / 4);
      assert.equal(timeToRestore.kind, 'xmr');
      assert.deepEqual(
        timeToRestore.points.map((p: { value: number }) => p.value),
        [2],
      );
      assert.ok(Array.isArray(changeFailures.signals));
    });

    test('ranges reversed, unbounded or malformed are refused naming the field', async () => {
      const cases: Array<[string, string, RegExp]> = [
        [`since=${since}`, '/querystring/until', /required/],
        [`until=${until}`, '/querystring/since', /required/],
        [`since=${until}&until=${since}`, '/querystring/until', /reversed/],
        [`since=2001-01-01T00:00:00Z&until=${until}`, '/querystring/until', /at most/],
        [`since=yesterday&until=${until}`, '/querystring/since', /./],
        [`since=${since}&until=${until}&by=planet`, '/querystring/by', /./],
        [`since=${since}&until=${until}&bucket=hour`, '/querystring/bucket', /./],
      ];
      for (const path of ['/metrics/dora', '/metrics/control-charts']) {
        for (const [q, field, reason] of cases) {
          if (path.endsWith('charts') && q.includes('by=')) continue;
          const response = await server.call('GET', `${path}?${q}`);
          assert.equal(response.status, 400, `${path}?${q}: ${JSON.stringify(response.body)}`);
          const problem = response.body.errors?.find((e: { field: string }) => e.field === field);
          assert.ok(problem, `${path}?${q}: ${JSON.stringify(response.body.errors)}`);
          assert.match(problem.reason, reason);
        }
      }
      const lonely = await server.call(
        'GET',
        `/metrics/control-charts?since=${since}&until=${until}&group=auth`,
      );
      assert.equal(lonely.status, 400);
      assert.equal(lonely.body.errors[0].field, '/querystring/by');
    });

    test('a viewer may read the metrics; no token may not', async () => {
      await server.call('POST', '/users', { body: { name: 'val', roles: ['viewer'] } });
      const token = (await server.call('POST', '/tokens', { body: { name: 't', user: 'val' } }))
        .body.token;
      const q = `/metrics/dora?since=${since}&until=${until}`;
      assert.equal((await server.call('GET', q, { token })).status, 200);
      assert.equal((await server.call('GET', q, { token: null })).status, 401);
    });
  });
}
