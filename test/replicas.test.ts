/**
 * Several writers at once: two `gatehouse serve` processes on one PostgreSQL, and
 * concurrent requests on one SQLite process. The same transition fired at both replicas
 * succeeds exactly once, and the audit chain stays intact.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { verifyAuditChain } from '../src/app/audit/verifyAuditChain.js';
import { openStore } from '../src/store/database.js';
import { engines, postgresEngine, type Scratch } from './support/engines.js';
import { startServerProcess, type ServerProcess } from './support/process.js';
import { releaseBody, startTestServer, TEST_CATALOG } from './support/server.js';

async function call(url: string, token: string, method: string, path: string, body?: unknown) {
  const response = await fetch(url + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined && { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as any };
}

const pgEngine = await postgresEngine();

describe('two replicas on one PostgreSQL', { skip: pgEngine.skip }, () => {
  let scratch: Scratch;
  let dir: string;
  let replicas: ServerProcess[] = [];
  let token: string;

  before(async () => {
    scratch = await pgEngine.scratch();
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-replicas-'));
    // Both start at once: migrations and the first-start admin must not race each other.
    replicas = await Promise.all(
      ['a', 'b'].map((name) =>
        startServerProcess(['--data-dir', join(dir, name), '--database-url', scratch.url]),
      ),
    );
    const tokens = ['a', 'b'].flatMap((name) => {
      try {
        return [readFileSync(join(dir, name, 'admin-token'), 'utf8').trim()];
      } catch {
        return [];
      }
    });
    assert.equal(tokens.length, 1, 'exactly one replica bootstrapped the admin');
    token = tokens[0]!;
    assert.equal(
      (await call(replicas[0]!.url, token, 'POST', '/catalog/apply', TEST_CATALOG)).status,
      200,
    );
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await scratch?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the same transition fired at both replicas at once succeeds exactly once', async () => {
    for (let round = 0; round < 15; round++) {
      const { body: release } = await call(
        replicas[round % 2]!.url,
        token,
        'POST',
        '/releases',
        releaseBody(),
      );
      const answers = await Promise.all(
        replicas.map((r) =>
          call(r.url, token, 'POST', `/releases/${release.key}/transitions`, { to: 'prepare' }),
        ),
      );
      const statuses = answers.map((a) => a.status).sort();
      assert.deepEqual(
        statuses,
        [200, 409],
        `round ${round}: ${JSON.stringify(answers.map((a) => a.body))}`,
      );
      const loser = answers.find((a) => a.status === 409)!;
      assert.match(loser.body.detail, /Prepare|changed while/);
      const history = await call(
        replicas[0]!.url,
        token,
        'GET',
        `/releases/${release.key}/transitions`,
      );
      assert.equal(history.body.length, 1, 'exactly one transition recorded');
    }
  });

  test('concurrent writers on both replicas keep the audit chain intact', async () => {
    const writes = Array.from({ length: 60 }, (_, i) =>
      call(
        replicas[i % 2]!.url,
        token,
        'POST',
        '/releases',
        releaseBody({ title: `concurrent ${i}` }),
      ),
    );
    const answers = await Promise.all(writes);
    assert.ok(
      answers.every((a) => a.status === 201),
      JSON.stringify(answers.find((a) => a.status !== 201)?.body),
    );
    assert.equal(new Set(answers.map((a) => a.body.key)).size, 60, 'every release got its own key');
    const store = openStore(scratch.url);
    try {
      const report = await verifyAuditChain(store);
      assert.equal(report.intact, true, report.firstBreak?.description);
      const created = await store.db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('action', '=', 'release.created')
        .executeTakeFirstOrThrow();
      assert.equal(Number(created.n), 75);
    } finally {
      await store.close();
    }
  });
});

for (const engine of await engines()) {
  describe(`concurrent requests on one ${engine.name} process`, { skip: engine.skip }, () => {
    test('racing transitions and writes: one winner each, chain intact', async () => {
      const server = await startTestServer(engine);
      try {
        await server.call('POST', '/catalog/apply', { body: TEST_CATALOG });
        const releases = await Promise.all(
          Array.from({ length: 20 }, () =>
            server.call('POST', '/releases', { body: releaseBody() }),
          ),
        );
        const races = await Promise.all(
          releases.map(async ({ body }) =>
            (
              await Promise.all(
                [1, 2, 3].map(() =>
                  server.call('POST', `/releases/${body.key}/transitions`, {
                    body: { to: 'prepare' },
                  }),
                ),
              )
            )
              .map((a) => a.status)
              .sort(),
          ),
        );
        for (const statuses of races) assert.deepEqual(statuses, [200, 409, 409]);
        const report = await verifyAuditChain(server.running.app.store);
        assert.equal(report.intact, true);
      } finally {
        await server.close();
      }
    });
  });
}
