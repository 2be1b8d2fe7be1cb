/**
 * Crash safety, long (`npm run test:soak`): fifty SIGKILLs per engine under concurrent
 * write load, each followed by the store check and `gatehouse audit verify`
 * (test/support/crash-cycles.ts). The short version is test/crash-safety.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCrashCycles } from '../support/crash-cycles.js';
import { engines } from '../support/engines.js';

const CYCLES = Number(process.env.GATEHOUSE_SOAK_CRASH_CYCLES ?? 50);

for (const engine of await engines()) {
  describe(`crash safety soak on ${engine.name}`, { skip: engine.skip }, () => {
    test(`${CYCLES} SIGKILLs under load: every 2xx survives, nothing half-written, chain intact`, async () => {
      const scratch = await engine.scratch();
      try {
        const figures = await runCrashCycles(engine.name, scratch, {
          cycles: CYCLES,
          seed: Number(process.env.GATEHOUSE_SOAK_SEED ?? 11),
        });
        console.log(`crash safety soak ${JSON.stringify(figures)}`);
        assert.equal(figures.cycles, CYCLES);
        assert.equal(figures.lost, 0);
      } finally {
        await scratch.drop();
      }
    });
  });
}
