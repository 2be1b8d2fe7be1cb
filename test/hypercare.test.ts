/**
 * Hypercare end to end on both engines against a real Prometheus (series backfilled with
 * promtool): a successful production deployment opens a watch for its class's window;
 * the check finds the service whose latency rose after the marker and leaves the steady
 * one watching until its window ends stable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { checkHypercareWatches } from '../src/app/hypercare/checkHypercareWatches.js';
import { SYSTEM_ACTOR } from '../src/app/context.js';
import { engines } from './support/engines.js';
import {
  prometheusUnavailable,
  startPrometheus,
  type RunningPrometheus,
} from './support/prometheus.js';
import { seededRandom } from './support/seeded-random.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const STEP = 60;
const BEFORE = 120;
const AFTER = 40;
const START = Math.floor(Date.now() / 1000 / 3600) * 3600 - 4 * 3600;
const MARKER = (START + BEFORE * STEP) * 1000;
const random = seededRandom(7);
const noisy = (n: number, mean: number, sd: number) =>
  Array.from({ length: n }, () => Number((mean + sd * random.normal()).toFixed(3)));

const POLICY = `apiVersion: gatehouse/v1
kind: PolicySet
name: hypercare-test
policies:
  - name: all
    match: {}
    requires:
      hypercare:
        referenceHours: 2
        metrics:
          - { name: latency, query: 'latency_ms{service="{{service}}"}', direction: increase }
`;

const unavailable = prometheusUnavailable();
const ENGINES = await engines();

describe('hypercare against Prometheus', { skip: unavailable ?? false }, () => {
  let prometheus: RunningPrometheus;
  before(async () => {
    prometheus = await startPrometheus(
      [
        {
          name: 'latency_ms',
          labels: { service: 'payments-api' },
          values: [...noisy(BEFORE, 100, 2), ...noisy(AFTER, 140, 2)],
        },
        { name: 'latency_ms', labels: { service: 'ledger' }, values: noisy(BEFORE + AFTER, 50, 1) },
      ],
      START,
      STEP,
    );
  });
  after(() => prometheus?.close());

  for (const engine of ENGINES) {
    describe(`on ${engine.name}`, { skip: engine.skip }, () => {
      let server: TestServer;
      let key: string;
      before(async () => {
        server = await startTestServer(engine, { prometheusUrl: prometheus.url });
        assert.equal(
          (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
          200,
        );
        const applied = await server.call('POST', '/policies', {
          body: POLICY,
          headers: { 'content-type': 'application/yaml' },
        });
        assert.equal(applied.status, 200, JSON.stringify(applied.body));
        const created = await server.call('POST', '/releases', {
          body: releaseBody({
            classification: 'minor',
            services: [
              { service: 'payments-api', version: '4.2.0' },
              { service: 'ledger', version: '3.2.0' },
            ],
          }),
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        key = created.body.key;
        for (const service of ['ledger', 'payments-api']) {
          const deployed = await server.call('POST', `/releases/${key}/deployments`, {
            body: {
              service,
              environment: 'prod',
              region: 'eu-west',
              status: 'succeeded',
              startedAt: new Date(MARKER - 600_000).toISOString(),
              finishedAt: new Date(MARKER).toISOString(),
              historyImport: 'deployed before the test looked',
            },
          });
          assert.equal(deployed.status, 201, JSON.stringify(deployed.body));
        }
      });
      after(() => server?.close());

      const watches = async () => {
        const response = await server.call('GET', `/releases/${key}/hypercare`);
        assert.equal(response.status, 200, JSON.stringify(response.body));
        return Object.fromEntries(response.body.map((w: any) => [w.service, w]));
      };

      test('each successful production deployment opens a watch for its class window', async () => {
        const open = await watches();
        assert.deepEqual(Object.keys(open).sort(), ['ledger', 'payments-api']);
        assert.equal(open['ledger'].status, 'watching');
        assert.equal(open['ledger'].markerAt, new Date(MARKER).toISOString());
        assert.equal(
          Date.parse(open['ledger'].endsAt) - MARKER,
          24 * 3600_000,
          'a minor release is watched for 24 hours',
        );
      });

      test('the check finds the regression and leaves the steady service watching', async () => {
        const run = await server.call('POST', '/hypercare/checks', { body: {} });
        assert.equal(run.status, 200, JSON.stringify(run.body));
        const mine = run.body.concluded.filter((c: any) => c.release === key);
        assert.deepEqual(
          mine.map((c: any) => `${c.service}:${c.status}`),
          ['payments-api:regression'],
        );
        const after = await watches();
        assert.equal(after['payments-api'].status, 'regression');
        assert.equal(after['payments-api'].metrics[0].status, 'regression');
        assert.match(
          after['payments-api'].metrics[0].reason,
          /moved up from its pre-deployment median/,
        );
        assert.equal(after['ledger'].status, 'watching');
        assert.equal(after['ledger'].metrics[0].status, 'stable');
        const audit = await server.call('GET', '/audit?limit=500');
        assert.ok(
          audit.body.items.some(
            (e: any) => e.action === 'hypercare.regression-detected' && e.subjectId === key,
          ),
        );
      });

      test('when the window ends with the metric steady the watch closes stable', async () => {
        const later = new Date(MARKER + 25 * 3600_000);
        const result = await checkHypercareWatches(
          { ...server.running.app, clock: () => later },
          SYSTEM_ACTOR,
        );
        assert.deepEqual(
          result.concluded.filter((c) => c.release === key).map((c) => `${c.service}:${c.status}`),
          ['ledger:stable'],
        );
        assert.equal((await watches())['ledger'].status, 'stable');
      });

      test('history past its window opens no watch; a viewer may not run the check', async () => {
        const old = await server.call('POST', '/releases', { body: releaseBody() });
        await server.call('POST', `/releases/${old.body.key}/deployments`, {
          body: {
            service: 'payments-api',
            environment: 'prod',
            region: 'eu-west',
            status: 'succeeded',
            startedAt: new Date(Date.now() - 4 * 86_400_000).toISOString(),
            finishedAt: new Date(Date.now() - 4 * 86_400_000 + 600_000).toISOString(),
            historyImport: 'last week',
          },
        });
        assert.deepEqual(
          (await server.call('GET', `/releases/${old.body.key}/hypercare`)).body,
          [],
        );
        await server.call('POST', '/users', { body: { name: 'vic', roles: ['viewer'] } });
        const token = (await server.call('POST', '/tokens', { body: { name: 't', user: 'vic' } }))
          .body.token;
        const refused = await server.call('POST', '/hypercare/checks', { body: {}, token });
        assert.equal(refused.status, 403);
      });
    });
  }
});
