import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantileSorted } from 'simple-statistics';
import { quantilesInPlace } from './quantiles.js';

const PS = [0, 0.1, 0.5, 0.9, 1];

test('quantiles by selection equal quantileSorted over the sorted values', () => {
  let seed = 3;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  const shapes: Array<(n: number) => number[]> = [
    (n) => Array.from({ length: n }, () => Math.floor(random() * 1e9)),
    (n) => Array.from({ length: n }, () => Math.floor(random() * 5)), // many ties
    (n) => Array.from({ length: n }, (_, i) => i), // ascending
    (n) => Array.from({ length: n }, (_, i) => n - i), // descending
    (n) => Array.from({ length: n }, () => 42), // all equal
    (n) => Array.from({ length: n }, () => Math.floor(random() * 2e6) - 1e6), // negative too
  ];
  for (const shape of shapes)
    for (const n of [1, 2, 3, 4, 5, 10, 11, 99, 100, 1001]) {
      const values = shape(n);
      const sorted = [...values].sort((a, b) => a - b);
      const expected = PS.map((p) => quantileSorted(sorted, p));
      assert.deepEqual(quantilesInPlace(Float64Array.from(values), PS), expected, `n ${n}`);
      // One quantile alone, as the weekly series ask.
      assert.deepEqual(quantilesInPlace(Float64Array.from(values), [0.5]), [expected[2]]);
    }
});

test('no values, no quantiles', () => {
  assert.deepEqual(quantilesInPlace(new Float64Array(0), [0.5, 0.9]), [null, null]);
});
