import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { parseCanaryConfig } from './config.js';
import { judgeCanaryFixed } from './fixed-horizon-judge.js';
import { judgeCanarySequential } from './sequential-judge.js';

const random = seededRandom(7);
const series = (n: number, mean: number, sd: number) =>
  Array.from({ length: n }, () => mean + sd * random.normal());

const config = (extra: Record<string, unknown> = {}) =>
  parseCanaryConfig({
    metrics: [
      { name: 'latency', direction: 'increase', critical: true },
      { name: 'errors', direction: 'increase' },
      { name: 'orders', direction: 'decrease' },
    ],
    ...extra,
  });

function healthy(n: number) {
  return {
    latency: series(n, 200, 20),
    errors: series(n, 5, 1),
    orders: series(n, 100, 10),
  };
}

describe('fixed-horizon judge', () => {
  test('a healthy canary passes with score 100 and is promoted', () => {
    const verdict = judgeCanaryFixed(config(), healthy(60), healthy(60));
    assert.equal(verdict.outcome, 'pass', verdict.reason);
    assert.equal(verdict.decision, 'promote');
    assert.equal(verdict.score, 100);
    assert.ok(verdict.metrics.every((m) => m.outcome === 'pass' && m.reason.length > 0));
  });

  test('a critical latency regression fails the run and says which metric and why', () => {
    const canary = { ...healthy(60), latency: series(60, 260, 20) };
    const verdict = judgeCanaryFixed(config(), healthy(60), canary);
    assert.equal(verdict.outcome, 'fail');
    assert.equal(verdict.decision, 'roll-back');
    assert.equal(verdict.score, 0);
    assert.match(verdict.reason, /critical metric failed: latency/);
    const latency = verdict.metrics.find((m) => m.metric === 'latency')!;
    assert.equal(latency.outcome, 'high');
    assert.match(latency.reason, /canary higher/);
    assert.ok((latency.statistics.shiftEstimate as number) > 40);
  });

  test('one non-critical failure of three scores 67: marginal, hold', () => {
    const canary = { ...healthy(60), orders: series(60, 70, 10) };
    const verdict = judgeCanaryFixed(config(), healthy(60), canary);
    assert.equal(verdict.metrics.find((m) => m.metric === 'orders')!.outcome, 'low');
    assert.equal(verdict.outcome, 'marginal');
    assert.equal(verdict.decision, 'hold');
    assert.equal(Math.round(verdict.score!), 67);
  });

  test('a change in the harmless direction passes', () => {
    const canary = { ...healthy(60), latency: series(60, 150, 20) };
    assert.equal(judgeCanaryFixed(config(), healthy(60), canary).outcome, 'pass');
  });

  test('a rise inside the allowed increase passes, the same rise without it fails', () => {
    const cfg = (allowedIncrease: number) =>
      parseCanaryConfig({ metrics: [{ name: 'latency', direction: 'increase', allowedIncrease }] });
    const base = { latency: series(80, 200, 5) };
    const canary = { latency: series(80, 210, 5) };
    assert.equal(judgeCanaryFixed(cfg(0.1), base, canary).outcome, 'pass');
    assert.equal(judgeCanaryFixed(cfg(0), base, canary).outcome, 'fail');
  });

  test('no data at all is inconclusive, never a pass', () => {
    const verdict = judgeCanaryFixed(config(), {}, {});
    assert.equal(verdict.outcome, 'inconclusive');
    assert.equal(verdict.decision, 'hold');
    assert.equal(verdict.score, null);
    assert.match(verdict.reason, /no metric had enough data/);
    assert.ok(verdict.metrics.every((m) => m.outcome === 'no-data'));
  });

  test('too little traffic on a metric that must have data makes the run inconclusive', () => {
    const cfg = parseCanaryConfig({ metrics: [{ name: 'latency', mustHaveData: true }] });
    const verdict = judgeCanaryFixed(
      cfg,
      { latency: series(5, 1, 1) },
      { latency: series(50, 1, 1) },
    );
    assert.equal(verdict.outcome, 'inconclusive');
    assert.equal(verdict.metrics[0]!.outcome, 'too-little-data');
    assert.match(verdict.metrics[0]!.reason, /5 baseline and 50 canary samples, 10 needed/);
  });

  test('noData: fail counts a missing metric against the score', () => {
    const cfg = parseCanaryConfig({
      metrics: [{ name: 'a' }, { name: 'b', noData: 'fail' }],
    });
    const verdict = judgeCanaryFixed(cfg, { a: series(30, 1, 0.1) }, { a: series(30, 1, 0.1) });
    assert.equal(verdict.score, 50);
    assert.equal(verdict.metrics[1]!.failing, true);
  });

  test('NaN samples are removed and counted, or read as zero', () => {
    const withNan = [...series(20, 5, 1), Number.NaN, Number.NaN];
    const removed = judgeCanaryFixed(
      parseCanaryConfig({ metrics: [{ name: 'm' }] }),
      { m: withNan },
      { m: series(20, 5, 1) },
    );
    assert.deepEqual(
      [removed.metrics[0]!.baseline.count, removed.metrics[0]!.baseline.missing],
      [20, 2],
    );
    const zero = judgeCanaryFixed(
      parseCanaryConfig({ metrics: [{ name: 'm', nan: 'zero' }] }),
      { m: withNan },
      { m: series(20, 5, 1) },
    );
    assert.equal(zero.metrics[0]!.baseline.count, 22);
    const allNan = judgeCanaryFixed(
      parseCanaryConfig({ metrics: [{ name: 'm' }] }),
      { m: [Number.NaN] },
      { m: [1] },
    );
    assert.match(allNan.metrics[0]!.reason, /no data for the baseline \(1 NaN\)/);
  });
});

