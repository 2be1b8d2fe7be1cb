/**
 * PostgreSQL writes the metrics' dirty-day marks as the transaction commits (migration
 * 0027, ADR 3100-1): two writers that mark the same day do not wait for each other, a
 * rolled-back write marks nothing, and nothing stays pending.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store, type Tx } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { postgresEngine, type Scratch } from './support/engines.js';
import { whileHeldOpen } from './support/lockWaits.js';

const postgres = await postgresEngine();

describe('dirty-day marks at commit on postgres', { skip: postgres.skip }, () => {
  let scratch: Scratch;
  let store: Store;
  const marks = async () =>
    (await store.db.selectFrom('metric_dirty_days').select('day').execute()).map((r) => r.day);
  const pending = async () =>
    Number(
      (await sql<{ n: string }>`select count(*) as n from metric_dirty_pending`.execute(store.db))
        .rows[0]!.n,
    );

  before(async () => {
    scratch = await postgres.scratch();
    store = openStore(scratch.url);
    await migrateToLatest(store);
    const at = '2026-11-24T10:00:00.000Z';
    await store.db
      .insertInto('teams')
      .values(
        ['a', 'b'].map((name) => ({
          id: name,
          name,
          display_name: name,
          time_zone: null,
          created_at: at,
          updated_at: at,
        })),
      )
      .execute();
    await store.db.deleteFrom('metric_dirty_days').execute();
  });
  after(async () => {
    await store?.close();
    await scratch?.drop();
  });

  test('two writers marking the same day do not wait for each other', async () => {
    // Renaming a team marks every day ('*'): both writers mark the same row. With the
    // upsert at the statement, the second waited for the first's row lock.
    const rename = (id: string, name: string) => (tx: Tx) =>
      tx.updateTable('teams').set({ name }).where('id', '=', id).execute();
    await whileHeldOpen(store, rename('a', 'a2'), rename('b', 'b2'));
    assert.deepEqual(await marks(), ['*']);
    assert.equal(await pending(), 0);
  });

  test('a write that rolls back marks nothing', async () => {
    await store.db.deleteFrom('metric_dirty_days').execute();
    await assert.rejects(
      store.write(async (tx) => {
        await tx.updateTable('teams').set({ name: 'a3' }).where('id', '=', 'a').execute();
        throw new Error('changed my mind');
      }),
      /changed my mind/,
    );
    assert.deepEqual(await marks(), []);
    assert.equal(await pending(), 0);
    await store.write((tx) =>
      tx.updateTable('teams').set({ name: 'a4' }).where('id', '=', 'a').execute(),
    );
    assert.deepEqual(await marks(), ['*']);
  });
});
