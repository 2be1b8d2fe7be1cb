/**
 * `gatehouse backup` / `gatehouse restore` as processes, on SQLite and on PostgreSQL and
 * from one to the other: a restored database has the same rows and an audit chain that
 * verifies with the same head; a changed file, a database in use and another schema
 * version are refused with exit 2 before anything is written.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { startGatehouse } from '../src/http/start.js';
import { verifyAuditChain } from '../src/app/audit/verifyAuditChain.js';
import { BackupRefused, describeTables, restoreBackup, writeBackup } from '../src/store/backup.js';
import { sequenceCounterValues } from '../src/store/counters.js';
import { openStore } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { engines, postgresEngine, type Scratch, type TestEngine } from './support/engines.js';
import { runCli } from './support/process.js';
import { releaseBody, startTestServer, TEST_CATALOG, type TestServer } from './support/server.js';

const EVIDENCE = readFileSync(new URL('./fixtures/evidence/gatehouse.cdx.json', import.meta.url));

/** Every table's rows, in primary-key order, for comparing two databases. */
async function contents(url: string): Promise<Map<string, unknown[]>> {
  const store = openStore(url);
  try {
    const tables = await describeTables(store.db, store.engine);
    const result = new Map<string, unknown[]>();
    for (const table of tables) {
      let query = (store.db as any).selectFrom(table.name).select(table.columns);
      for (const column of table.primaryKey.length ? table.primaryKey : table.columns)
        query = query.orderBy(column);
      result.set(table.name, await query.execute());
    }
    // PostgreSQL's counters live in sequences; compare the values they hand out.
    if (store.engine === 'postgres') {
      const values = await sequenceCounterValues(store.db);
      for (const row of result.get('counters') as Array<{ name: string; value: number }>)
        row.value = values.get(row.name)!;
    }
    return result;
  } finally {
    await store.close();
  }
}

function rewrite(source: string, target: string, change: (lines: string[]) => string[]) {
  const lines = gunzipSync(readFileSync(source)).toString('utf8').trimEnd().split('\n');
  writeFileSync(target, gzipSync(change(lines).join('\n') + '\n'));
}

/** Re-seals a changed body with a matching trailer, as a careful forger would. */
function reseal(lines: string[]): string[] {
  const body = lines.slice(0, -1);
  const sha256 = createHash('sha256')
    .update(body.map((l) => l + '\n').join(''))
    .digest('hex');
  return [...body, JSON.stringify({ end: true, rows: body.length - 1, sha256 })];
}

const postgres = await postgresEngine();

