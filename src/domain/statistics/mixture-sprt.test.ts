import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { mixtureSprt } from './mixture-sprt.js';

describe('mixture SPRT', () => {
  test('the likelihood ratio crosses 1/alpha exactly when the sequence excludes 0', () => {
    const random = seededRandom(3);
    for (let run = 0; run < 200; run += 1) {
      const shift = (run % 4) * 0.2;
      const d = Array.from({ length: 40 }, () => shift + random.normal());
      const s = mixtureSprt(d, { alpha: 0.05 });
      assert.equal(s.likelihoodRatio >= 20, s.lower > 0 || s.upper < 0, `run ${run}`);
    }
  });

  test('looking after every sample keeps the false-alarm rate under alpha', () => {
    const random = seededRandom(4);
    let alarms = 0;
    const runs = 400;
    for (let run = 0; run < runs; run += 1) {
      const d: number[] = [];
      for (let n = 1; n <= 150; n += 1) {
        d.push(random.normal());
        const s = mixtureSprt(d, { alpha: 0.05 });
        if (n >= 10 && (s.lower > 0 || s.upper < 0)) {
          alarms += 1;
          break;
        }
      }
    }
    assert.ok(alarms / runs <= 0.05, `${alarms} alarms in ${runs} runs`);
  });

  test('no data or one sample is an unbounded sequence, never a decision', () => {
    assert.deepEqual(mixtureSprt([], { alpha: 0.05 }).upper, Infinity);
    assert.equal(mixtureSprt([3], { alpha: 0.05 }).likelihoodRatio, 1);
    assert.throws(() => mixtureSprt([1, 2], { alpha: 1 }), /alpha/);
  });
});
