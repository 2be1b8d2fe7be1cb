/**
 * What operators rely on, on SQLite and on PostgreSQL: readiness that follows the store
 * and its schema, Prometheus metrics by route pattern with their access rule, and
 * request ids that follow a request from the caller to the answer.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../src/app/context.js';
import { JobScheduler } from '../src/app/scheduler/jobScheduler.js';
import { buildServer } from '../src/http/server.js';
import { openStore, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { engines, type Scratch } from './support/engines.js';
import { metricValue } from './support/metrics.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

/** A server built (not listening) over a store the test controls, answered through inject. */
async function serverOver(store: Store, options: { metricsPublic?: boolean } = {}) {
  const app: App = { store, clock: () => new Date() };
  const server = await buildServer(app, options);
  return { app, server };
}

describe('readiness when the store is unreachable', () => {
  test('a PostgreSQL nobody listens on: 503 store-unavailable, liveness still 200', async () => {
    const store = openStore('postgres://gatehouse:hunter2@127.0.0.1:1/gatehouse');
    const { server } = await serverOver(store);
    try {
      const ready = await server.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 503);
      assert.match(ready.headers['content-type'] as string, /^application\/problem\+json/);
      const body = ready.json();
      assert.equal(body.code, 'store-unavailable');
      assert.doesNotMatch(body.detail, /hunter2/, 'the password is not in the answer');
      assert.equal((await server.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

for (const engine of await engines()) {
  describe(`operations on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;

    before(async () => {
      scratch = await engine.scratch();
    });
    after(async () => {
      await scratch?.drop();
    });

    test('readyz: 503 before migrations, 200 after, 503 once the store is closed', async () => {
      const store = openStore(scratch.url);
      const { server } = await serverOver(store);
      const before = await server.inject({ method: 'GET', url: '/readyz' });
      assert.equal(before.statusCode, 503, before.body);
      assert.equal(before.json().code, 'migrations-pending');
      assert.match(before.json().detail, /0001_foundation/);

      await migrateToLatest(store);
      const ready = await server.inject({ method: 'GET', url: '/readyz' });
      assert.equal(ready.statusCode, 200, ready.body);
      assert.deepEqual(ready.json(), { status: 'ready' });

      await store.close();
      const closed = await server.inject({ method: 'GET', url: '/readyz' });
      assert.equal(closed.statusCode, 503, closed.body);
      assert.equal(closed.json().code, 'store-unavailable');
      await server.close();
    });

    test('request ids: a valid X-Request-Id is echoed, a bad one replaced; a 500 quotes it', async () => {
      const store = openStore(scratch.url);
      const { server } = await serverOver(store);
      server.get('/boom', { config: { public: true } }, async () => {
        throw new Error('exploded');
      });
      try {
        const echoed = await server.inject({
          method: 'GET',
          url: '/healthz',
          headers: { 'x-request-id': 'lb-7f3a:42' },
        });
        assert.equal(echoed.headers['x-request-id'], 'lb-7f3a:42');

        for (const bad of ['has space', 'x'.repeat(129), 'tab\there']) {
          const replaced = await server.inject({
            method: 'GET',
            url: '/healthz',
            headers: { 'x-request-id': bad },
          });
          const id = replaced.headers['x-request-id'] as string;
          assert.notEqual(id, bad);
          assert.match(id, /^[0-9a-f-]{36}$/);
        }

        const refused = await server.inject({ method: 'GET', url: '/releases' });
        assert.equal(refused.statusCode, 401);
        assert.match(refused.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);

        const failed = await server.inject({
          method: 'GET',
          url: '/boom',
          headers: { 'x-request-id': 'trace-500' },
        });
        assert.equal(failed.statusCode, 500);
        assert.equal(failed.json().requestId, 'trace-500');
        assert.match(failed.json().detail, /trace-500/);
        assert.doesNotMatch(failed.body, /exploded/, 'the cause stays in the log');
      } finally {
        await server.close();
        await store.close();
      }
    });

    describe('metrics', () => {
      let server: TestServer;
      let viewerToken: string;

      before(async () => {
        server = await startTestServer(engine);
        assert.equal(
          (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
          200,
        );
        await server.call('POST', '/users', { body: { name: 'vera', roles: ['viewer'] } });
        viewerToken = (await server.call('POST', '/tokens', { body: { name: 't', user: 'vera' } }))
          .body.token;
      });
      after(async () => server?.close());

      test('need a token of a role that may read the audit log (unless made public)', async () => {
        assert.equal((await server.call('GET', '/metrics', { token: null })).status, 401);
        const viewer = await server.call('GET', '/metrics', { token: viewerToken });
        assert.equal(viewer.status, 403);
        assert.ok(viewer.body.requiredRoles.includes('auditor'));

        const publicStore = openStore(scratch.url);
        const open = await serverOver(publicStore, { metricsPublic: true });
        try {
          const scraped = await open.server.inject({ method: 'GET', url: '/metrics' });
          assert.equal(scraped.statusCode, 200);
          assert.match(scraped.body, /^# HELP /m);
        } finally {
          await open.server.close();
          await publicStore.close();
        }
      });

      test('durations by route pattern and status class, product counters, process metrics', async () => {
        const created = await server.call('POST', '/releases', { body: releaseBody() });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const key = created.body.key as string;
        const gate = await server.call('GET', `/releases/${key}/gates/sit`);
        assert.equal(gate.status, 200, JSON.stringify(gate.body));
        assert.equal((await server.call('GET', '/releases/REL-98765')).status, 404);
        assert.equal((await server.call('GET', '/no/such/route-x1')).status, 404);

        // A request is observed when its response has finished on the server, which can
        // be a moment after the client has read it: scrape until the last one is in.
        let scraped = await server.call('GET', '/metrics');
        for (let attempt = 0; attempt < 50 && !/route="unmatched"/.test(scraped.body); attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          scraped = await server.call('GET', '/metrics');
        }
        assert.equal(scraped.status, 200);
        assert.match(scraped.headers.get('content-type') ?? '', /^text\/plain/);
        const text = scraped.body as string;

        assert.match(text, /^process_cpu_user_seconds_total /m);
        assert.match(text, /^nodejs_eventloop_lag_seconds /m);
        const count = (method: string, route: string, status: string) =>
          metricValue(
            text,
            new RegExp(
              `^gatehouse_http_request_duration_seconds_count\\{method="${method}",route="${route.replace(/[/:]/g, (c) => `\\${c}`)}",status="${status}"\\}`,
            ),
          );
        assert.equal(count('POST', '/releases', '2xx'), 1);
        assert.equal(count('GET', '/releases/:id/gates/:environment', '2xx'), 1);
        assert.equal(count('GET', '/releases/:id', '4xx'), 1);
        assert.equal(count('GET', 'unmatched', '4xx'), 1);
        assert.doesNotMatch(text, /REL-98765|route-x1/, 'never the raw URL');

        assert.equal(
          metricValue(
            text,
            new RegExp(`^gatehouse_gate_checks_total\\{verdict="${gate.body.verdict}"\\}`),
          ),
          1,
        );
        const chain = await server.call('GET', '/audit/verify');
        assert.equal(metricValue(text, /^gatehouse_audit_entries /), chain.body.headSeq);
      });

      test('scheduled job runs by job and outcome', async () => {
        const scheduler = new JobScheduler(
          server.running.app,
          { error: () => undefined },
          server.running.server.metrics.jobRan,
        );
        scheduler.registerJob('ops-test-ok', 60_000, async () => undefined);
        scheduler.registerJob('ops-test-broken', 60_000, async () => {
          throw new Error('no');
        });
        assert.equal(await scheduler.runOnce('ops-test-ok'), true);
        assert.equal(await scheduler.runOnce('ops-test-ok'), true);
        assert.equal(await scheduler.runOnce('ops-test-broken'), true);
        await scheduler.stop();
        const text = (await server.call('GET', '/metrics')).body as string;
        const runs = (job: string, outcome: string) =>
          metricValue(
            text,
            new RegExp(
              `^gatehouse_scheduler_job_runs_total\\{job="${job}",outcome="${outcome}"\\}`,
            ),
          );
        assert.equal(runs('ops-test-ok', 'ok'), 2);
        assert.equal(runs('ops-test-broken', 'failed'), 1);
        assert.equal(runs('ops-test-broken', 'ok'), undefined);
      });

      test('flushes to stable storage: timed on SQLite, where the store makes them', async () => {
        const flushCount = async () =>
          metricValue(
            (await server.call('GET', '/metrics')).body as string,
            /^gatehouse_sqlite_flush_seconds_count /,
          );
        const before = await flushCount();
        const created = await server.call('POST', '/releases', { body: releaseBody() });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        const after = await flushCount();
        if (engine.name === 'postgres') {
          // PostgreSQL flushes inside its own COMMIT (pg_stat_wal): no series here.
          assert.equal(before, undefined);
          assert.equal(after, undefined);
        } else {
          assert.ok(before !== undefined && after !== undefined, 'the series is there');
          assert.ok(after >= before + 1, `the write's flush was timed (${before} → ${after})`);
        }
      });

      test('the probes and metrics are in the OpenAPI document', async () => {
        const spec = (await server.call('GET', '/openapi.json', { token: null })).body;
        for (const path of ['/healthz', '/readyz', '/metrics']) assert.ok(spec.paths[path], path);
        assert.ok(spec.paths['/readyz'].get.responses['503']);
        assert.deepEqual(spec.paths['/readyz'].get.security, []);
      });
    });
  });
}