for (const engine of await engines()) {
  describe(`backup and restore on ${engine.name}`, { skip: engine.skip }, () => {
    let server: TestServer;
    let dir: string;
    let file: string;
    const scratches: Scratch[] = [];
    const fresh = async (on: TestEngine = engine) => {
      const scratch = await on.scratch();
      scratches.push(scratch);
      return scratch;
    };

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'gatehouse-backup-'));
      file = join(dir, 'gatehouse.backup.ndjson.gz');
      server = await startTestServer(engine);
      assert.equal(
        (await server.call('POST', '/catalog/apply', { body: TEST_CATALOG })).status,
        200,
      );
      for (const version of ['2.4.0', '2.5.0']) {
        const created = await server.call('POST', '/releases', {
          body: releaseBody({ version, services: [{ service: 'payments-api', version }] }),
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
      }
      const moved = await server.call('POST', '/releases/REL-1/transitions', {
        body: { to: 'prepare', reason: 'scope agreed' },
      });
      assert.ok(moved.status < 300, JSON.stringify(moved.body));
      const uploaded = await fetch(`${server.url}/releases/REL-1/evidence?type=cyclonedx`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${server.adminToken}`,
          'content-type': 'application/octet-stream',
        },
        body: EVIDENCE,
      });
      assert.equal(uploaded.status, 201, await uploaded.text());
      assert.equal((await server.call('POST', '/tokens', { body: { name: 'ci' } })).status, 201);
    });
    after(async () => {
      await server?.close();
      for (const scratch of scratches) await scratch.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    test('a backup taken while the server runs restores into a fresh database, chain intact', async () => {
      const backedUp = await runCli(['backup', '-o', file, '--database-url', server.databaseUrl]);
      assert.equal(backedUp.code, 0, backedUp.stderr);
      assert.match(backedUp.stdout, /backed up \d+ rows of \d+ tables \(schema 00\d\d_/);

      const target = await fresh();
      const restored = await runCli(['restore', file, '--database-url', target.url]);
      assert.equal(restored.code, 0, restored.stderr);

      const copy = await runCli(['audit', 'verify', '--database-url', target.url]);
      assert.equal(copy.code, 0, copy.stderr);
      const source = await verifyAuditChain(server.running.app.store);
      assert.ok(copy.stdout.includes(source.headHash), 'same entries, same head hash');

      const [before, after] = [await contents(server.databaseUrl), await contents(target.url)];
      assert.deepEqual([...after.keys()], [...before.keys()]);
      for (const [table, rows] of before)
        assert.equal(after.get(table)!.length, rows.length, `rows of ${table}`);
      for (const table of ['releases', 'evidence', 'api_tokens', 'audit_log', 'counters'])
        assert.deepEqual(after.get(table), before.get(table), table);
      const evidence = after.get('evidence') as Array<{ content: Buffer }>;
      assert.ok(evidence.some((e) => Buffer.compare(e.content, EVIDENCE) === 0));

      // The restored database serves: the old tokens work and release keys continue.
      const dataDir = join(dir, `serve-${engine.name}`);
      mkdirSync(dataDir);
      const running = await startGatehouse({
        dataDir,
        databaseUrl: target.url,
        host: '127.0.0.1',
        port: 0,
        demo: false,
        logLevel: 'silent',
      });
      try {
        assert.equal(running.adminToken, null, 'the restored admin is not created again');
        const next = await fetch(`${running.url}/releases`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${server.adminToken}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(releaseBody({ version: '2.6.0' })),
        });
        assert.equal(next.status, 201);
        assert.equal(((await next.json()) as { key: string }).key, 'REL-3');
      } finally {
        await running.close();
      }
      const store = openStore(target.url);
      try {
        assert.equal((await verifyAuditChain(store)).intact, true, 'the chain grew on the restore');
      } finally {
        await store.close();
      }
    });

    test('refused before anything is written: a database in use, a changed file, another schema', async () => {
      const used = await runCli(['restore', file, '--database-url', server.databaseUrl]);
      assert.equal(used.code, 2, used.stderr);
      assert.match(used.stderr, /not empty/);

      const tampered = join(dir, 'tampered.gz');
      rewrite(file, tampered, (lines) =>
        lines.map((line) => line.replace('Rounding of refunds', 'Rounding of refundz')),
      );
      const truncated = join(dir, 'truncated.gz');
      rewrite(file, truncated, (lines) => lines.slice(0, -3));
      const future = join(dir, 'future.gz');
      rewrite(file, future, (lines) =>
        reseal([
          lines[0]!.replace(/"schemaVersion":"[^"]+"/, '"schemaVersion":"0999_future"'),
          ...lines.slice(1),
        ]),
      );
      await assert.rejects(
        writeBackup(server.running.app.store, join(dir, 'no', 'such', 'dir.gz')),
        BackupRefused,
      );
      const notGzip = join(dir, 'plain.txt');
      writeFileSync(notGzip, 'hello\n');

      const target = await fresh();
      const store = openStore(target.url);
      try {
        await migrateToLatest(store);
        for (const [path, reason] of [
          [tampered, /SHA-256/],
          [truncated, /no trailer/],
          [future, /schema 0999_future/],
          [notGzip, /not a complete gzip/],
          [join(dir, 'nope.gz'), /no such file/],
        ] as const)
          await assert.rejects(restoreBackup(store, path), (error: Error) => {
            assert.ok(error instanceof BackupRefused, String(error));
            assert.match(error.message, reason);
            return true;
          });
        // Nothing was written by any refusal: the target still restores.
        await restoreBackup(store, file);
        assert.equal((await verifyAuditChain(store)).intact, true);
      } finally {
        await store.close();
      }
    });

    test(
      'a SQLite backup restores into PostgreSQL',
      { skip: engine.name !== 'sqlite' ? 'from SQLite only' : postgres.skip },
      async () => {
        const target = await fresh(postgres);
        const store = openStore(target.url);
        try {
          await migrateToLatest(store);
          await restoreBackup(store, file);
          const copy = await verifyAuditChain(store);
          assert.equal(copy.intact, true);
          assert.equal(copy.headHash, (await verifyAuditChain(server.running.app.store)).headHash);
        } finally {
          await store.close();
        }
        const [before, after] = [await contents(server.databaseUrl), await contents(target.url)];
        for (const table of ['releases', 'evidence', 'audit_log'])
          assert.deepEqual(after.get(table), before.get(table), table);
      },
    );
  });
}
