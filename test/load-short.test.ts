/**
 * The sustained-load mix, briefly (issue 11): `gatehouse serve` as a process on SQLite,
 * gate checks, CDEvents, release reads and writes at a fixed rate for 10 s. Every answer
 * must be the one expected (no 5xx, nothing unanswered, every write 2xx) and every
 * acknowledged write must be found afterwards. Latency is not asserted here: it is a
 * figure of the machine, reported by `npm run bench -- soak`. The long version, with
 * memory growth checked, is test/soak/sustained-load.test.ts (`npm run test:soak`).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  runSustainedLoad,
  serverFailures,
  unexpectedAnswers,
} from '../bench/load/sustained-load.js';

test('10 s of mixed load on SQLite: every answer as expected, every acknowledged write kept', async () => {
  const run = await runSustainedLoad({
    engine: 'sqlite',
    durationMs: 10_000,
    rate: 50,
    windowMs: 5_000,
    demo: false,
    memoryIntervalMs: 1000,
  });
  const { total, unexpectedSamples } = run.load;
  assert.deepEqual(
    Object.keys(total).sort(),
    [
      'approval',
      'event',
      'gate check',
      'release create',
      'release list',
      'release read',
      'transition',
    ],
    'every kind of request in the mix was sent',
  );
  assert.equal(serverFailures(total), 0, unexpectedSamples.join('\n'));
  assert.equal(unexpectedAnswers(total), 0, unexpectedSamples.join('\n'));
  assert.ok(run.writes.releasesChecked > 0 && run.writes.approvalsChecked > 0);
  assert.ok(run.writes.eventsChecked > 0);
  assert.deepEqual(run.writes.lost, []);
  assert.ok(run.flushes && run.flushes.count > 0, 'the server timed the flushes of its writes');
  assert.ok(run.memory.length >= 5, 'the server reported its memory while under load');
  assert.ok(run.memory.every((s) => s.heapUsed > 0 && s.rss >= s.heapUsed));
});
