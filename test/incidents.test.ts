/**
 * Incidents over HTTP on a real port, on SQLite and on PostgreSQL: recording with MTTD
 * and MTTR, linking the deployment that caused one, the suggested causes with their
 * reasons, and bad input refused naming the field, with nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

// One anchor, so differences between these instants are exact.
const NOW = Date.now();
const minutesAgo = (n: number) => new Date(NOW - n * 60_000).toISOString();

async function deploy(
  server: TestServer,
  service: string,
  startedMinutesAgo: number,
  environment = 'prod',
): Promise<{ id: string; release: string }> {
  const release = await server.call('POST', '/releases', {
    body: releaseBody({ services: [{ service, version: `1.${startedMinutesAgo}.0` }] }),
  });
  assert.equal(release.status, 201, JSON.stringify(release.body));
  const deployment = await server.call('POST', `/releases/${release.body.key}/deployments`, {
    body: {
      service,
      environment,
      region: 'eu-west',
      status: 'succeeded',
      startedAt: minutesAgo(startedMinutesAgo),
      finishedAt: minutesAgo(startedMinutesAgo - 5),
      historyImport: 'past deployment the test builds on',
    },
  });
  assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
  return { id: deployment.body.id, release: release.body.key };
}

for (const engine of await engines()) {
  describe(`incidents over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let ledgerNear: { id: string; release: string };
    let ledgerFar: { id: string; release: string };
    let authNear: { id: string; release: string };
    let ledgerAfter: { id: string; release: string };
    let ledgerUat: { id: string; release: string };

    before(async () => {
      server = await startTestServer(engine);
      const applied = await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      // payments-api depends on ledger and auth; the incident is on payments-api.
      ledgerFar = await deploy(server, 'ledger', 600);
      ledgerNear = await deploy(server, 'ledger', 70);
      authNear = await deploy(server, 'auth', 65);
      ledgerUat = await deploy(server, 'ledger', 62, 'uat');
      ledgerAfter = await deploy(server, 'ledger', 10);
    });
    after(async () => server?.close());

    test('records an incident with its times, MTTD and MTTR', async () => {
      const created = await server.call('POST', '/incidents', {
        body: {
          title: 'Ledger writes time out',
          severity: 2,
          service: 'ledger',
          startedAt: minutesAgo(60),
          detectedAt: minutesAgo(50),
          acknowledgedAt: minutesAgo(45),
          resolvedAt: minutesAgo(20),
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.match(created.body.key, /^INC-\d+$/);
      assert.equal(created.headers.get('location'), `/incidents/${created.body.key}`);
      assert.equal(created.body.team, 'payments');
      assert.equal(created.body.timeToDetectMs, 10 * 60_000);
      assert.equal(created.body.timeToRestoreMs, 40 * 60_000);
      const read = await server.call('GET', `/incidents/${created.body.key.toLowerCase()}`);
      assert.deepEqual(read.body, created.body);
      const audit = await server.call(
        'GET',
        `/audit?subjectType=incident&subjectId=${created.body.id}`,
      );
      assert.deepEqual(
        audit.body.items.map((e: { action: string }) => e.action),
        ['incident.recorded'],
      );
    });

    test('an open incident has no time to restore', async () => {
      const created = await server.call('POST', '/incidents', {
        body: { title: 'Slow logins', severity: 3, service: 'auth', startedAt: minutesAgo(30) },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.resolvedAt, null);
      assert.equal(created.body.timeToRestoreMs, null);
      const open = await server.call('GET', '/incidents?open=true&service=auth');
      assert.deepEqual(
        open.body.items.map((i: { key: string }) => i.key),
        [created.body.key],
      );
    });

    test('suggests production deployments of the service and its dependencies, with reasons', async () => {
      const incident = await server.call('POST', '/incidents', {
        body: {
          title: 'Checkout fails',
          severity: 1,
          service: 'payments-api',
          startedAt: minutesAgo(60),
          detectedAt: minutesAgo(55),
        },
      });
      assert.equal(incident.status, 201, JSON.stringify(incident.body));
      const suggested = await server.call(
        'GET',
        `/incidents/${incident.body.key}/suggested-causes`,
      );
      assert.equal(suggested.status, 200, JSON.stringify(suggested.body));
      const ids = suggested.body.suggestions.map((s: { deployment: string }) => s.deployment);
      // Nearest first; the deployment after the start and the one in UAT are not suspects.
      assert.deepEqual(ids, [authNear.id, ledgerNear.id, ledgerFar.id]);
      assert.ok(!ids.includes(ledgerAfter.id));
      assert.ok(!ids.includes(ledgerUat.id));
      const first = suggested.body.suggestions[0];
      assert.equal(first.relation, 'dependency');
      assert.match(first.reason, /auth .*a dependency of payments-api.*finished 0 min before/);
      assert.match(suggested.body.suggestions[2].reason, /finished 8\.9 h before/);

      const linked = await server.call('POST', `/incidents/${incident.body.key}/deployments`, {
        body: { deployment: ledgerNear.id, reason: 'ledger 1.70.0 changed the write timeout' },
      });
      assert.equal(linked.status, 200, JSON.stringify(linked.body));
      assert.deepEqual(
        linked.body.causedBy.map((c: { deployment: string; release: string; reason: string }) => [
          c.deployment,
          c.release,
          c.reason,
        ]),
        [[ledgerNear.id, ledgerNear.release, 'ledger 1.70.0 changed the write timeout']],
      );
      const ofRelease = await server.call('GET', `/incidents?release=${ledgerNear.release}`);
      assert.deepEqual(
        ofRelease.body.items.map((i: { key: string }) => i.key),
        [incident.body.key],
        'the release filter finds the incident through its linked deployment',
      );
      const ofOther = await server.call('GET', `/incidents?release=${authNear.release}`);
      assert.deepEqual(ofOther.body.items, [], 'a suggested cause is not a link');
      const again = await server.call('GET', `/incidents/${incident.body.key}/suggested-causes`);
      assert.ok(
        !again.body.suggestions.some((s: { deployment: string }) => s.deployment === ledgerNear.id),
        'a linked deployment is no longer a suggestion',
      );
      const twice = await server.call('POST', `/incidents/${incident.body.key}/deployments`, {
        body: { deployment: ledgerNear.id },
      });
      assert.equal(twice.status, 409);
      const late = await server.call('POST', `/incidents/${incident.body.key}/deployments`, {
        body: { deployment: ledgerAfter.id },
      });
      assert.equal(late.status, 400);
      assert.equal(late.body.errors[0].field, '/deployment');
      assert.match(late.body.errors[0].reason, /cannot have caused it/);
    });

    test('names a causing deployment when the incident is recorded', async () => {
      const created = await server.call('POST', '/incidents', {
        body: {
          title: 'Token refresh broken',
          severity: 2,
          service: 'auth',
          startedAt: minutesAgo(40),
          resolvedAt: minutesAgo(5),
          causedBy: [authNear.id],
        },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.causedBy[0].deployment, authNear.id);
    });

    test('bad input is refused naming the field, and nothing is written', async () => {
      const before = (await server.call('GET', '/incidents?limit=500')).body.items.length;
      const cases: Array<[Record<string, unknown>, string, RegExp]> = [
        [
          { startedAt: minutesAgo(30), resolvedAt: minutesAgo(40) },
          '/resolvedAt',
          /cannot be resolved .* before it (started|was detected)/,
        ],
        [
          { startedAt: minutesAgo(30), detectedAt: minutesAgo(35) },
          '/detectedAt',
          /cannot be detected .* before it started/,
        ],
        [{ startedAt: minutesAgo(-60) }, '/startedAt', /in the future/],
        [{ startedAt: minutesAgo(30), service: 'nope' }, '/service', /does not exist/],
        [{ startedAt: minutesAgo(30), severity: 5 }, '/severity', /./],
        [{ startedAt: minutesAgo(30), causedBy: ['no-such'] }, '/causedBy/0', /does not exist/],
        [{ startedAt: minutesAgo(30), colour: 'red' }, '/colour', /./],
        [{ startedAt: 'yesterday' }, '/startedAt', /./],
      ];
      for (const [override, field, reason] of cases) {
        const response = await server.call('POST', '/incidents', {
          body: { title: 'x', severity: 3, service: 'auth', ...override },
        });
        assert.equal(response.status, 400, `${field}: ${JSON.stringify(response.body)}`);
        // Schema problems are reported against the body (/body/severity), product ones
        // against the field itself (/resolvedAt); either way the field is named.
        const problem = response.body.errors?.find(
          (e: { field: string }) => e.field === field || e.field === `/body${field}`,
        );
        assert.ok(problem, `${field} not named: ${JSON.stringify(response.body.errors)}`);
        assert.match(problem.reason, reason);
      }
      const reversed = await server.call(
        'GET',
        `/incidents?since=${minutesAgo(10)}&until=${minutesAgo(20)}`,
      );
      assert.equal(reversed.status, 400);
      assert.equal(reversed.body.errors[0].field, '/querystring/until');
      const afterCount = (await server.call('GET', '/incidents?limit=500')).body.items.length;
      assert.equal(afterCount, before);
    });

    test('a viewer reads incidents but may not record them', async () => {
      await server.call('POST', '/users', { body: { name: 'vic', roles: ['viewer'] } });
      const token = (await server.call('POST', '/tokens', { body: { name: 't', user: 'vic' } }))
        .body.token;
      assert.equal((await server.call('GET', '/incidents', { token })).status, 200);
      const refused = await server.call('POST', '/incidents', {
        token,
        body: { title: 'x', severity: 3, service: 'auth', startedAt: minutesAgo(5) },
      });
      assert.equal(refused.status, 403);
    });
  });
}
