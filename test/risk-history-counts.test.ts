/**
 * The release list's risk history (`serviceHistoryBefore`): for each release, the ended
 * releases of its services raised before it and how many of them failed, summed over its
 * services. Compared on both engines with a plain count over every pair, on a seeded
 * random history with ties in created_at, releases of several services and every state.
 * The first hundred releases are in the store before migration 0024, which fills in their
 * outcomes; the rest end afterwards, recorded as a transition records them, in an order
 * unrelated to their creation.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openStore, type Store } from '../src/store/database.js';
import { migrateToLatest, migrateUpTo } from '../src/store/migrate.js';
import { recordReleaseOutcome, serviceHistoryBefore } from '../src/store/risk.js';
import { engines, type Scratch } from './support/engines.js';
import { seededRandom } from './support/seeded-random.js';

const STATES = ['plan', 'approve', 'deploy', 'closed', 'failed', 'rolled-back', 'cancelled'];
const ENDED = new Set(['closed', 'failed', 'rolled-back']);
const FAILED = new Set(['failed', 'rolled-back']);

interface Row {
  id: string;
  createdAt: string;
  state: string;
  services: string[];
}

function history(seed: number): Row[] {
  const random = seededRandom(seed);
  const services = ['s1', 's2', 's3', 's4'];
  return Array.from({ length: 160 }, (_, i) => {
    // Few distinct instants, so many releases share one and the id breaks the tie.
    const createdAt = new Date(Date.UTC(2026, 0, 1 + random.int(0, 30))).toISOString();
    const first = random.int(0, services.length - 1);
    const second = random.int(0, services.length - 1);
    return {
      id: `r${String(random.int(0, 1e6)).padStart(7, '0')}-${i}`,
      createdAt,
      state: STATES[random.int(0, STATES.length - 1)]!,
      services: [...new Set([services[first]!, services[second]!])],
    };
  });
}

/** The definition, pair by pair. */
function plainCounts(rows: Row[]): Map<string, { finished: number; failed: number }> {
  const counts = new Map<string, { finished: number; failed: number }>();
  for (const mine of rows)
    for (const service of mine.services)
      for (const earlier of rows) {
        if (!earlier.services.includes(service) || !ENDED.has(earlier.state)) continue;
        const isBefore =
          earlier.createdAt < mine.createdAt ||
          (earlier.createdAt === mine.createdAt && earlier.id < mine.id);
        if (!isBefore) continue;
        const count = counts.get(mine.id) ?? { finished: 0, failed: 0 };
        count.finished += 1;
        if (FAILED.has(earlier.state)) count.failed += 1;
        counts.set(mine.id, count);
      }
  return counts;
}

for (const engine of await engines()) {
  describe(`risk history counts on ${engine.name}`, { skip: engine.skip }, () => {
    let scratch: Scratch;
    let store: Store;
    const rows = history(7);

    before(async () => {
      scratch = await engine.scratch();
      store = openStore(scratch.url);
      await migrateUpTo(store, '0023_release_services_lookup');
      const at = '2026-01-01T00:00:00.000Z';
      await store.write(async (tx) => {
        await tx
          .insertInto('teams')
          .values({ id: 't', name: 't', display_name: 'T', created_at: at, updated_at: at })
          .execute();
        await tx
          .insertInto('users')
          .values({ id: 'u', name: 'u', display_name: 'U', created_at: at })
          .execute();
        for (const id of ['s1', 's2', 's3', 's4'])
          await tx
            .insertInto('services')
            .values({
              id,
              name: id,
              team_id: 't',
              tier: 2,
              customer_facing: 0,
              data_sensitivity: 'internal',
              description: '',
              slos: '[]',
              created_at: at,
              updated_at: at,
            })
            .execute();
      });
      const insert = (row: Row, recorded: boolean) =>
        store.write(async (tx) => {
          await tx
            .insertInto('releases')
            .values({
              id: row.id,
              key: `REL-${row.id}`,
              title: row.id,
              version: '1',
              state: row.state,
              classification: 'minor',
              change_type: 'normal',
              strategy: 'rolling',
              scope: '{}',
              justification: 'x',
              rollback_plan: 'x',
              team_id: 't',
              requester_id: 'u',
              revision: 1,
              created_at: row.createdAt,
              updated_at: row.createdAt,
              state_changed_at: row.createdAt,
              authors: '[]',
            })
            .execute();
          for (const service of row.services)
            await tx
              .insertInto('release_services')
              .values({ release_id: row.id, service_id: service, version: '1' })
              .execute();
          if (recorded && ENDED.has(row.state))
            await recordReleaseOutcome(tx, row.id, FAILED.has(row.state));
        });
      // Before 0024 nothing records outcomes: the migration finds these.
      for (const row of rows.slice(0, 100)) await insert(row, false);
      await migrateToLatest(store);
      for (const row of rows.slice(100)) await insert(row, true);
    });

    after(async () => {
      await store?.close();
      await scratch?.drop();
    });

    test('every release: the same counts as the plain definition', async () => {
      const expected = plainCounts(rows);
      const found = await store.read((tx) =>
        serviceHistoryBefore(
          tx,
          rows.map((r) => r.id),
        ),
      );
      assert.ok(expected.size > 100, `the history has depth (${expected.size} releases)`);
      assert.deepEqual(new Map([...found].sort()), new Map([...expected].sort()));
    });

    test('the newest twenty: the same counts for those alone', async () => {
      const newest = [...rows]
        .sort((a, b) =>
          a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
        )
        .slice(0, 20)
        .map((r) => r.id);
      const expected = plainCounts(rows);
      const found = await store.read((tx) => serviceHistoryBefore(tx, newest));
      for (const id of newest) assert.deepEqual(found.get(id), expected.get(id), id);
      assert.ok(
        newest.some((id) => (expected.get(id)?.finished ?? 0) > 50),
        'the newest have a long history',
      );
    });

    test('a page of twenty: the same counts for those alone', async () => {
      const page = rows.slice(40, 60).map((r) => r.id);
      const expected = plainCounts(rows);
      const found = await store.read((tx) => serviceHistoryBefore(tx, page));
      for (const id of page) assert.deepEqual(found.get(id), expected.get(id), id);
      assert.deepEqual(
        [...found.keys()].filter((id) => !page.includes(id)),
        [],
      );
    });
  });
}
