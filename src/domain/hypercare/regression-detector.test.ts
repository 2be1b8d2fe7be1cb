import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { seededRandom } from '../../../test/support/seeded-random.js';
import { detectRegression, referenceOf, stabilisationHours } from './regression-detector.js';

const random = seededRandom(11);
const noise = (n: number, level: number, sd: number) =>
  Array.from({ length: n }, () => level + sd * random.normal());

describe('hypercare regression detector', () => {
  test('a lasting rise after the marker is found, with its direction and delay', () => {
    const finding = detectRegression(noise(200, 100, 5), noise(100, 115, 5));
    assert.equal(finding.status, 'regression');
    assert.ok(finding.status === 'regression' && finding.direction === 'up');
    assert.ok(finding.afterSamples < 10, `took ${finding.afterSamples} samples`);
    assert.match(finding.reason, /moved up from its pre-deployment median/);
  });

  test('a fall is found as down', () => {
    const finding = detectRegression(noise(200, 100, 5), noise(100, 80, 5));
    assert.ok(finding.status === 'regression' && finding.direction === 'down');
  });

  test('the same behaviour after the marker is stable', () => {
    assert.equal(detectRegression(noise(300, 100, 5), noise(300, 100, 5)).status, 'stable');
  });

  test('one wild spike does not alarm on its own', () => {
    const after = noise(100, 100, 5);
    after[10] = 1e9;
    assert.equal(detectRegression(noise(200, 100, 5), after).status, 'stable');
  });

  test('a metric that swings on its own needs a larger change (self-calibration)', () => {
    // History with a 40-sample burst of +20 that was not a regression.
    const before = [...noise(100, 100, 1), ...noise(40, 120, 1), ...noise(148, 100, 1)];
    const burst = [...noise(30, 120, 1), ...noise(90, 100, 1)];
    assert.equal(detectRegression(before, burst).status, 'stable');
    assert.equal(detectRegression(before, burst, { calibration: 0 }).status, 'regression');
    assert.equal(detectRegression(before, noise(120, 120, 1)).status, 'regression');
  });

  test('too little history or no data after cannot be judged, and says so', () => {
    const short = detectRegression(noise(10, 1, 1), noise(50, 1, 1));
    assert.equal(short.status, 'cannot-judge');
    assert.match(short.reason, /only 10 samples before the deployment, 30 needed/);
    const blind = detectRegression(noise(50, 1, 1), [Number.NaN, Number.NaN]);
    assert.equal(blind.status, 'cannot-judge');
  });

  test('a flat history still registers a change', () => {
    assert.deepEqual(referenceOf([5, 5, 5]), { median: 5, scale: 0.005 });
    assert.equal(
      detectRegression(new Array(50).fill(5), new Array(20).fill(6)).status,
      'regression',
    );
  });

  test('the stabilisation window is 72 hours for major releases, 24 for minor', () => {
    assert.equal(stabilisationHours('major'), 72);
    assert.equal(stabilisationHours('minor'), 24);
  });
});
