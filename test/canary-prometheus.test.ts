/**
 * Canary analyses pulling from a real Prometheus (Debian's package, series backfilled with
 * promtool) over HTTP on both engines: a regression in the pulled window is judged as one
 * pushed by hand would be; a query Prometheus refuses, or that returns several series, is
 * an inconclusive verdict saying why; a server without Prometheus refuses clearly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import {
  prometheusUnavailable,
  startPrometheus,
  type RunningPrometheus,
} from './support/prometheus.js';
import { seededRandom } from './support/seeded-random.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const STEP = 60;
const POINTS = 60;
// Whole minutes, three hours back: well inside retention, clear of Prometheus's head block.
const START = Math.floor(Date.now() / 1000 / 3600) * 3600 - 3 * 3600;
const WINDOW = {
  start: new Date(START * 1000).toISOString(),
  end: new Date((START + (POINTS - 1) * STEP) * 1000).toISOString(),
};

const random = seededRandom(2026);
const series = (mean: number, sd: number) =>
  Array.from({ length: POINTS }, () => Number((mean + sd * random.normal()).toFixed(3)));

const config = (metrics: Array<Record<string, unknown>>) => ({
  prometheus: { baselineScope: 'baseline', canaryScope: 'canary', stepSeconds: STEP },
  metrics,
});

const unavailable = prometheusUnavailable();
const ENGINES = await engines();

describe('canary analyses pulling from Prometheus', { skip: unavailable ?? false }, () => {
  let prometheus: RunningPrometheus;
  before(async () => {
    prometheus = await startPrometheus(
      [
        { name: 'latency_ms', labels: { scope: 'baseline' }, values: series(200, 10) },
        { name: 'latency_ms', labels: { scope: 'canary' }, values: series(260, 10) },
        { name: 'error_ratio', labels: { scope: 'baseline' }, values: series(0.01, 0.001) },
        { name: 'error_ratio', labels: { scope: 'canary' }, values: series(0.01, 0.001) },
      ],
      START,
      STEP,
    );
  });
  after(() => prometheus?.close());

  for (const engine of ENGINES) {
    describe(`on ${engine.name}`, { skip: engine.skip }, () => {
      let server: TestServer;
      let release: string;
      before(async () => {
        server = await startTestServer(engine, { prometheusUrl: prometheus.url });
        assert.equal(
          (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
          200,
        );
        release = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
      });
      after(() => server?.close());

      const analysis = async (metrics: Array<Record<string, unknown>>) => {
        const response = await server.call('POST', `/releases/${release}/canary-analyses`, {
          body: { service: 'payments-api', environment: 'prod', config: config(metrics) },
        });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        return response.body.id as string;
      };
      const pull = (id: string, body: Record<string, unknown> = { pull: WINDOW }) =>
        server.call('POST', `/canary-analyses/${id}/verdicts`, { body });

      test('a regression in the pulled window is judged roll-back; samples are kept', async () => {
        const id = await analysis([
          {
            name: 'latency',
            query: 'latency_ms{scope="{{scope}}"}',
            direction: 'increase',
            critical: true,
          },
          { name: 'errors', query: 'avg(error_ratio{scope="{{scope}}"})', direction: 'increase' },
        ]);
        const verdict = await pull(id);
        assert.equal(verdict.status, 201, JSON.stringify(verdict.body));
        assert.equal(verdict.body.outcome, 'fail');
        assert.equal(verdict.body.decision, 'roll-back');
        const latency = verdict.body.metrics.find((m: any) => m.metric === 'latency');
        assert.equal(latency.outcome, 'high');
        assert.equal(latency.baseline.count, POINTS, 'one sample per step of the window');
        assert.ok(
          Math.abs(latency.baseline.mean - 200) < 10,
          `baseline mean ${latency.baseline.mean}`,
        );
        assert.ok(Math.abs(latency.canary.mean - 260) < 10, `canary mean ${latency.canary.mean}`);
        const errors = verdict.body.metrics.find((m: any) => m.metric === 'errors');
        assert.equal(errors.outcome, 'pass', errors.reason);
        const held = await server.call('GET', `/canary-analyses/${id}`);
        assert.equal(held.body.samples.canary.latency, POINTS);
        assert.equal(held.body.samples.baseline.errors, POINTS);
      });

      test('a query Prometheus refuses, or that returns several series, is inconclusive and says why', async () => {
        const broken = await analysis([
          { name: 'latency', query: 'latency_ms{scope="{{scope}}"', direction: 'increase' },
        ]);
        const refused = await pull(broken);
        assert.equal(refused.status, 201, JSON.stringify(refused.body));
        assert.equal(refused.body.outcome, 'inconclusive');
        assert.equal(refused.body.decision, 'hold');
        assert.match(
          refused.body.reason,
          /Prometheus refused the query \(HTTP 400, bad_data\): .*parse error/,
        );
        assert.equal(
          (await server.call('GET', `/canary-analyses/${broken}`)).body.samples.canary.latency,
          undefined,
          'nothing pulled is kept',
        );

        const unaggregated = await analysis([
          { name: 'latency', query: 'latency_ms', direction: 'increase' },
        ]);
        const several = await pull(unaggregated);
        assert.equal(several.body.outcome, 'inconclusive');
        assert.match(several.body.reason, /returned 2 series; aggregate it/);
        assert.equal(several.body.metrics[0].outcome, 'no-data');

        const empty = await analysis([
          { name: 'latency', query: 'nothing_here{scope="{{scope}}"}', mustHaveData: true },
        ]);
        const none = await pull(empty);
        assert.equal(none.body.outcome, 'inconclusive', 'no data is never a pass');
        assert.match(none.body.reason, /required data missing/);
      });

      test('bad pull input and configs are refused naming the field', async () => {
        const id = await analysis([{ name: 'latency', query: 'latency_ms{scope="{{scope}}"}' }]);
        const reversed = await pull(id, { pull: { start: WINDOW.end, end: WINDOW.start } });
        assert.equal(reversed.status, 400);
        assert.equal(reversed.body.errors[0].field, '/pull/end');
        const noSection = await server.call('POST', `/releases/${release}/canary-analyses`, {
          body: {
            service: 'payments-api',
            environment: 'prod',
            config: { metrics: [{ name: 'latency', query: 'up' }] },
          },
        });
        assert.equal(noSection.status, 400);
        assert.equal(noSection.body.errors[0].field, '/config/metrics/0/query');
        const pushedOnly = await server.call('POST', `/releases/${release}/canary-analyses`, {
          body: {
            service: 'payments-api',
            environment: 'prod',
            config: { metrics: [{ name: 'x' }] },
          },
        });
        const noQueries = await pull(pushedOnly.body.id);
        assert.equal(noQueries.status, 409);
        assert.equal(noQueries.body.code, 'no-queries');
      });
    });
  }

  test('a server without Prometheus refuses a pull, naming the setting', async () => {
    const server = await startTestServer(ENGINES[0]!);
    try {
      await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      const release = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
      const created = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: {
          service: 'payments-api',
          environment: 'prod',
          config: config([{ name: 'latency', query: 'latency_ms{scope="{{scope}}"}' }]),
        },
      });
      const refused = await server.call('POST', `/canary-analyses/${created.body.id}/verdicts`, {
        body: { pull: WINDOW },
      });
      assert.equal(refused.status, 409);
      assert.equal(refused.body.code, 'no-metrics-source');
      assert.match(refused.body.detail, /--prometheus-url/);
    } finally {
      await server.close();
    }
  });
});
