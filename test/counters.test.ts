/**
 * Key numbers (REL-n, INC-n, REV-n), src/store/counters.ts: one after another on both
 * engines, and on PostgreSQL drawn without waiting for another create to commit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { nextCounter, sequenceCounterValues } from '../src/store/counters.js';
import { openStore, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { engines, type Scratch } from './support/engines.js';
import { whileHeldOpen } from './support/lockWaits.js';

for (const engine of await engines()) {
  describe(`key counters on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;
    let store: Store;
    before(async () => {
      scratch = await engine.scratch();
      store = openStore(scratch.url);
      await migrateToLatest(store);
    });
    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    test('each counter hands out 1, 2, 3 … on its own', async () => {
      const drawn = [];
      for (const name of ['release', 'release', 'incident', 'release', 'review'] as const)
        drawn.push(await store.write((tx) => nextCounter(tx, engine.name, name)));
      assert.deepEqual(drawn, [1, 2, 1, 3, 1]);
    });

    if (engine.name === 'postgres')
      test('a number is drawn while another create that drew one has not committed', async () => {
        // With the counter's row updated, the second draw waited for the first
        // transaction and failed after the lock timeout.
        const drawn = await whileHeldOpen(
          store,
          (tx) => nextCounter(tx, 'postgres', 'release'),
          (tx) => nextCounter(tx, 'postgres', 'release'),
        );
        assert.deepEqual(drawn, [4, 5]);
        assert.equal((await sequenceCounterValues(store.db)).get('release'), 5);
      });
  });
}
