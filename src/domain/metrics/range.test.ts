import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf, bucketsIn, checkRange } from './range.js';

test('a range must have both ends, in order, and not be too long', () => {
  assert.deepEqual(
    checkRange(undefined, '2026-01-01T00:00:00Z').problems.map((p) => p.field),
    ['/querystring/since'],
  );
  assert.match(checkRange('2026-01-01T00:00:00Z', undefined).problems[0]!.reason, /unbounded/);
  const reversed = checkRange('2026-02-01T00:00:00Z', '2026-01-01T00:00:00Z');
  assert.equal(reversed.range, null);
  assert.equal(reversed.problems[0]!.field, '/querystring/until');
  assert.match(reversed.problems[0]!.reason, /reversed/);
  assert.equal(checkRange('2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z').problems.length, 1);
  assert.equal(checkRange('2020-01-01T00:00:00Z', '2026-01-01T00:00:00Z').problems.length, 1);
  assert.match(checkRange('soon', '2026-01-01T00:00:00Z').problems[0]!.reason, /not an ISO 8601/);
  assert.deepEqual(checkRange('2026-01-01T01:00:00+01:00', '2026-02-01T00:00:00Z').range, {
    since: '2026-01-01T00:00:00.000Z',
    until: '2026-02-01T00:00:00.000Z',
  });
});

test('buckets are UTC days, ISO weeks from Monday and calendar months', () => {
  assert.equal(bucketOf('2026-03-11T23:59:59.000Z', 'day'), '2026-03-11');
  assert.equal(bucketOf('2026-03-11T10:00:00.000Z', 'week'), '2026-03-09');
  assert.equal(bucketOf('2026-03-09T00:00:00.000Z', 'week'), '2026-03-09');
  assert.equal(bucketOf('2026-03-08T23:00:00.000Z', 'week'), '2026-03-02');
  assert.equal(bucketOf('2026-01-01T00:00:00.000Z', 'week'), '2025-12-29');
  assert.equal(bucketOf('2026-03-31T12:00:00.000Z', 'month'), '2026-03');
  // The last day, Monday 9 March, opens a third week.
  const range = { since: '2026-02-25T00:00:00.000Z', until: '2026-03-10T00:00:00.000Z' };
  assert.deepEqual(bucketsIn(range, 'week'), ['2026-02-23', '2026-03-02', '2026-03-09']);
  assert.deepEqual(bucketsIn(range, 'month'), ['2026-02', '2026-03']);
  assert.equal(bucketsIn(range, 'day').length, 13);
});
