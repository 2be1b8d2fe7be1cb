/**
 * Job leases on both engines: of replicas asking at once exactly one holds a job's
 * lease; the holder renews it; a crashed holder's lease expires and another takes over;
 * a clean stop hands it back at once. On PostgreSQL two stores on one database stand for
 * two replicas. SQLite runs as one process (replicas need PostgreSQL), and two stores in
 * one thread would wait on each other's write lock, so there both share one store.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { App } from '../src/app/context.js';
import { JobScheduler } from '../src/app/scheduler/jobScheduler.js';
import { openStore, type Store } from '../src/store/database.js';
import { acquireLease, listLeases } from '../src/store/jobLeases.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { engines, type Scratch } from './support/engines.js';

for (const engine of await engines()) {
  describe(`job leases on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;
    let a: Store;
    let b: Store;
    let nowMs = Date.parse('2026-11-23T12:00:00.000Z');
    const clock = () => new Date(nowMs);

    before(async () => {
      scratch = await engine.scratch();
      a = openStore(scratch.url);
      await migrateToLatest(a);
      b = engine.name === 'postgres' ? openStore(scratch.url) : a;
    });
    after(async () => {
      await a?.close();
      if (b !== a) await b?.close();
      await scratch?.drop();
    });

    test('of many asking at once, exactly one holds the lease', async () => {
      for (let round = 0; round < 10; round++) {
        const name = `race-${round}`;
        const answers = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            acquireLease(i % 2 ? a : b, {
              name,
              holder: `replica-${i}`,
              now: clock(),
              leaseMs: 30_000,
            }),
          ),
        );
        assert.equal(answers.filter(Boolean).length, 1, `round ${round}: ${answers.join(',')}`);
      }
    });

    test('the holder renews; an expired lease passes to another', async () => {
      const lease = (holder: string, store: Store) =>
        acquireLease(store, { name: 'expiry', holder, now: clock(), leaseMs: 30_000 });
      assert.equal(await lease('one', a), true);
      nowMs += 20_000;
      assert.equal(await lease('two', b), false);
      assert.equal(await lease('one', a), true, 'renewed until now + 30 s');
      nowMs += 29_999;
      assert.equal(await lease('two', b), false);
      // "one" crashed: it renews no more.
      nowMs += 1;
      assert.equal(await lease('two', b), true);
      assert.equal(await lease('one', a), false);
    });

    test('schedulers on two replicas: the job runs on one; a clean stop hands it over', async () => {
      const ran: string[] = [];
      const replica = (store: Store, label: string) => {
        const app: App = { store, clock };
        const scheduler = new JobScheduler(app);
        scheduler.registerJob('work', 1000, async () => {
          ran.push(label);
        });
        return scheduler;
      };
      const first = replica(a, 'first');
      const second = replica(b, 'second');
      for (let i = 0; i < 5; i++) {
        const [x, y] = await Promise.all([first.runOnce('work'), second.runOnce('work')]);
        assert.equal(Number(x) + Number(y), 1, `tick ${i}`);
        nowMs += 1000;
      }
      assert.equal(ran.length, 5);
      assert.equal(new Set(ran).size, 1, 'the holder keeps the job while it lives');
      const holder = ran[0] === 'first' ? first : second;
      const other = holder === first ? second : first;
      await holder.stop();
      assert.equal(await other.runOnce('work'), true, 'taken over without waiting out the lease');
      const [row] = (await listLeases(a)).filter((l) => l.name === 'work');
      assert.equal(row!.holder, other.holder);
      assert.equal(row!.runs, 6);
      assert.equal(row!.lastError, null);
      await other.stop();
    });

    test('a failing job is recorded and does not stop the scheduler', async () => {
      const scheduler = new JobScheduler({ store: a, clock });
      let calls = 0;
      scheduler.registerJob('flaky-job', 1000, async () => {
        calls++;
        if (calls === 1) throw new Error('receiver exploded');
      });
      assert.equal(await scheduler.runOnce('flaky-job'), true);
      let [row] = (await listLeases(a)).filter((l) => l.name === 'flaky-job');
      assert.equal(row!.lastError, 'receiver exploded');
      assert.equal(await scheduler.runOnce('flaky-job'), true);
      [row] = (await listLeases(a)).filter((l) => l.name === 'flaky-job');
      assert.equal(row!.lastError, null);
      assert.throws(
        () => scheduler.registerJob('flaky-job', 1000, async () => undefined),
        /already/,
      );
      await scheduler.stop();
    });
  });
}
