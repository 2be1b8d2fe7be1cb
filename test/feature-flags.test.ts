/**
 * Feature-flag rollouts over HTTP, on both engines, read through the published OFREP
 * OpenFeature provider from a flag service on a loopback port: exposure changes become
 * rollout steps (an unchanged reading records nothing), unknown flags are a clear 400,
 * and a canary analysis judges flag-on against flag-off cohorts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { engines } from './support/engines.js';
import { startOfrepServer, type OfrepServer } from './support/ofrep-server.js';
import { runCli } from './support/process.js';
import { seededRandom } from './support/seeded-random.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

for (const engine of await engines()) {
  describe(`feature-flag rollouts on ${engine.name}`, { skip: engine.skip }, () => {
    let flags: OfrepServer;
    let server: TestServer;
    let release: string;
    const random = seededRandom(7);
    const series = (n: number, mean: number, sd: number) =>
      Array.from({ length: n }, () => Number((mean + sd * random.normal()).toFixed(3)));
    const observe = (flag: string) =>
      server.call('POST', `/releases/${release}/flag-steps`, { body: { flag } });

    before(async () => {
      flags = await startOfrepServer();
      server = await startTestServer(engine, { flagsOfrepUrl: flags.url });
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      release = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
    });
    after(async () => {
      await server?.close();
      await flags?.close();
    });

    test('exposure changes are recorded as ordered rollout steps, audited; an unchanged reading is not', async () => {
      flags.flags.set('new-checkout', { enabled: false, percent: 0 });
      const off = await observe('new-checkout');
      assert.equal(off.status, 200, JSON.stringify(off.body));
      assert.deepEqual(
        [
          off.body.changed,
          off.body.step.step,
          off.body.step.enabled,
          off.body.step.exposurePercent,
        ],
        [true, 1, false, 0],
      );
      assert.equal(off.body.step.provider, 'OpenFeature Remote Evaluation Protocol Server');

      flags.flags.set('new-checkout', { enabled: true, percent: 25 });
      const quarter = await observe('new-checkout');
      assert.equal(quarter.body.changed, true);
      assert.equal(quarter.body.step.step, 2);
      assert.equal(quarter.body.step.enabled, true);
      // Measured over 200 probe users: near 25 %, never exact by construction.
      assert.ok(
        Math.abs(quarter.body.step.exposurePercent - 25) <= 8,
        String(quarter.body.step.exposurePercent),
      );
      const again = await observe('new-checkout');
      assert.equal(again.body.changed, false);
      assert.equal(again.body.step.step, 2);

      flags.flags.set('new-checkout', { enabled: true, percent: 100 });
      const full = await observe('new-checkout');
      assert.equal(full.body.step.exposurePercent, 100);

      const steps = await server.call('GET', `/releases/${release}/flag-steps`);
      assert.deepEqual(
        steps.body.map((s: any) => [s.step, s.enabled]),
        [
          [1, false],
          [2, true],
          [3, true],
        ],
      );
      const audit = await server.call('GET', `/audit?subjectType=release&subjectId=${release}`);
      const recorded = (audit.body.items ?? audit.body).filter(
        (e: any) => e.action === 'rollout.flag-step-recorded',
      );
      assert.equal(recorded.length, 3);
    });

    test('an unknown flag is a 400 naming the flag, and nothing is recorded', async () => {
      const before = (await server.call('GET', `/releases/${release}/flag-steps`)).body.length;
      const response = await observe('no-such-flag');
      assert.equal(response.status, 400, JSON.stringify(response.body));
      assert.equal(response.body.code, 'unknown-flag');
      assert.equal(response.body.errors[0].field, '/flag');
      assert.match(response.body.detail, /no-such-flag is not a flag the flag service/);
      const bad = await observe('bad key with spaces');
      assert.equal(bad.status, 400);
      assert.equal(bad.body.errors[0].field, '/body/flag');
      assert.equal(
        (await server.call('GET', `/releases/${release}/flag-steps`)).body.length,
        before,
      );
    });

    test('the CLI observes a flag, prints the step, lists steps, and exits 2 on an unknown flag', async () => {
      const env = { GATEHOUSE_URL: server.url, GATEHOUSE_TOKEN: server.adminToken };
      flags.flags.set('dark-mode', { enabled: true, percent: 100 });
      const observed = await runCli(['flag', 'observe', release, 'dark-mode'], env);
      assert.equal(observed.code, 0, observed.stderr);
      assert.match(observed.stdout, /step 1 recorded: dark-mode on, exposure 100 %/);
      const again = await runCli(['flag', 'observe', release, 'dark-mode'], env);
      assert.match(again.stdout, /unchanged since step 1/);
      const listed = await runCli(['flag', 'steps', release, '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      const steps = JSON.parse(listed.stdout) as Array<{ flag: string; exposurePercent: number }>;
      assert.deepEqual(
        steps.filter((s) => s.flag === 'dark-mode').map((s) => s.exposurePercent),
        [100],
      );
      const unknown = await runCli(['flag', 'observe', release, 'ghost-flag'], env);
      assert.equal(unknown.code, 2, unknown.stdout);
      assert.match(unknown.stderr, /ghost-flag is not a flag/);
    });

    test('flag-on users with slower responses fail the canary against flag-off users', async () => {
      const analysis = await server.call('POST', `/releases/${release}/canary-analyses`, {
        body: {
          service: 'payments-api',
          environment: 'prod',
          judge: 'fixed',
          config: { metrics: [{ name: 'latency_ms', direction: 'increase', critical: true }] },
        },
      });
      assert.equal(analysis.status, 201, JSON.stringify(analysis.body));
      const pushed = await server.call(
        'POST',
        `/canary-analyses/${analysis.body.id}/cohort-samples`,
        {
          body: {
            flag: 'new-checkout',
            cohorts: {
              'flag-on': { latency_ms: series(60, 260, 10) },
              'flag-off': { latency_ms: series(60, 200, 10) },
            },
          },
        },
      );
      assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
      assert.deepEqual(pushed.body.samples, {
        baseline: { latency_ms: 60 },
        canary: { latency_ms: 60 },
      });
      const verdict = await server.call('POST', `/canary-analyses/${analysis.body.id}/verdicts`, {
        body: {},
      });
      assert.equal(verdict.body.outcome, 'fail');
      const unknownCohort = await server.call(
        'POST',
        `/canary-analyses/${analysis.body.id}/cohort-samples`,
        {
          body: { flag: 'new-checkout', cohorts: { 'flag-maybe': { latency_ms: [1] } } },
        },
      );
      assert.equal(unknownCohort.status, 400);
    });
  });
}

describe('feature-flag rollouts without a flag service', () => {
  test('observing a flag says how to configure one', async () => {
    const [engine] = await engines();
    const server = await startTestServer(engine!);
    try {
      await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      const key = (await server.call('POST', '/releases', { body: releaseBody() })).body.key;
      const response = await server.call('POST', `/releases/${key}/flag-steps`, {
        body: { flag: 'x' },
      });
      assert.equal(response.status, 409);
      assert.match(response.body.detail, /--flags-ofrep-url/);
    } finally {
      await server.close();
    }
  });
});
