/**
 * Real-user monitoring as canary input over HTTP, on both engines: batches of browser
 * beacons tagged by version become baseline and canary samples, and the judge fails a
 * canary whose pages paint later while passing one that measures the same. Out-of-range
 * or unattributable beacons refuse the whole batch with nothing written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { seededRandom } from './support/seeded-random.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const CONFIG = {
  minSamples: 20,
  metrics: [
    { name: 'rum.lcp', direction: 'increase', critical: true },
    { name: 'rum.inp', direction: 'increase' },
    { name: 'rum.cls', direction: 'increase' },
    { name: 'rum.js-error-rate', direction: 'increase', allowedIncrease: 0.5 },
  ],
};
const CANARY = '2.4.0'; // releaseBody's payments-api version
const BASELINE = '2.3.9';

for (const engine of await engines()) {
  describe(`real-user monitoring on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let release: string;
    const random = seededRandom(2024);
    const beacons = (version: string, n: number, lcpMean: number) =>
      Array.from({ length: n }, () => ({
        version,
        lcp: Math.max(0, Math.round(lcpMean + 250 * random.normal())),
        inp: Math.max(0, Math.round(120 + 20 * random.normal())),
        cls: Math.max(0, Number((0.05 + 0.01 * random.normal()).toFixed(4))),
        jsErrors: random.next() < 0.02 ? 1 : 0,
      }));
    const start = async (config: unknown = CONFIG) => {
      const response = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: { service: 'payments-api', environment: 'prod', judge: 'fixed', config },
      });
      assert.equal(response.status, 201, JSON.stringify(response.body));
      return response.body.id as string;
    };
    const push = (id: string, body: unknown) =>
      server.call('POST', `/canary-analyses/${id}/rum-beacons`, { body });
    const judge = async (id: string) => {
      const verdict = await server.call('POST', `/canary-analyses/${id}/verdicts`, { body: {} });
      assert.equal(verdict.status, 201, JSON.stringify(verdict.body));
      return verdict.body;
    };

    before(async () => {
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      release = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
    });
    after(() => server?.close());

    test('a canary whose pages paint later is judged failing on LCP', async () => {
      const id = await start();
      for (let batch = 0; batch < 3; batch += 1) {
        const pushed = await push(id, {
          baselineVersion: BASELINE,
          beacons: [...beacons(BASELINE, 40, 2000), ...beacons(CANARY, 40, 2900)],
        });
        assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
        assert.equal(pushed.body.samples.canary['rum.lcp'], 40 * (batch + 1));
        assert.equal(pushed.body.samples.baseline['rum.inp'], 40 * (batch + 1));
      }
      const verdict = await judge(id);
      assert.equal(verdict.outcome, 'fail');
      assert.equal(verdict.decision, 'roll-back');
      const lcp = verdict.metrics.find((m: any) => m.metric === 'rum.lcp');
      assert.equal(lcp.outcome, 'high');
      assert.equal(lcp.canary.count, 120);
    });

    test('a canary measuring the same as the baseline passes', async () => {
      const id = await start();
      const pushed = await push(id, {
        beacons: [...beacons(BASELINE, 120, 2000), ...beacons(CANARY, 120, 2000)],
      });
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
      const verdict = await judge(id);
      assert.equal(verdict.outcome, 'pass', verdict.reason);
      assert.equal(verdict.decision, 'promote');
    });

    test('out-of-range values, unknown versions and empty beacons refuse the batch; nothing written', async () => {
      const id = await start();
      const cases: Array<[unknown, string]> = [
        [{ beacons: [{ version: CANARY, lcp: -5 }] }, '/body/beacons/0/lcp'],
        [{ beacons: [{ version: CANARY, cls: 101 }] }, '/body/beacons/0/cls'],
        [{ beacons: [{ version: CANARY, jsErrors: 1.5 }] }, '/body/beacons/0/jsErrors'],
        [{ beacons: [{ version: CANARY, fid: 3 }] }, '/body/beacons/0/fid'],
        [{ beacons: [] }, '/body/beacons'],
        [
          {
            baselineVersion: BASELINE,
            beacons: [
              { version: CANARY, lcp: 1000 },
              { version: '1.0.0', lcp: 1000 },
            ],
          },
          '/body/beacons/1/version',
        ],
        [{ beacons: [{ version: CANARY, lcp: 1000 }, { version: CANARY }] }, '/body/beacons/1'],
      ];
      for (const [body, field] of cases) {
        const response = await push(id, body);
        assert.equal(response.status, 400, JSON.stringify(response.body));
        assert.ok(
          response.body.errors.some((e: any) => e.field === field),
          `${field}: ${JSON.stringify(response.body)}`,
        );
      }
      const held = await server.call('GET', `/canary-analyses/${id}`);
      assert.deepEqual(held.body.samples, { baseline: {}, canary: {} });
    });

    test('an analysis that judges no RUM metric, or calls one higher-is-better, is refused', async () => {
      const none = await start({ metrics: [{ name: 'latency_ms', direction: 'increase' }] });
      const refused = await push(none, { beacons: [{ version: CANARY, lcp: 1000 }] });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.errors[0].field, '/config/metrics');
      const wrong = await start({ metrics: [{ name: 'rum.lcp', direction: 'decrease' }] });
      const response = await push(wrong, { beacons: [{ version: CANARY, lcp: 1000 }] });
      assert.equal(response.status, 400);
      assert.equal(response.body.errors[0].field, '/config/metrics/0/direction');
      assert.match(response.body.errors[0].reason, /lower-is-better/);
    });
  });
}
