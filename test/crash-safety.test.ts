/**
 * Crash safety, short: on each engine a server process under concurrent write load is
 * killed with SIGKILL five times at seeded random moments and restarted on the same
 * store; every acknowledged request survives, nothing is half-written, and the audit
 * chain verifies after every restart (test/support/crash-cycles.ts). The long run with
 * fifty kills per engine is test/soak/crash-safety.soak.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCrashCycles } from './support/crash-cycles.js';
import { engines } from './support/engines.js';

for (const engine of await engines()) {
  describe(`crash safety on ${engine.name}`, { skip: engine.skip }, () => {
    test('five SIGKILLs under load: every 2xx survives, nothing half-written, chain intact', async () => {
      const scratch = await engine.scratch();
      try {
        const figures = await runCrashCycles(engine.name, scratch, { cycles: 5, seed: 20261123 });
        console.log(`crash safety ${JSON.stringify(figures)}`);
        assert.equal(figures.cycles, 5);
        assert.equal(figures.lost, 0);
        assert.ok(figures.acknowledged > 0, 'the load was acknowledged at all');
      } finally {
        await scratch.drop();
      }
    });
  });
}
