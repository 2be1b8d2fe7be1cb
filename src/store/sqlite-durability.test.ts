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

/** Polls every 20 ms until `enough` holds or 10 s have passed; the caller asserts. */
async function waitFor(enough: () => boolean): Promise<void> {
  for (let waited = 0; waited < 10_000 && !enough(); waited += 20)
    await new Promise((r) => setTimeout(r, 20));
}

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
    await waitFor(() => statSync(file).size >= before + 1_000_000);
    const size = statSync(file).size;
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

/** A table of a thousand 1,000-byte rows, committed: about a megabyte in the WAL. */
async function writeAboutAMegabyte(db: ReturnType<typeof openSqliteConnections>['writer']) {
  await sql`create table t (n integer, pad blob)`.execute(db);
  await sql`with recursive s(n) as (select 1 union all select n + 1 from s where n < 1000)
    insert into t select n, randomblob(1000) from s`.execute(db);
}

test('a checkpointer that ends by itself says why and is started again, later each time; one asked to stop says nothing', async () => {
  const told: { reason: string; restartInMs: number }[] = [];
  const tell = (reason: string, restartInMs: number) => told.push({ reason, restartInMs });
  // The directory does not exist yet: the worker cannot open the database, and ends.
  const file = join(dir, 'later', 'restarted.db');
  const restarting = startCheckpointer(file, tell, 100, 20);
  let connections: ReturnType<typeof openSqliteConnections> | undefined;
  try {
    await waitFor(() => told.length >= 3);
    assert.ok(told.length >= 3, `started again and told again: ${told.length} times`);
    assert.match(told[0]!.reason, /directory does not exist|unable to open/i);
    assert.deepEqual(
      told.slice(0, 3).map((t) => t.restartInMs),
      [20, 40, 80],
      'each failure in a row waits twice as long',
    );
    // The file appears (a restore, a mount coming back): the next start succeeds and the
    // worker copies committed pages into it. The connections' own checkpointer is stopped
    // first, so only the restarted one can have done it.
    connections = openSqliteConnections(file);
    await connections.stopCheckpoints();
    const { writer } = connections;
    await writeAboutAMegabyte(writer);
    const before = statSync(file).size;
    await waitFor(() => statSync(file).size >= before + 900_000);
    assert.ok(statSync(file).size >= before + 900_000, 'the restarted worker checkpointed');
    const toldWhileWell = told.length;
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(told.length, toldWhileWell, 'a running worker is not reported');
  } finally {
    await restarting.stop();
    await connections?.reader.destroy();
    await connections?.writer.destroy();
  }

  // Stopped while it waits to start again: it never starts, even once the file is there.
  const neverFile = join(dir, 'never', 'never.db');
  const gone = startCheckpointer(neverFile, tell, 100, 200);
  const toldBefore = told.length;
  await waitFor(() => told.length > toldBefore);
  await gone.stop();
  const afterStop = told.length;
  const never = openSqliteConnections(neverFile);
  try {
    await never.stopCheckpoints();
    await writeAboutAMegabyte(never.writer);
    const size = statSync(neverFile).size;
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(told.length, afterStop, 'stopped: not told again');
    assert.equal(statSync(neverFile).size, size, 'nor started again: nothing was checkpointed');
  } finally {
    await never.reader.destroy();
    await never.writer.destroy();
  }

  const { writer, reader, stopCheckpoints } = openSqliteConnections(join(dir, 'stopped.db'));
  try {
    const running = startCheckpointer(join(dir, 'stopped.db'), tell);
    await new Promise((r) => setTimeout(r, 50));
    await running.stop();
    assert.equal(told.length, afterStop, 'a worker asked to stop is not reported');
  } finally {
    await stopCheckpoints();
    await reader.destroy();
    await writer.destroy();
  }
});
