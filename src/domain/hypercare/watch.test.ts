import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { harmful, judgeWatch, type MetricFinding } from './watch.js';

const up = {
  status: 'regression' as const,
  direction: 'up' as const,
  afterSamples: 5,
  reason: 'up',
};
const finding = (metric: string, status: MetricFinding['status']): MetricFinding => ({
  metric,
  status,
  reason: status,
  afterSamples: 5,
});

describe('hypercare watch', () => {
  test('only a shift in the harmful direction is a regression', () => {
    assert.equal(harmful(up, 'increase'), 'regression');
    assert.equal(harmful(up, 'either'), 'regression');
    assert.equal(harmful(up, 'decrease'), 'stable');
    assert.equal(harmful({ ...up, direction: 'down' }, 'decrease'), 'regression');
  });

  test('a regression ends the watch at once; the rest waits for the window to end', () => {
    assert.equal(
      judgeWatch([finding('latency', 'regression'), finding('errors', 'stable')], false).status,
      'regression',
    );
    assert.equal(judgeWatch([finding('latency', 'stable')], false).status, 'watching');
    assert.equal(judgeWatch([finding('latency', 'stable')], true).status, 'stable');
  });

  test('a window that ends unjudged is cannot-judge, never a pass', () => {
    const unread = judgeWatch(
      [finding('latency', 'stable'), finding('errors', 'unreadable')],
      true,
    );
    assert.equal(unread.status, 'cannot-judge');
    assert.match(unread.reason, /errors/);
    assert.equal(judgeWatch([], true).status, 'cannot-judge');
  });
});
