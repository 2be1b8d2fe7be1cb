import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestBudget } from './rateLimit.js';

const T0 = Date.parse('2026-11-24T09:00:00Z');

test('a key spends its budget in its own window; the next window starts afresh', () => {
  const budget = new RequestBudget(3, 60_000);
  assert.deepEqual(
    [0, 1, 2].map((s) => budget.spend('a', T0 + s * 1000)),
    [0, 0, 0],
  );
  // The fourth request in the window waits until the window that began at T0 ends.
  assert.equal(budget.spend('a', T0 + 10_000), 50_000);
  assert.equal(budget.spend('a', T0 + 59_999), 1);
  // Another key is not affected.
  assert.equal(budget.spend('b', T0 + 10_000), 0);
  // At the window's end the count starts again, refusals included in the old window.
  assert.equal(budget.spend('a', T0 + 60_000), 0);
  assert.equal(budget.spend('a', T0 + 60_001), 0);
  assert.equal(budget.spend('a', T0 + 60_002), 0);
  assert.equal(budget.spend('a', T0 + 60_003), 59_997);
});

test('memory is bounded: beyond the key limit the least recently seen key starts again', () => {
  const budget = new RequestBudget(1, 60_000, 2);
  assert.equal(budget.spend('a', T0), 0);
  assert.equal(budget.spend('a', T0), 60_000);
  budget.spend('b', T0);
  budget.spend('c', T0); // evicts a
  assert.equal(budget.spend('a', T0 + 1), 0);
  assert.equal(budget.spend('c', T0 + 1), 59_999);
});
