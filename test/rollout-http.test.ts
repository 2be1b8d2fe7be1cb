/**
 * Staged-rollout decisions over HTTP on a real port, on SQLite and PostgreSQL: promote
 * after sustained health, roll back on a trigger or a failed canary verdict, each
 * recorded with its evidence; bad input is a 400 naming the field with nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(`rollout decisions over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let release: string;
    const started = new Date(Date.now() - 40 * 60_000);
    const at = (minute: number) => new Date(started.getTime() + minute * 60_000).toISOString();
    /** One healthy observation a minute from the step's start until now. */
    const healthy = () =>
      Array.from({ length: 40 }, (_, m) => ({
        at: at(m),
        errorRate: 0.01,
        p95LatencyMs: 310,
        businessMetric: 100,
      }));
    const body = (extra: Record<string, unknown> = {}) => ({
      environment: 'prod',
      rollout: { steps: [5, 25, 50, 100], current: 0, stepStartedAt: at(0) },
      baseline: { p95LatencyMs: 300, businessMetric: 100 },
      observations: healthy(),
      ...extra,
    });
    const decide = (payload: unknown) =>
      server.call('POST', `/releases/${release}/rollout-decisions`, { body: payload });

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      const created = await server.call('POST', '/releases', {
        body: releaseBody({
          services: [
            { service: 'payments-api', version: '2.4.0' },
            { service: 'ledger', version: '1.9.0' },
          ],
        }),
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      release = created.body.key;
    });
    after(() => server?.close());

    test('sustained health promotes to the next step; the decision is recorded', async () => {
      const response = await decide(body());
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.decision, 'promote');
      assert.equal(response.body.nextPercent, 25);
      assert.ok(response.body.healthyMinutes >= 30);
      // payments-api depends on ledger: it is rolled back first.
      assert.deepEqual(response.body.rollbackOrder, ['payments-api', 'ledger']);
      const listed = await server.call('GET', `/releases/${release}/rollout-decisions`);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.at(-1).id, response.body.id);
      assert.deepEqual(listed.body.at(-1).evidence, response.body.evidence);
    });

    test('an error-rate trigger rolls back and halts, naming the breach', async () => {
      const observations = healthy();
      observations[12] = { ...observations[12]!, errorRate: 0.09 };
      const response = await decide(body({ observations }));
      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.equal(response.body.decision, 'roll-back');
      assert.equal(response.body.halted, true);
      assert.equal(response.body.evidence[0].criterion, 'error-rate');
      assert.equal(response.body.evidence[0].observed, 0.09);
    });

    test('a recorded failing canary verdict rolls back', async () => {
      const analysis = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: {
          service: 'payments-api',
          environment: 'prod',
          config: { metrics: [{ name: 'latency', direction: 'increase', critical: true }] },
        },
      });
      assert.equal(analysis.status, 201, JSON.stringify(analysis.body));
      const id = analysis.body.id;
      await server.call('POST', `/canary-analyses/${id}/samples`, {
        body: {
          baseline: { latency: Array.from({ length: 30 }, (_, i) => 200 + (i % 5)) },
          canary: { latency: Array.from({ length: 30 }, (_, i) => 300 + (i % 5)) },
        },
      });
      const verdict = await server.call('POST', `/canary-analyses/${id}/verdicts`, { body: {} });
      assert.equal(verdict.body.decision, 'roll-back');
      const response = await decide(body({ canaryVerdict: verdict.body.id }));
      assert.equal(response.body.decision, 'roll-back');
      assert.match(response.body.reason, /canary analysis failed/);
    });

    test('bad input is a 400 naming the field, and nothing is recorded', async () => {
      const before = (await server.call('GET', `/releases/${release}/rollout-decisions`)).body
        .length;
      const outOfRange = await decide(
        body({ rollout: { steps: [5, 100], current: 2, stepStartedAt: at(0) } }),
      );
      assert.equal(outOfRange.status, 400);
      assert.ok(outOfRange.body.errors.some((e: any) => e.field === '/rollout/current'));
      const falling = await decide(
        body({ rollout: { steps: [50, 5], current: 0, stepStartedAt: at(0) } }),
      );
      assert.ok(falling.body.errors.some((e: any) => e.field === '/rollout/steps'));
      const text = await decide(
        body({
          observations: [{ at: at(1), errorRate: 'low', p95LatencyMs: 1, businessMetric: 1 }],
        }),
      );
      assert.equal(text.status, 400);
      const unknownVerdict = await decide(
        body({ canaryVerdict: '00000000-0000-4000-8000-000000000000' }),
      );
      assert.equal(unknownVerdict.status, 400);
      assert.ok(unknownVerdict.body.errors.some((e: any) => e.field === '/canaryVerdict'));
      const after = (await server.call('GET', `/releases/${release}/rollout-decisions`)).body
        .length;
      assert.equal(after, before);
    });
  });
}
