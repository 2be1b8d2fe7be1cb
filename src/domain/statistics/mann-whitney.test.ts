import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hodgesLehmannShift } from './hodges-lehmann.js';
import { exactUpperTail, mannWhitneyU, midRanks } from './mann-whitney.js';

describe('Mann-Whitney U', () => {
  test('mid-ranks share the mean rank of a tie group', () => {
    assert.deepEqual(midRanks([3, 1, 3, 2]), { ranks: [3.5, 1, 3.5, 2], tieSizes: [1, 1, 2] });
  });

  test('complete separation of small samples uses the exact distribution', () => {
    // SciPy: mannwhitneyu([1,2,3,4],[5,6,7]) -> U=0, p=4/70 (2 × 1/35).
    const result = mannWhitneyU([1, 2, 3, 4], [5, 6, 7]);
    assert.equal(result.method, 'exact');
    assert.equal(result.u, 0);
    assert.ok(Math.abs(result.pValue - 2 / 35) < 1e-12);
  });

  test('ties force the normal approximation with the tie correction', () => {
    // SciPy: mannwhitneyu([1,2,2,3,4,9,10,11,12,15],[5,6,7,2,2,8,9,30,31],alternative='less')
    const result = mannWhitneyU([1, 2, 2, 3, 4, 9, 10, 11, 12, 15], [5, 6, 7, 2, 2, 8, 9, 30, 31], {
      alternative: 'less',
    });
    assert.equal(result.u, 40.5);
    assert.ok(Math.abs(result.pValue - 0.37138558316703096) < 1e-12);
  });

  test('identical constant samples give p = 1, not NaN', () => {
    assert.equal(mannWhitneyU([5, 5, 5], [5, 5]).pValue, 1);
  });

  test('empty or NaN samples are refused, never silently tested', () => {
    assert.throws(() => mannWhitneyU([], [1]), /empty/);
    assert.throws(() => mannWhitneyU([1, Number.NaN], [1]), /NaN/);
    assert.throws(() => mannWhitneyU([1, 1], [1, 2], { method: 'exact' }), /ties/);
  });

  test('the exact tail sums to one and is symmetric', () => {
    assert.equal(exactUpperTail(0, 3, 4), 1);
    assert.ok(Math.abs(exactUpperTail(12, 3, 4) - 1 / 35) < 1e-15);
    // P(U ≥ 7) = P(U ≤ 5) by symmetry about 6, and P(U ≥ 6) = 1 − P(U ≤ 5).
    assert.ok(Math.abs(exactUpperTail(7, 3, 4) + exactUpperTail(6, 3, 4) - 1) < 1e-12);
  });
});

describe('Hodges-Lehmann shift', () => {
  test('the estimate and interval of two shifted sequences', () => {
    // R: wilcox.test(11:20, 1:10, conf.int=TRUE) gives 10 with 95 % interval [7, 13].
    const shift = hodgesLehmannShift(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      [11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    );
    assert.deepEqual(shift, { estimate: 10, lower: 7, upper: 13, confidence: 0.95 });
  });

  test('too few observations give an unbounded interval rather than a false one', () => {
    const shift = hodgesLehmannShift([1, 2], [3], 0.98);
    assert.equal(shift.estimate, 1.5);
    assert.equal(shift.lower, -Infinity);
    assert.equal(shift.upper, Infinity);
  });
});