describe('sequential judge', () => {
  const cfg = parseCanaryConfig({
    metrics: [{ name: 'latency', direction: 'increase' }],
    sequential: { maxSamples: 100 },
  });

  test('a large regression is caught long before the horizon', () => {
    const verdict = judgeCanarySequential(
      cfg,
      { latency: series(30, 200, 20) },
      { latency: series(30, 280, 20) },
    );
    assert.equal(verdict.outcome, 'fail');
    assert.equal(verdict.metrics[0]!.outcome, 'high');
    assert.match(verdict.metrics[0]!.reason, /anytime-valid/);
  });

  test('a healthy canary is undecided before the horizon and passes at it', () => {
    const base = series(100, 200, 20);
    const canary = series(100, 200, 20);
    const partial = judgeCanarySequential(
      cfg,
      { latency: base.slice(0, 30) },
      { latency: canary.slice(0, 30) },
    );
    assert.equal(partial.outcome, 'inconclusive');
    assert.equal(partial.metrics[0]!.outcome, 'undecided');
    assert.match(partial.reason, /still gathering evidence on latency/);
    const full = judgeCanarySequential(cfg, { latency: base }, { latency: canary });
    assert.equal(full.outcome, 'pass', full.reason);
  });

  test('a canary clearly better than allowed passes early', () => {
    const verdict = judgeCanarySequential(
      parseCanaryConfig({
        metrics: [{ name: 'latency', direction: 'increase', allowedIncrease: 0.2 }],
      }),
      { latency: series(30, 200, 5) },
      { latency: series(30, 200, 5) },
    );
    assert.equal(verdict.outcome, 'pass', verdict.reason);
  });

  test('empty series are inconclusive', () => {
    const verdict = judgeCanarySequential(cfg, { latency: [] }, { latency: [] });
    assert.equal(verdict.outcome, 'inconclusive');
  });
});

describe('canary config', () => {
  test('unknown fields and bad values are named', () => {
    assert.throws(
      () => parseCanaryConfig({ metrics: [{ name: 'a', direction: 'up' }] }),
      (e: Error & { field?: string }) => e.field === '/metrics/0/direction',
    );
    assert.throws(() => parseCanaryConfig({ metrics: [] }), /metrics/);
    assert.throws(
      () => parseCanaryConfig({ metrics: [{ name: 'a' }, { name: 'a' }] }),
      /listed twice/,
    );
  });
});
