import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseList } from './metricAggregates.js';

test('a stored list of whole numbers reads back as the numbers written', () => {
  assert.deepEqual(parseList(null), []);
  assert.deepEqual(parseList(''), []);
  assert.deepEqual(parseList('0'), [0]);
  assert.deepEqual(parseList('7,0,120000,3600000'), [7, 0, 120_000, 3_600_000]);
  assert.deepEqual(parseList('-5,12,-0'), [-5, 12, -0]);
  const large = [Number.MAX_SAFE_INTEGER, 2 ** 52 + 1, 123_456_789_012_345];
  assert.deepEqual(parseList(large.join(',')), large);
  for (let n = 0; n < 200; n++) {
    const values = Array.from({ length: n }, (_, i) => (i * 7_919 * (n + 1)) % 1_000_003);
    assert.deepEqual(parseList(values.join(',')), values);
  }
});

test('anything but whole numbers is read as Number reads it', () => {
  for (const list of ['1.5,2', '1e3', '1,,2', ',', '1,', '--1', '1-2', ' 3'])
    assert.deepEqual(parseList(list), list.split(',').map(Number), list);
});
