/**
 * The sustained-load mix for two minutes per engine (`npm run test:soak`): no unexpected
 * answer, every acknowledged write kept, and no clear memory growth in the second minute.
 * The memory limit is loose (a two-minute fit is noisy); the 10-minute figures judged
 * against the real thresholds come from `npm run bench -- soak` (docs/reliability.md).
 * SOAK_TEST_RATE sets the offered rate (default 20 req/s, light enough to hold on a shared runner).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  runSustainedLoad,
  serverFailures,
  unexpectedAnswers,
} from '../../bench/load/sustained-load.js';
import { engines } from '../support/engines.js';

const LOOSE_SLOPE_LIMIT = 8; // MB per minute, heap and RSS

for (const engine of await engines()) {
  describe(`two minutes of mixed load (${engine.name})`, { skip: engine.skip }, () => {
    test('answers as expected, keeps every write, does not grow', async () => {
      const scratch = await engine.scratch();
      try {
        const run = await runSustainedLoad({
          engine: engine.name,
          databaseUrl: scratch.url,
          durationMs: 120_000,
          rate: Number(process.env.SOAK_TEST_RATE ?? 20),
          windowMs: 60_000,
          demo: false,
          memoryIntervalMs: 2000,
        });
        const { total, unexpectedSamples } = run.load;
        assert.equal(serverFailures(total), 0, unexpectedSamples.join('\n'));
        assert.equal(unexpectedAnswers(total), 0, unexpectedSamples.join('\n'));
        assert.deepEqual(run.writes.lost, []);
        assert.ok(run.writes.releasesChecked > 0 && run.writes.eventsChecked > 0);
        assert.ok(run.growth, 'enough memory samples after warm-up');
        assert.ok(
          run.growth.heapSlopeMbPerMin < LOOSE_SLOPE_LIMIT,
          `heap grows ${run.growth.heapSlopeMbPerMin} MB/min`,
        );
        assert.ok(
          run.growth.rssSlopeMbPerMin < LOOSE_SLOPE_LIMIT,
          `RSS grows ${run.growth.rssSlopeMbPerMin} MB/min`,
        );
      } finally {
        await scratch.drop();
      }
    });
  });
}
