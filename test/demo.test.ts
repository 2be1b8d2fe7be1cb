/**
 * The demo organisation loads through the ordinary use cases on both engines: every
 * step passes its lifecycle checks, the audit chain holds, and a second start leaves the
 * data alone.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyAuditChain } from '../src/app/audit/verifyAuditChain.js';
import type { App } from '../src/app/context.js';
import { finalState, generateDemoOrganisation } from '../src/app/demo/demoOrganisation.js';
import { loadDemoOrganisation } from '../src/app/demo/loadDemoOrganisation.js';
import { openStore, type Store } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { engines, type Scratch } from './support/engines.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const expected = generateDemoOrganisation({ now: NOW });

for (const engine of await engines()) {
  describe(`demo organisation on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;
    let store: Store;
    let app: App;
    let first: { loaded: boolean; releases: number };
    let seconds: number;

    before(async () => {
      scratch = await engine.scratch();
      store = openStore(scratch.url);
      await migrateToLatest(store);
      app = { store, clock: () => NOW };
      const started = performance.now();
      first = await loadDemoOrganisation(app);
      seconds = (performance.now() - started) / 1000;
    });

    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    test('loads every release of the demo', async (t) => {
      t.diagnostic(`loaded ${first.releases} releases in ${seconds.toFixed(1)} s`);
      assert.deepEqual(first, { loaded: true, releases: expected.releases.length });
      const { count } = await store.db
        .selectFrom('releases')
        .select((eb) => eb.fn.countAll<number>().as('count'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(count), expected.releases.length);
    });

    test('leaves each release in the state its history leads to', async () => {
      const rows = await store.db
        .selectFrom('releases')
        .select(['state', 'classification'])
        .execute();
      const tally = (states: string[]) =>
        states.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});
      assert.deepEqual(tally(rows.map((r) => r.state)), tally(expected.releases.map(finalState)));
      assert.ok(rows.some((r) => r.state === 'rolled-back'));
      assert.ok(rows.some((r) => r.state === 'failed'));
      assert.ok(rows.some((r) => r.classification === 'emergency'));
    });

    test('records failed and rolled-back deployments in production', async () => {
      const rows = await store.db
        .selectFrom('deployments')
        .innerJoin('environments', 'environments.id', 'deployments.environment_id')
        .select(['deployments.status', 'environments.name as environment'])
        .where('environments.name', '=', 'prod')
        .execute();
      assert.ok(rows.some((r) => r.status === 'failed'));
      assert.ok(rows.some((r) => r.status === 'rolled-back'));
      assert.ok(rows.filter((r) => r.status === 'succeeded').length > expected.releases.length);
    });

    test('a second load changes nothing', async () => {
      const entriesBefore = (await verifyAuditChain(store)).entries;
      assert.deepEqual(await loadDemoOrganisation(app), {
        loaded: false,
        releases: expected.releases.length,
      });
      assert.equal((await verifyAuditChain(store)).entries, entriesBefore);
    });

    test('the audit chain is intact and dated by history', async () => {
      const report = await verifyAuditChain(store);
      assert.equal(report.intact, true, report.firstBreak?.description);
      assert.ok(report.entries > expected.releases.length * 5);
      const earliest = await store.db
        .selectFrom('audit_log')
        .select('at')
        .orderBy('seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.equal(earliest.at, expected.since.toISOString());
    });
  });
}
