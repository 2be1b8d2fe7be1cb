/**
 * PostgreSQL restarted several times under write load (`npm run test:soak`); the short
 * version with one restart is test/postgres-restart.alone.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { postgresEngine } from '../support/engines.js';
import { restartableCluster, runPostgresRestarts } from '../support/postgres-restart.js';

const RESTARTS = Number(process.env.GATEHOUSE_SOAK_PG_RESTARTS ?? 5);
const pgEngine = await postgresEngine();
const cluster = pgEngine.skip ? pgEngine.skip : restartableCluster();
if (typeof cluster === 'string' && !pgEngine.skip)
  console.warn(
    `\n${'!'.repeat(78)}\n!! PostgreSQL restart soak SKIPPED: ${cluster}\n${'!'.repeat(78)}\n`,
  );

describe(
  'PostgreSQL restarted under load, soak',
  { skip: typeof cluster === 'string' ? cluster : false },
  () => {
    test(`${RESTARTS} restarts: 503 with Retry-After meanwhile, recovery on its own, nothing lost`, async () => {
      const scratch = await pgEngine.scratch();
      try {
        const figures = await runPostgresRestarts(
          scratch,
          cluster as { version: string; name: string },
          RESTARTS,
        );
        console.log(`postgres restart soak ${JSON.stringify(figures)}`);
        assert.equal(figures.restarts, RESTARTS);
        assert.equal(figures.lost, 0);
      } finally {
        await scratch.drop();
      }
    });
  },
);
