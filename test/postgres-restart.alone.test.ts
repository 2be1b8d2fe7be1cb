/**
 * PostgreSQL restarted once under write load (test/support/postgres-restart.ts): clean
 * 503s during the outage, recovery without restarting Gatehouse, nothing acknowledged
 * lost, the chain intact. Needs pg_ctlcluster and the right to use it (root or the
 * cluster's owner); skipped loudly otherwise. More restarts: test/soak/.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresEngine } from './support/engines.js';
import { restartableCluster, runPostgresRestarts } from './support/postgres-restart.js';

const pgEngine = await postgresEngine();
const cluster = pgEngine.skip ? pgEngine.skip : restartableCluster();
if (typeof cluster === 'string' && !pgEngine.skip)
  console.warn(
    `\n${'!'.repeat(78)}\n!! PostgreSQL restart test SKIPPED: ${cluster}\n${'!'.repeat(78)}\n`,
  );

describe(
  'PostgreSQL restarted under load',
  { skip: typeof cluster === 'string' ? cluster : false },
  () => {
    test('one restart: 503 with Retry-After meanwhile, recovery on its own, nothing lost', async () => {
      const scratch = await pgEngine.scratch();
      try {
        const figures = await runPostgresRestarts(
          scratch,
          cluster as { version: string; name: string },
          1,
        );
        console.log(`postgres restart ${JSON.stringify(figures)}`);
        assert.equal(figures.restarts, 1);
        assert.equal(figures.lost, 0);
        assert.ok(figures.acknowledged > 0);
      } finally {
        await scratch.drop();
      }
    });
  },
);
