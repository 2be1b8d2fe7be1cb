import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { instantText } from './instant-text.js';

test('writes instants exactly as toISOString does: leap days, century years, the edges', () => {
  const edges = [
    0,
    1,
    Date.UTC(2000, 1, 29, 23, 59, 59, 999),
    Date.UTC(2000, 2, 1),
    Date.UTC(2100, 1, 28, 12),
    Date.UTC(2100, 2, 1),
    Date.UTC(2026, 2, 29, 1, 0),
    Date.UTC(2026, 11, 31, 23, 59, 59, 999),
    Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  ];
  for (const ms of edges) assert.equal(instantText(ms), new Date(ms).toISOString(), String(ms));
});

test('agrees with toISOString on 50,000 seeded random instants', () => {
  const random = seededRandom(2400);
  const last = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
  for (let i = 0; i < 50_000; i++) {
    // Half anywhere in 1970–9999, half within a few years of now, where releases are.
    const ms =
      i % 2 === 0
        ? Math.floor(random.next() * last)
        : Date.UTC(2024, 0, 1) + Math.floor(random.next() * 5 * 366 * 86_400_000);
    assert.equal(instantText(ms), new Date(ms).toISOString(), String(ms));
  }
});

test('leaves what it does not write to toISOString: before 1970, fractions, after 9999', () => {
  for (const ms of [-1, -86_400_001, 1.5, Date.UTC(10000, 0, 1)])
    assert.equal(instantText(ms), new Date(ms).toISOString());
  assert.throws(() => instantText(Number.NaN), RangeError);
});
