/**
 * The HTTP API end to end, on a real port, on SQLite and on PostgreSQL: authentication,
 * the catalog, releases and their lifecycle, optimistic concurrency, the audit chain,
 * and every kind of bad input answered with a problem document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { engines } from './support/engines.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

function assertProblem(
  response: { status: number; body: any; headers: Headers },
  status: number,
  field?: string,
): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
  assert.equal(response.body.status, status);
  assert.equal(typeof response.body.detail, 'string');
  assert.equal(typeof response.body.code, 'string');
  assert.doesNotMatch(JSON.stringify(response.body), /at .*\.(ts|js):\d+/, 'no stack trace');
  if (field)
    assert.ok(
      response.body.errors?.some((e: { field: string }) => e.field === field),
      `expected a problem for ${field}: ${JSON.stringify(response.body.errors)}`,
    );
}

for (const engine of await engines()) {
  describe(`HTTP API on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let viewerToken: string;
    let deployerToken: string;

    before(async () => {
      server = await startTestServer(engine);
      const applied = await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      assert.equal(applied.status, 200, JSON.stringify(applied.body));
      for (const [name, roles] of [
        ['vera', ['viewer']],
        ['dan', ['deployer']],
      ] as const) {
        assert.equal((await server.call('POST', '/users', { body: { name, roles } })).status, 201);
      }
      viewerToken = (await server.call('POST', '/tokens', { body: { name: 'test', user: 'vera' } }))
        .body.token;
      deployerToken = (
        await server.call('POST', '/tokens', { body: { name: 'test', user: 'dan' } })
      ).body.token;
    });
    after(async () => server?.close());

    describe('access', () => {
      test('no token: 401 saying what is missing', async () => {
        const response = await server.call('GET', '/releases', { token: null });
        assertProblem(response, 401);
        assert.match(response.body.detail, /Authorization: Bearer/);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
      });

      test('an unknown token: 401', async () => {
        const response = await server.call('GET', '/releases', { token: 'gth_not-a-real-token' });
        assertProblem(response, 401);
        assert.match(response.body.detail, /not known/);
      });

      test('a role without the right: 403 naming the roles that have it', async () => {
        const response = await server.call('POST', '/releases', {
          body: releaseBody(),
          token: viewerToken,
        });
        assertProblem(response, 403);
        assert.match(response.body.detail, /vera may not create releases/);
        assert.ok(response.body.requiredRoles.includes('release-manager'));
      });

      test('tokens are stored only as hashes', async () => {
        const rows = await server.running.app.store.db
          .selectFrom('api_tokens')
          .select(['token_hash', 'prefix'])
          .execute();
        assert.ok(rows.length >= 3);
        for (const row of rows) {
          assert.match(row.token_hash, /^[0-9a-f]{64}$/);
          assert.notEqual(row.token_hash, viewerToken);
        }
      });

      test('/me says who the token acts for', async () => {
        const response = await server.call('GET', '/me', { token: deployerToken });
        assert.deepEqual(response.body, { name: 'dan', roles: ['deployer'] });
      });
    });

    describe('catalog', () => {
      test('applying the same document again changes nothing', async () => {
        const response = await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
        assert.equal(response.status, 200);
        assert.deepEqual(response.body.summary, { created: 0, updated: 0, unchanged: 9 });
      });

      test('a changed field is reported by name', async () => {
        const changed = structuredClone(TEST_CATALOG);
        changed.services[2]!.tier = 1;
        const dry = await server.call('POST', '/catalog/apply?dryRun=true', { body: changed });
        assert.deepEqual(
          dry.body.changes.find((c: { name: string }) => c.name === 'payments-api'),
          { kind: 'service', name: 'payments-api', change: 'updated', fields: ['tier'] },
        );
        assert.equal(
          (await server.call('GET', '/services/payments-api')).body.tier,
          2,
          'dry run wrote nothing',
        );
        await server.call('POST', '/catalog/apply', { body: changed });
        assert.equal((await server.call('GET', '/services/payments-api')).body.tier, 1);
        await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
      });

      test('a dependency cycle is refused with the cycle named, and nothing is written', async () => {
        const cyclic = structuredClone(TEST_CATALOG) as any;
        cyclic.teams.push({ name: 'growth' });
        cyclic.services[0].dependsOn = ['payments-api'];
        const response = await server.call('POST', '/catalog/apply', { body: cyclic });
        assertProblem(response, 400);
        assert.equal(response.body.code, 'dependency-cycle');
        assert.match(response.body.detail, /auth → payments-api → (ledger → )?auth/);
        const catalog = await server.call('GET', '/catalog');
        assert.ok(
          !catalog.body.teams.some((t: { name: string }) => t.name === 'growth'),
          'half a catalog was written',
        );
      });

      test('unknown references and duplicates are each named', async () => {
        const response = await server.call('POST', '/catalog/apply', {
          body: {
            services: [
              {
                name: 'x',
                team: 'nobody',
                tier: 3,
                customerFacing: false,
                dataSensitivity: 'internal',
                dependsOn: ['ghost'],
              },
            ],
            environments: [
              { name: 'sit', position: 1 },
              { name: 'sit', position: 9 },
            ],
          },
        });
        assertProblem(response, 400, '/services/0/team');
        assert.ok(
          response.body.errors.some(
            (e: { field: string }) => e.field === '/services/0/dependsOn/0',
          ),
        );
        assert.ok(
          response.body.errors.some((e: { reason: string }) =>
            /'sit' appears more than once/.test(e.reason),
          ),
        );
      });

      test('a tier out of range and an unknown field are refused by the schema', async () => {
        const response = await server.call('POST', '/catalog/apply', {
          body: {
            services: [
              {
                name: 'x',
                team: 'payments',
                tier: 7,
                customerFacing: false,
                dataSensitivity: 'internal',
                colour: 'red',
              },
            ],
          },
        });
        assertProblem(response, 400, '/body/services/0/tier');
        assert.ok(
          response.body.errors.some(
            (e: { field: string }) => e.field === '/body/services/0/colour',
          ),
        );
      });

      test('a service shows what depends on it', async () => {
        const response = await server.call('GET', '/services/auth');
        assert.deepEqual(response.body.dependents, ['ledger', 'payments-api']);
      });
    });

    describe('releases', () => {
      test('create, read by key, and list', async () => {
        const created = await server.call('POST', '/releases', { body: releaseBody() });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.match(created.body.key, /^REL-\d+$/);
        assert.equal(created.body.state, 'plan');
        assert.equal(created.body.changeType, 'normal');
        assert.equal(created.body.requester, 'admin');
        assert.equal(created.headers.get('etag'), '"1"');
        assert.equal(created.headers.get('location'), `/releases/${created.body.key}`);
        const read = await server.call('GET', `/releases/${created.body.key.toLowerCase()}`);
        assert.equal(read.status, 200);
        assert.deepEqual(read.body, created.body);
        const byId = await server.call('GET', `/releases/${created.body.id}`);
        assert.equal(byId.body.key, created.body.key);
        const list = await server.call('GET', '/releases?service=payments-api&state=plan');
        assert.ok(list.body.items.some((r: { id: string }) => r.id === created.body.id));
      });

      test('the lifecycle moves forward through its checks and records history', async () => {
        const { body: release } = await server.call('POST', '/releases', { body: releaseBody() });
        for (const to of ['prepare', 'test', 'approve', 'deploy']) {
          const moved = await server.call('POST', `/releases/${release.key}/transitions`, {
            body: { to },
          });
          assert.equal(moved.status, 200, JSON.stringify(moved.body));
          assert.equal(moved.body.release.state, to);
          assert.ok(moved.body.evaluation.checks.every((c: { passed: boolean }) => c.passed));
        }
        const early = await server.call('POST', `/releases/${release.key}/transitions`, {
          body: { to: 'verify' },
        });
        assertProblem(early, 409);
        assert.deepEqual(
          early.body.failedChecks.map((c: { check: string }) => c.check),
          ['deployed-to-production'],
        );
        const deployment = await server.call('POST', `/releases/${release.key}/deployments`, {
          body: {
            service: 'payments-api',
            environment: 'prod',
            region: 'eu-west',
            status: 'succeeded',
            // This release does not pass its production gate; the lifecycle is the subject
            // here, so its deployment is recorded as history (by the admin, who may).
            historyImport: 'lifecycle test: deployed outside the gate',
          },
        });
        assert.equal(deployment.status, 201, JSON.stringify(deployment.body));
        assert.equal(
          (
            await server.call('POST', `/releases/${release.key}/transitions`, {
              body: { to: 'verify' },
              token: deployerToken,
            })
          ).status,
          200,
        );
        assert.equal(
          (
            await server.call('POST', `/releases/${release.key}/transitions`, {
              body: { to: 'closed' },
            })
          ).status,
          200,
        );
        const history = await server.call('GET', `/releases/${release.key}/transitions`);
        assert.deepEqual(
          history.body.map((h: { to: string }) => h.to),
          ['prepare', 'test', 'approve', 'deploy', 'verify', 'closed'],
        );
        const finished = await server.call('POST', `/releases/${release.key}/transitions`, {
          body: { to: 'plan' },
        });
        assertProblem(finished, 409);
        assert.match(finished.body.detail, /finished and cannot move/);
      });

      test('a refused transition answers 409 with every failed check and changes nothing', async () => {
        const { body: release } = await server.call('POST', '/releases', {
          body: releaseBody({ services: [], justification: '' }),
        });
        const refused = await server.call('POST', `/releases/${release.key}/transitions`, {
          body: { to: 'prepare' },
        });
        assertProblem(refused, 409);
        assert.deepEqual(
          refused.body.failedChecks.map((c: { check: string }) => c.check),
          ['services-listed', 'justification-present'],
        );
        assert.match(refused.body.detail, /cannot move from Plan to Prepare/);
        const after = await server.call('GET', `/releases/${release.key}`);
        assert.equal(after.body.state, 'plan');
        assert.equal(after.body.revision, 1);
        const preview = await server.call('GET', `/releases/${release.key}/next-states`);
        assert.deepEqual(
          preview.body.map((e: { to: string; allowed: boolean }) => [e.to, e.allowed]),
          [
            ['prepare', false],
            ['cancelled', true],
          ],
        );
      });

      test('PATCH needs If-Match and refuses a stale revision', async () => {
        const { body: release } = await server.call('POST', '/releases', { body: releaseBody() });
        assertProblem(
          await server.call('PATCH', `/releases/${release.key}`, { body: { title: 'x' } }),
          428,
        );
        const ok = await server.call('PATCH', `/releases/${release.key}`, {
          body: { title: 'Payments API 2.4 (Apple Pay)' },
          headers: { 'if-match': '"1"' },
        });
        assert.equal(ok.status, 200, JSON.stringify(ok.body));
        assert.equal(ok.body.revision, 2);
        assert.equal(ok.headers.get('etag'), '"2"');
        const stale = await server.call('PATCH', `/releases/${release.key}`, {
          body: { title: 'lost update' },
          headers: { 'if-match': '"1"' },
        });
        assertProblem(stale, 412);
        assert.equal(
          (await server.call('GET', `/releases/${release.key}`)).body.title,
          'Payments API 2.4 (Apple Pay)',
        );
        assertProblem(
          await server.call('PATCH', `/releases/${release.key}`, {
            body: { title: 'x' },
            headers: { 'if-match': 'yesterday' },
          }),
          400,
        );
      });

      test('pagination walks every release exactly once', async () => {
        for (let i = 0; i < 5; i++)
          await server.call('POST', '/releases', { body: releaseBody({ title: `page ${i}` }) });
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } =
            await server.call('GET', `/releases?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
          seen.push(...page.body.items.map((r) => r.id));
          cursor = page.body.nextCursor;
        } while (cursor);
        const all = await server.call('GET', '/releases?limit=500');
        assert.equal(seen.length, all.body.items.length);
        assert.equal(new Set(seen).size, seen.length);
        assertProblem(await server.call('GET', '/releases?cursor=bm9wZQ'), 400, '/query/cursor');
      });
    });

    describe('bad input', () => {
      test('unknown fields, wrong types and missing fields name the field', async () => {
        assertProblem(
          await server.call('POST', '/releases', { body: { ...releaseBody(), colour: 'red' } }),
          400,
          '/body/colour',
        );
        assertProblem(
          await server.call('POST', '/releases', {
            body: { ...releaseBody(), classification: 'huge' },
          }),
          400,
          '/body/classification',
        );
        assertProblem(
          await server.call('POST', '/releases', {
            body: { ...releaseBody(), services: 'payments-api' },
          }),
          400,
          '/body/services',
        );
        const { title: _title, ...untitled } = releaseBody();
        assertProblem(
          await server.call('POST', '/releases', { body: untitled }),
          400,
          '/body/title',
        );
        assertProblem(
          await server.call('POST', '/releases', {
            body: { ...releaseBody(), plannedWindow: { start: 'tomorrow', end: 'later' } },
          }),
          400,
          '/body/plannedWindow/start',
        );
        assertProblem(await server.call('GET', '/releases?limit=0'), 400, '/querystring/limit');
      });

      test('domain problems name the field too', async () => {
        assertProblem(
          await server.call('POST', '/releases', {
            body: releaseBody({ services: [{ service: 'nope', version: '1' }] }),
          }),
          400,
          '/services/0/service',
        );
        const start = new Date().toISOString();
        assertProblem(
          await server.call('POST', '/releases', {
            body: releaseBody({ plannedWindow: { start, end: start } }),
          }),
          400,
          '/plannedWindow/end',
        );
        assertProblem(
          await server.call('POST', '/releases', { body: releaseBody({ team: 'ghosts' }) }),
          400,
          '/team',
        );
      });

      test('malformed JSON, wrong media type, oversized body', async () => {
        assertProblem(await server.call('POST', '/releases', { body: '{"title": ' }), 400);
        assertProblem(
          await server.call('POST', '/releases', {
            body: 'title=x',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
          415,
        );
        assertProblem(
          await server.call('POST', '/releases', {
            body: JSON.stringify({ ...releaseBody(), justification: 'x'.repeat(2 * 1024 * 1024) }),
          }),
          413,
        );
        assertProblem(
          await server.call('POST', '/releases', { body: '{"__proto__": {"admin": true}}' }),
          400,
        );
        const deep = await server.call('POST', '/catalog/apply', {
          body: '['.repeat(100) + ']'.repeat(100),
        });
        assertProblem(deep, 400, '/body');
        assert.equal(deep.body.code, 'too-deeply-nested');
      });

      test('unknown ids and routes: 404', async () => {
        assertProblem(await server.call('GET', '/releases/REL-999999'), 404);
        assertProblem(
          await server.call('GET', '/releases/00000000-0000-4000-8000-000000000000'),
          404,
        );
        assertProblem(
          await server.call('POST', '/releases/REL-999999/transitions', {
            body: { to: 'prepare' },
          }),
          404,
        );
        assertProblem(await server.call('GET', '/nowhere'), 404);
      });

      test('a duplicate user name: 409', async () => {
        assertProblem(
          await server.call('POST', '/users', { body: { name: 'vera', roles: [] } }),
          409,
        );
      });
    });

    describe('audit', () => {
      test('every change lands in the chain, in order, with before and after', async () => {
        const { body: release } = await server.call('POST', '/releases', { body: releaseBody() });
        await server.call('POST', `/releases/${release.key}/transitions`, {
          body: { to: 'prepare' },
        });
        const entries = await server.call(
          'GET',
          `/audit?subjectType=release&subjectId=${release.key}`,
        );
        assert.deepEqual(
          entries.body.items.map((e: { action: string }) => e.action),
          ['release.transitioned', 'release.created'],
        );
        const [moved, created] = entries.body.items;
        assert.equal(created.actor, 'admin');
        assert.equal(created.before, null);
        assert.equal(created.after.key, release.key);
        assert.deepEqual(moved.before, { state: 'plan', revision: 1 });
        assert.equal(moved.after.state, 'prepare');
        assert.equal(moved.prevHash.length, 64);
      });

      test('the database refuses to change or delete audit entries', async () => {
        const db = server.running.app.store.db;
        await assert.rejects(
          sql`update audit_log set actor = 'mallory' where seq = 1`.execute(db),
          /append-only/,
        );
        await assert.rejects(sql`delete from audit_log where seq = 1`.execute(db), /append-only/);
        const verify = await server.call('GET', '/audit/verify');
        assert.equal(verify.body.intact, true);
      });

      test('verification names the first entry a tamperer changed behind the triggers', async () => {
        const db = server.running.app.store.db;
        const before = await server.call('GET', '/audit/verify');
        assert.equal(before.body.intact, true);
        assert.ok(before.body.entries > 10);
        const dropTrigger =
          engine.name === 'postgres'
            ? sql`alter table audit_log disable trigger audit_log_append_only`
            : sql`drop trigger audit_log_no_update`;
        await dropTrigger.execute(db);
        await sql`update audit_log set actor = 'mallory' where seq = 5`.execute(db);
        const after = await server.call('GET', '/audit/verify');
        assert.equal(after.body.intact, false);
        assert.equal(after.body.firstBreak.seq, 5);
        assert.match(after.body.firstBreak.description, /entry 5 was altered/);
        assert.equal(after.body.entries, 4);
      });
    });

    describe('OpenAPI', () => {
      test('/openapi.json is OpenAPI 3.1 and describes every route with a schema', async () => {
        const response = await server.call('GET', '/openapi.json', { token: null });
        assert.equal(response.status, 200);
        assert.equal(response.body.openapi, '3.1.0');
        const paths = response.body.paths as Record<string, Record<string, any>>;
        for (const path of [
          '/releases',
          '/releases/{id}',
          '/releases/{id}/transitions',
          '/catalog/apply',
          '/tokens',
          '/audit/verify',
        ])
          assert.ok(paths[path], path);
        for (const [path, operations] of Object.entries(paths)) {
          for (const [method, operation] of Object.entries(operations)) {
            assert.ok(
              operation.responses && Object.keys(operation.responses).length > 0,
              `${method} ${path} has responses`,
            );
            if (['post', 'patch', 'put'].includes(method))
              assert.ok(operation.requestBody, `${method} ${path} has a request body schema`);
          }
        }
        assert.ok(response.body.components.schemas.Release, 'Release is a named component');
      });
    });
  });
}
