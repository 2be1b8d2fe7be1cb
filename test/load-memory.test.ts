/**
 * How the sustained-load run judges memory growth (bench/load/memory.ts): a line fitted
 * through samples, so a saw-tooth heap does not read as growth and a slow leak does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryBetween, memoryGrowth, type MemorySample } from '../bench/load/memory.js';

const MB = 1024 * 1024;
const START = Date.parse('2026-11-23T12:00:00Z');

/** One sample every 5 s for `minutes`, heap and RSS given in MB by the functions. */
function samples(
  minutes: number,
  heap: (minute: number, i: number) => number,
  rss: (minute: number) => number,
): MemorySample[] {
  return Array.from({ length: minutes * 12 }, (_, i) => {
    const minute = i / 12;
    return {
      at: START + i * 5000,
      heapUsed: heap(minute, i) * MB,
      heapTotal: 200 * MB,
      rss: rss(minute) * MB,
      external: 0,
      arrayBuffers: 0,
    };
  });
}

test('a saw-tooth heap around a flat level is not growth', () => {
  // Collected every 6 samples (30 s) from 120 MB back to 80 MB.
  const run = samples(
    10,
    (_, i) => 80 + (i % 6) * 8,
    () => 300,
  );
  const growth = memoryGrowth(run, START, 2)!;
  assert.ok(Math.abs(growth.heapSlopeMbPerMin) < 0.5, String(growth.heapSlopeMbPerMin));
  assert.equal(growth.rssSlopeMbPerMin, 0);
  assert.equal(growth.samples, 8 * 12);
});

test('a slow leak under the same saw-tooth is found, at its rate', () => {
  const run = samples(
    10,
    (minute, i) => 80 + (i % 6) * 8 + 3 * minute,
    (minute) => 300 + 1.5 * minute,
  );
  const growth = memoryGrowth(run, START, 2)!;
  assert.ok(Math.abs(growth.heapSlopeMbPerMin - 3) < 0.5, String(growth.heapSlopeMbPerMin));
  assert.equal(growth.rssSlopeMbPerMin, 1.5);
});

test('warm-up is left out, and too few samples give no verdict', () => {
  // Fast growth in the first two minutes (caches filling), flat after.
  const run = samples(
    6,
    (minute) => Math.min(minute, 2) * 40 + 60,
    () => 200,
  );
  assert.ok(Math.abs(memoryGrowth(run, START, 2)!.heapSlopeMbPerMin) < 0.01);
  assert.ok(memoryGrowth(run, START, 0)!.heapSlopeMbPerMin > 5);
  assert.equal(memoryGrowth(run.slice(0, 2), START, 0), null);
});

test('per-window means take only the samples inside the window', () => {
  const run = samples(
    2,
    (minute) => (minute < 1 ? 100 : 200),
    () => 400,
  );
  assert.deepEqual(memoryBetween(run, START, START + 60_000), { heapMb: 100, rssMb: 400 });
  assert.deepEqual(memoryBetween(run, START + 60_000, START + 120_000), {
    heapMb: 200,
    rssMb: 400,
  });
  assert.equal(memoryBetween(run, START + 600_000, START + 660_000), null);
});

test('anonymous RSS is fitted on its own: a growing mapped file is not the process growing', () => {
  // The database file mapped by SQLite's reader grows 5 MB a minute; the process's own
  // memory is flat. Samples without the split (not Linux) give no anonymous figures.
  const run = samples(
    10,
    () => 100,
    (minute) => 250 + 5 * minute,
  ).map((s) => ({ ...s, rssAnon: 200 * MB, rssFile: s.rss - 200 * MB }));
  const growth = memoryGrowth(run, START, 2)!;
  assert.equal(growth.rssSlopeMbPerMin, 5);
  assert.equal(growth.anonSlopeMbPerMin, 0);
  assert.equal(growth.anonStartMb, 200);
  assert.deepEqual(memoryBetween(run, START, START + 60_000), {
    heapMb: 100,
    rssMb: 252.3,
    anonMb: 200,
  });
  const plain = memoryGrowth(
    samples(
      10,
      () => 100,
      () => 300,
    ),
    START,
    2,
  )!;
  assert.equal(plain.anonSlopeMbPerMin, null);
  assert.equal(plain.anonEndMb, null);
});
