/**
 * Dependency-aware planning and risk over HTTP on both engines: deploy and rollback
 * order, downstream impact, the explainable risk score, the risk register and heat map.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(`planning and risk over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
    });
    after(async () => server?.close());

    const create = async (overrides: Record<string, unknown>) => {
      const response = await server.call('POST', '/releases', { body: releaseBody(overrides) });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.key as string;
    };

    test('deploy order puts dependencies first; rollback order is its reverse', async () => {
      const key = await create({
        services: ['payments-api', 'auth', 'ledger'].map((service) => ({
          service,
          version: '3.0.0',
        })),
      });
      const response = await server.call('GET', `/releases/${key}/dependencies`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.deepEqual(response.body.deployOrder, ['auth', 'ledger', 'payments-api']);
      assert.deepEqual(response.body.rollbackOrder, ['payments-api', 'ledger', 'auth']);
      assert.deepEqual(response.body.downstream, []);
      assert.deepEqual(response.body.customerFacing.changed, ['payments-api']);
    });

    test('downstream impact names every dependent service and marks the customer-facing ones', async () => {
      const key = await create({ services: [{ service: 'auth', version: '5.1.0' }] });
      const response = await server.call('GET', `/releases/${key}/dependencies`);
      assert.deepEqual(
        response.body.downstream.map(
          (d: { service: string; customerFacing: boolean; via: string[] }) => [
            d.service,
            d.customerFacing,
            d.via,
          ],
        ),
        [
          ['ledger', false, ['auth']],
          ['payments-api', true, ['auth']],
        ],
      );
      assert.deepEqual(response.body.customerFacing.downstream, ['payments-api']);
      assert.equal((await server.call('GET', '/releases/REL-999/dependencies')).status, 404);
    });

    test('the risk score lists every factor with its points, from the release facts', async () => {
      const key = await create({
        services: [{ service: 'ledger', version: '4.0.0' }],
        facts: { schemaMigration: true, authChanges: false, testsPassed: true },
      });
      const read = await server.call('GET', `/releases/${key}`);
      assert.deepEqual(read.body.facts, {
        schemaMigration: true,
        authChanges: false,
        testsPassed: true,
      });
      const risk = await server.call('GET', `/releases/${key}/risk`);
      assert.equal(risk.status, 200, JSON.stringify(risk.body));
      const points = Object.fromEntries(
        risk.body.contributions.map((c: { factor: string; points: number }) => [
          c.factor,
          c.points,
        ]),
      );
      assert.equal(points.tier, 20);
      assert.equal(points.schemaMigration, 10);
      assert.equal(points.authChanges, 0);
      assert.equal(points.dataSensitivity, 6);
      assert.equal(
        risk.body.score,
        risk.body.contributions.reduce((sum: number, c: { points: number }) => sum + c.points, 0),
      );
      assert.equal(risk.body.weightsVersion, 0);
      assert.equal(risk.body.failureProbability, null, 'no history to fit yet');
    });

    test('weights come from a versioned document; bad weights and bad facts are refused naming the field', async () => {
      const current = (await server.call('GET', '/risk/weights')).body;
      const changed = await server.call('PUT', '/risk/weights', {
        body: { ...current.weights, schemaMigration: 40 },
      });
      assert.equal(changed.status, 200, JSON.stringify(changed.body));
      assert.equal(changed.body.version, 1);
      const key = await create({
        services: [{ service: 'ledger', version: '4.1.0' }],
        facts: { schemaMigration: true },
      });
      const risk = await server.call('GET', `/releases/${key}/risk`);
      assert.equal(risk.body.weightsVersion, 1);
      assert.equal(
        risk.body.contributions.find((c: { factor: string }) => c.factor === 'schemaMigration')
          .points,
        40,
      );
      const bands = await server.call('PUT', '/risk/weights', {
        body: { ...current.weights, bands: { medium: 50, high: 40 } },
      });
      assert.equal(bands.status, 400);
      assert.equal(bands.body.errors[0].field, '/bands/high');
      const missing = await server.call('PUT', '/risk/weights', {
        body: { tier: current.weights.tier },
      });
      assert.equal(missing.status, 400);
      const fact = await server.call('POST', '/releases', {
        body: releaseBody({ facts: { schemaMigration: 'yes' } }),
      });
      assert.equal(fact.status, 400);
      assert.ok(
        fact.body.errors.some((e: { field: string }) => e.field === '/body/facts/schemaMigration'),
      );
      const env = await server.call('POST', '/releases', {
        body: releaseBody({
          plannedWindow: {
            start: '2026-12-01T09:00:00Z',
            end: '2026-12-01T10:00:00Z',
            environment: 'moon',
          },
        }),
      });
      assert.equal(env.status, 400);
      assert.equal(env.body.errors[0].field, '/plannedWindow/environment');
    });

    test('risk register per release with heat-map counts by release and portfolio', async () => {
      const a = await create({ services: [{ service: 'auth', version: '6.0.0' }] });
      const b = await create({ services: [{ service: 'ledger', version: '6.0.0' }] });
      const entry = (risk: string, impact: number, probability: number) => ({
        risk,
        impact,
        probability,
        owner: 'erin',
        mitigation: 'rehearse the rollback in pre-prod',
      });
      for (const [key, body] of [
        [a, entry('token signing key rotation breaks sessions', 5, 2)],
        [a, entry('latency regression at peak', 3, 3)],
        [b, entry('ledger lock contention', 5, 2)],
      ] as const) {
        const added = await server.call('POST', `/releases/${key}/risks`, { body });
        assert.equal(added.status, 201, JSON.stringify(added.body));
      }
      const bad = await server.call('POST', `/releases/${a}/risks`, { body: entry('x', 6, 1) });
      assert.equal(bad.status, 400);
      assert.ok(bad.body.errors.some((e: { field: string }) => e.field === '/body/impact'));
      const register = await server.call('GET', `/releases/${a}/risks`);
      assert.equal(register.body.items.length, 2);
      assert.equal(register.body.heatMap.counts[4][1], 1);
      assert.equal(register.body.heatMap.counts[2][2], 1);
      const portfolio = await server.call('GET', '/risk/heatmap');
      assert.equal(portfolio.body.portfolio.counts[4][1], 2);
      assert.equal(portfolio.body.portfolio.total, 3);
      assert.deepEqual(
        portfolio.body.releases.map((r: { release: string; total: number }) => [
          r.release,
          r.total,
        ]),
        [
          [a, 2],
          [b, 1],
        ],
      );
      const model = await server.call('GET', '/risk/model');
      assert.equal(model.status, 409, 'no finished releases to learn from');
      assert.equal(model.body.code, 'not-enough-history');
    });
  });
}
