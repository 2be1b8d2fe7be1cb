/**
 * How SQLite commits stay durable without blocking the event loop (ADR 2900-2): the group
 * committer answers only after the WAL's flush, and checkpoints run in a worker.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { sql } from 'kysely';
import { GroupCommitter, openSqliteConnections, startCheckpointer, syncWal } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-durability-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('answers wait for the flush; a failed flush fails the batch, its commit notwithstanding', async () => {
  const { writer, reader, stopCheckpoints } = openSqliteConnections(join(dir, 'flush.db'));
  try {
    await sql`create table t (n integer)`.execute(writer);
    const order: string[] = [];
    let flush: () => void = () => undefined;
    const committer = new GroupCommitter(
      writer,
      undefined,
      () => order.push('commit'),
      () =>
        new Promise<void>((resolve) => {
          order.push('flush asked');
          flush = resolve;
        }),
    );
    const answered = committer
      .run((tx) => sql`insert into t values (1)`.execute(tx))
      .then(() => order.push('answered'));
    while (!order.includes('flush asked')) await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(order, ['commit', 'flush asked'], 'nobody is answered before the flush');
    flush();
    await answered;
    assert.deepEqual(order, ['commit', 'flush asked', 'answered']);

    const failing = new GroupCommitter(writer, undefined, undefined, () =>
      Promise.reject(new Error('disk gone')),
    );
    await assert.rejects(
      failing.run((tx) => sql`insert into t values (2)`.execute(tx)),
      /disk gone/,
    );
    // Committed but not known durable: the caller was told it failed, as after a crash.
    const rows = await sql<{ n: number }>`select n from t order by n`.execute(reader);
    assert.deepEqual(
      rows.rows.map((r) => r.n),
      [1, 2],
    );
  } finally {
    await stopCheckpoints();
    await reader.destroy();
    await writer.destroy();
  }
});

test('syncWal flushes an existing WAL and refuses a missing one', async () => {
  const { writer, reader, stopCheckpoints } = openSqliteConnections(join(dir, 'wal.db'));
  try {
    await sql`create table t (n integer)`.execute(writer);
    await syncWal(join(dir, 'wal.db-wal'));
    await assert.rejects(syncWal(join(dir, 'absent.db-wal')), { code: 'ENOENT' });
  } finally {
    await stopCheckpoints();
    await reader.destroy();
    await writer.destroy();
  }
});

test('the worker copies committed pages into the database file; the writer never has to', async () => {
  const file = join(dir, 'checkpoint.db');
  const { writer, reader, stopCheckpoints } = openSqliteConnections(file);
  try {
    await sql`create table t (n integer, pad blob)`.execute(writer);
    // About 2 MiB, far below the writer's own 40 MiB backstop: only the worker copies it.
    for (let i = 0; i < 20; i++)
      await sql`with recursive s(n) as (select 1 union all select n + 1 from s where n < 100)
        insert into t select n, randomblob(1000) from s`.execute(writer);
    const before = statSync(file).size;
    let size = before;
    for (let waited = 0; waited < 10_000 && size < before + 1_000_000; waited += 100) {
      await new Promise((r) => setTimeout(r, 100));
      size = statSync(file).size;
    }
    assert.ok(
      size >= before + 1_000_000,
      `the database file grew from ${before} to ${size} bytes within 10 s`,
    );
  } finally {
    await stopCheckpoints();
    await reader.destroy();
    await writer.destroy();
  }
});

test('a checkpointer that ends by itself says why, once; one asked to stop says nothing', async () => {
  const reasons: string[] = [];
  // The directory does not exist: the worker cannot open the database, and ends.
  const failing = startCheckpointer(join(dir, 'absent', 'x.db'), (reason) => reasons.push(reason));
  for (let waited = 0; waited < 10_000 && reasons.length === 0; waited += 20)
    await new Promise((r) => setTimeout(r, 20));
  assert.equal(reasons.length, 1);
  assert.match(reasons[0]!, /directory does not exist|unable to open/i);
  await failing.stop();
  assert.equal(reasons.length, 1, 'stopping a worker already gone says nothing more');

  const file = join(dir, 'stopped.db');
  const { writer, reader, stopCheckpoints } = openSqliteConnections(file);
  try {
    const running = startCheckpointer(file, (reason) => reasons.push(reason));
    await new Promise((r) => setTimeout(r, 50));
    await running.stop();
    assert.equal(reasons.length, 1, 'a worker asked to stop is not reported');
  } finally {
    await stopCheckpoints();
    await reader.destroy();
    await writer.destroy();
  }
});
