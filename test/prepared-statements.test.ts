/**
 * On PostgreSQL the prepared queries (src/store/prepared.ts) run as named statements,
 * parsed and planned once per connection (ADR 3100-1), and still bind each call's values.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { openStore, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { preparedQuery } from '../src/store/prepared.js';
import { postgresEngine, type Scratch } from './support/engines.js';

const postgres = await postgresEngine();

const counterValue = preparedQuery((db, name: string) =>
  db.selectFrom('counters').select(['name', 'value']).where('name', '=', name),
);

describe('prepared queries on postgres', { skip: postgres.skip }, () => {
  let scratch: Scratch;
  let store: Store;
  before(async () => {
    scratch = await postgres.scratch();
    // One connection, so the statement looked up below is the one the calls used.
    store = openStore(scratch.url, { poolSize: 1 });
    await migrateToLatest(store);
  });
  after(async () => {
    await store?.close();
    await scratch?.drop();
  });

  test('run as one named statement per connection, with each call’s values', async () => {
    await store.db.updateTable('counters').set({ value: 7 }).where('name', '=', 'review').execute();
    assert.deepEqual(await counterValue(store.db, 'release'), [{ name: 'release', value: 0 }]);
    assert.deepEqual(await counterValue(store.db, 'review'), [{ name: 'review', value: 7 }]);
    const text = store.db
      .selectFrom('counters')
      .select(['name', 'value'])
      .where('name', '=', 'x')
      .compile().sql;
    const { rows } = await sql<{ name: string }>`
      select name from pg_prepared_statements where statement = ${text}`.execute(store.db);
    assert.equal(rows.length, 1, 'prepared once on the connection');
    assert.match(rows[0]!.name, /^gatehouse_\d+$/);
  });
});
