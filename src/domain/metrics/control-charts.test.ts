import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  pChart,
  uChart,
  westernElectricSignals,
  xmrChart,
  type ChartPoint,
} from './control-charts.js';

/** Points already in σ units around 0, so each rule can be fed exactly. */
const standard = (values: number[]): ChartPoint[] =>
  values.map((value, i) => ({
    label: `p${i}`,
    value,
    center: 0,
    upperLimit: 3,
    lowerLimit: -3,
    sigma: 1,
  }));
const fired = (values: number[]) =>
  westernElectricSignals(standard(values)).map((s) => `${s.rule}@${s.index}:${s.side}`);

test('rule 1: one point beyond 3σ, either side', () => {
  assert.deepEqual(fired([0.5, -0.5, 3.5]), ['beyond-3-sigma@2:above']);
  assert.deepEqual(fired([0.2, -3.2]), ['beyond-3-sigma@1:below']);
  assert.deepEqual(fired([2.9, -2.9]), []);
});

test('rule 2: two of three beyond 2σ on the same side', () => {
  assert.deepEqual(fired([2.5, 0, 2.2]), ['2-of-3-beyond-2-sigma@2:above']);
  assert.deepEqual(fired([2.5, 0, -2.2]), [], 'opposite sides do not count together');
  assert.deepEqual(fired([-2.1, -2.4]), [], 'fewer than three points is no window');
});

test('rule 3: four of five beyond 1σ on the same side', () => {
  assert.deepEqual(fired([-1.5, -1.2, -0.2, -1.1, -1.3]), ['4-of-5-beyond-1-sigma@4:below']);
  assert.deepEqual(fired([1.5, 1.2, 0.2, 0.9, 1.3]), []);
});

test('rule 4: eight in a row on one side, marked at each point that completes a run', () => {
  assert.deepEqual(fired(Array(8).fill(0.3)), ['8-on-one-side@7:above']);
  assert.deepEqual(fired([...Array(9).fill(-0.3)]), [
    '8-on-one-side@7:below',
    '8-on-one-side@8:below',
  ]);
  assert.deepEqual(fired([...Array(7).fill(0.3), -0.1]), []);
});

test('a signal names its rule in words', () => {
  const [signal] = westernElectricSignals(standard([0, 4]));
  assert.equal(signal!.description, 'one point beyond 3σ from the centre line');
  assert.equal(signal!.label, 'p1');
});

test('XmR: centre, σ from the mean moving range, limits and the moving-range chart', () => {
  const chart = xmrChart([5, 7, 6, 8].map((value, i) => ({ label: `w${i}`, value })));
  assert.equal(chart.center, 6.5);
  const mrBar = 5 / 3;
  assert.ok(Math.abs(chart.points[0]!.upperLimit - (6.5 + 2.66 * mrBar)) < 0.01);
  assert.ok(Math.abs(chart.points[0]!.lowerLimit - (6.5 - 2.66 * mrBar)) < 0.01);
  assert.deepEqual(chart.movingRange!.values, [2, 1, 2]);
  assert.ok(Math.abs(chart.movingRange!.upperLimit - 3.267 * mrBar) < 1e-9);
  assert.deepEqual(chart.signals, []);
});

test('XmR: a spike after a stable run is a 3σ signal', () => {
  const values = [...Array.from({ length: 20 }, (_, i) => 10 + (i % 2)), 30];
  const chart = xmrChart(values.map((value, i) => ({ label: `d${i}`, value })));
  assert.ok(chart.signals.some((s) => s.rule === 'beyond-3-sigma' && s.index === 20));
});

test('p-chart: limits vary with the sample, clipped to [0, 1]; empty periods are left out', () => {
  const chart = pChart([
    { label: 'a', defective: 5, inspected: 100 },
    { label: 'b', defective: 10, inspected: 200 },
    { label: 'c', defective: 15, inspected: 100 },
    { label: 'd', defective: 0, inspected: 0 },
  ]);
  assert.equal(chart.center, 0.075);
  assert.deepEqual(
    chart.points.map((p) => p.label),
    ['a', 'b', 'c'],
  );
  const sigmaA = Math.sqrt((0.075 * 0.925) / 100);
  assert.ok(Math.abs(chart.points[0]!.upperLimit - (0.075 + 3 * sigmaA)) < 1e-12);
  assert.equal(chart.points[0]!.lowerLimit, 0);
  assert.ok(chart.points[1]!.upperLimit < chart.points[0]!.upperLimit, 'a larger sample, tighter');
  assert.equal(chart.points[2]!.value, 0.15);
});

test('u-chart: defects per unit with limits ū ± 3√(ū/n)', () => {
  const chart = uChart([
    { label: 'a', defects: 4, units: 2 },
    { label: 'b', defects: 6, units: 3 },
    { label: 'c', defects: 0, units: 0 },
  ]);
  assert.equal(chart.center, 2);
  assert.equal(chart.points[0]!.upperLimit, 5);
  assert.equal(chart.points[0]!.lowerLimit, 0);
  assert.equal(chart.points.length, 2);
});

test('a flat process: any departure is a signal, none when nothing moves', () => {
  assert.deepEqual(xmrChart([1, 1, 1].map((value, i) => ({ label: `${i}`, value }))).signals, []);
  const p = pChart([
    { label: 'a', defective: 0, inspected: 10 },
    { label: 'b', defective: 0, inspected: 10 },
  ]);
  assert.equal(p.center, 0);
  assert.deepEqual(p.signals, []);
});
