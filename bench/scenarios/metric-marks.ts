/**
 * What the stale-day triggers of migration 0020 (ADR 2300-1) cost a write: the same
 * single-row write transactions (a deployment recorded, then finished; a release moving
 * state) with the triggers, without them, and with them again, back to back on one
 * store, timed and in this process's CPU time (on PostgreSQL the server's CPU is not in it). Short: a few thousand writes per pass.
 */
import { randomUUID } from 'node:crypto';
import { openStore, type Store } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { createTriggers, dropTriggers } from '../../src/store/migrations/0020_metric_days.js';
import { markAtCommit } from '../../src/store/migrations/0027_dirty_day_marks_at_commit.js';
import { loadHistory } from './metrics-history.js';

/** `writes` write transactions of each kind; µs per transaction, wall and CPU. */
async function pass(store: Store, writes: number): Promise<{ wallUs: number; cpuUs: number }> {
  const template = await store.db.selectFrom('deployments').selectAll().executeTakeFirstOrThrow();
  const release = await store.db.selectFrom('releases').select('id').executeTakeFirstOrThrow();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let n = 0; n < writes; n++) {
    const id = randomUUID();
    const at = new Date(Date.parse('2025-01-01T00:00:00Z') + (n % 365) * 86_400_000);
    await store.write((tx) =>
      tx
        .insertInto('deployments')
        .values({
          ...template,
          id,
          status: 'started',
          started_at: at.toISOString(),
          finished_at: null,
        })
        .execute(),
    );
    await store.write((tx) =>
      tx
        .updateTable('deployments')
        .set({ status: 'succeeded', finished_at: new Date(at.getTime() + 600_000).toISOString() })
        .where('id', '=', id)
        .execute(),
    );
    await store.write((tx) =>
      tx
        .updateTable('releases')
        .set({ state_changed_at: at.toISOString() })
        .where('id', '=', release.id)
        .execute(),
    );
  }
  const wall = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const transactions = writes * 3;
  return {
    wallUs: (wall * 1000) / transactions,
    cpuUs: (used.user + used.system) / transactions,
  };
}

export async function metricMarks(
  engine: 'sqlite' | 'postgres',
  url: string,
  log: (line: string) => void,
  writes = 500,
): Promise<Record<string, number>> {
  const store = openStore(url);
  try {
    await migrateToLatest(store);
    await loadHistory(store, url, { deployments: 4000, incidents: 100, services: 20 });
    const figures: Record<string, number> = {};
    const report = (label: string, r: { wallUs: number; cpuUs: number }) => {
      figures[`${label}_wall_us`] = r.wallUs;
      figures[`${label}_cpu_us`] = r.cpuUs;
      log(
        `${engine}: write transaction ${label.padEnd(19)} ${r.wallUs.toFixed(0).padStart(6)} µs wall, ${r.cpuUs.toFixed(0).padStart(6)} µs CPU (this process)`,
      );
    };
    report('with triggers', await pass(store, writes));
    await dropTriggers(store.db, engine);
    report('without triggers', await pass(store, writes));
    await createTriggers(store.db, engine);
    await markAtCommit(store.db, engine);
    report('with triggers again', await pass(store, writes));
    return figures;
  } finally {
    await store.close();
  }
}
