/**
 * Canary analyses over HTTP on a real port, on SQLite and PostgreSQL: samples pushed in
 * several batches keep their order, verdicts are recorded with their evidence and an
 * audit entry, and bad input is a problem naming the field with nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { seededRandom } from './support/seeded-random.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const CONFIG = {
  metrics: [
    { name: 'latency_ms', direction: 'increase', critical: true },
    { name: 'error_rate', direction: 'increase', mustHaveData: true },
  ],
};

for (const engine of await engines()) {
  describe(`canary analyses over HTTP on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let release: string;
    const random = seededRandom(99);
    const series = (n: number, mean: number, sd: number) =>
      Array.from({ length: n }, () => Number((mean + sd * random.normal()).toFixed(3)));

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      const created = await server.call('POST', '/releases', { body: releaseBody() });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      release = created.body.key;
    });
    after(() => server?.close());

    const start = async (judge = 'fixed') => {
      const response = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: { service: 'payments-api', environment: 'prod', judge, config: CONFIG },
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body;
    };

    test('a regression pushed in batches is judged roll-back, recorded and audited', async () => {
      const analysis = await start();
      assert.equal(analysis.config.confidence, 0.98, 'defaults filled in');
      for (let batch = 0; batch < 3; batch += 1) {
        const pushed = await server.call('POST', `/canary-analyses/${analysis.id}/samples`, {
          body: {
            baseline: { latency_ms: series(20, 200, 10), error_rate: series(20, 1, 0.1) },
            canary: { latency_ms: series(20, 260, 10), error_rate: series(20, 1, 0.1) },
          },
        });
        assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
        assert.equal(pushed.body.samples.canary.latency_ms, 20 * (batch + 1));
      }
      const verdict = await server.call('POST', `/canary-analyses/${analysis.id}/verdicts`, {
        body: {},
      });
      assert.equal(verdict.status, 201, JSON.stringify(verdict.body));
      assert.equal(verdict.body.outcome, 'fail');
      assert.equal(verdict.body.decision, 'roll-back');
      const latency = verdict.body.metrics.find((m: any) => m.metric === 'latency_ms');
      assert.equal(latency.outcome, 'high');
      assert.equal(latency.canary.count, 60);
      assert.ok(latency.statistics.shiftEstimate > 40);

      const listed = await server.call('GET', `/canary-analyses/${analysis.id}/verdicts`);
      assert.equal(listed.status, 200);
      assert.deepEqual(
        listed.body.map((v: any) => v.id),
        [verdict.body.id],
      );
      assert.deepEqual(listed.body[0].metrics, verdict.body.metrics);

      const audit = await server.call(
        'GET',
        `/audit?subjectType=canary-analysis&subjectId=${analysis.id}`,
      );
      assert.equal(audit.status, 200, JSON.stringify(audit.body));
      const actions = (audit.body.items ?? audit.body).map((e: any) => e.action);
      assert.ok(actions.includes('canary-analysis.judged'), JSON.stringify(actions));
      assert.ok(actions.includes('canary-analysis.samples-pushed'));
    });

    test('the sequential judge holds with too few pairs; missing samples are null, never a pass', async () => {
      const analysis = await start('sequential');
      await server.call('POST', `/canary-analyses/${analysis.id}/samples`, {
        body: {
          baseline: { latency_ms: series(12, 200, 10), error_rate: [null, null] },
          canary: { latency_ms: series(12, 200, 10), error_rate: [null] },
        },
      });
      const verdict = await server.call('POST', `/canary-analyses/${analysis.id}/verdicts`, {
        body: {},
      });
      assert.equal(verdict.status, 201, JSON.stringify(verdict.body));
      assert.equal(verdict.body.judge, 'sequential');
      assert.equal(verdict.body.outcome, 'inconclusive');
      assert.equal(verdict.body.decision, 'hold');
      const errors = verdict.body.metrics.find((m: any) => m.metric === 'error_rate');
      assert.equal(errors.outcome, 'no-data');
      assert.equal(errors.baseline.missing, 2);
      assert.match(verdict.body.reason, /required data missing/);
      const fixed = await server.call('POST', `/canary-analyses/${analysis.id}/verdicts`, {
        body: { judge: 'fixed' },
      });
      assert.equal(fixed.body.judge, 'fixed');
      const list = await server.call('GET', `/releases/${release}/canary-analyses`);
      assert.ok(list.body.some((a: any) => a.id === analysis.id));
    });

    test('bad input is a 400 naming the field, and nothing is written', async () => {
      const bad = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: {
          service: 'payments-api',
          environment: 'prod',
          config: { metrics: [{ name: 'a' }, { name: 'a' }] },
        },
      });
      assert.equal(bad.status, 400, JSON.stringify(bad.body));
      assert.ok(bad.body.errors.some((e: any) => e.field === '/config/metrics/1/name'));
      const unknownService = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: { service: 'ledger', environment: 'nowhere', config: CONFIG },
      });
      assert.equal(unknownService.status, 400);
      assert.deepEqual(unknownService.body.errors.map((e: any) => e.field).sort(), [
        '/environment',
        '/service',
      ]);
      const analysis = await start();
      const strings = await server.call('POST', `/canary-analyses/${analysis.id}/samples`, {
        body: { canary: { latency_ms: [1, 'fast'] } },
      });
      assert.equal(strings.status, 400);
      const extra = await server.call('POST', `/canary-analyses/${analysis.id}/samples`, {
        body: { canary: { latency_ms: [1] }, treatment: {} },
      });
      assert.equal(extra.status, 400);
      const empty = await server.call('POST', `/canary-analyses/${analysis.id}/samples`, {
        body: {},
      });
      assert.equal(empty.status, 400);
      const held = await server.call('GET', `/canary-analyses/${analysis.id}`);
      assert.deepEqual(held.body.samples, { baseline: {}, canary: {} });
      const missing = await server.call('POST', '/canary-analyses/nope/verdicts', { body: {} });
      assert.equal(missing.status, 404);
    });
  });
}
