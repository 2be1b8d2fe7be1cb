import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { beaconsToSamples, rumConfigProblems } from './rum.js';
import type { CanaryConfig } from './config.js';

describe('real-user beacons as canary samples', () => {
  test('beacons sort by version; absent measures add no sample; errors become a 0/1 rate', () => {
    const { samples, problems } = beaconsToSamples(
      {
        beacons: [
          { version: '2.4.0', lcp: 2100, jsErrors: 3 },
          { version: '2.3.9', lcp: 1900, inp: 80, jsErrors: 0 },
          { version: '2.4.0', cls: 0.1 },
        ],
      },
      '2.4.0',
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(samples.canary, {
      'rum.lcp': [2100],
      'rum.js-error-rate': [1],
      'rum.cls': [0.1],
    });
    assert.deepEqual(samples.baseline, {
      'rum.lcp': [1900],
      'rum.inp': [80],
      'rum.js-error-rate': [0],
    });
  });

  test('with a baseline version named, a third version is a problem at its index', () => {
    const { problems } = beaconsToSamples(
      { baselineVersion: '2.3.9', beacons: [{ version: '2.2.0', lcp: 1 }] },
      '2.4.0',
    );
    assert.deepEqual(
      problems.map((p) => p.field),
      ['/body/beacons/0/version'],
    );
  });

  test('config: a RUM metric must be judged with increase as harm', () => {
    const config = (direction: 'increase' | 'decrease' | 'either') =>
      ({ metrics: [{ name: 'rum.inp', direction }] }) as unknown as CanaryConfig;
    assert.deepEqual(rumConfigProblems(config('increase')), []);
    assert.match(rumConfigProblems(config('either'))[0]!.reason, /lower-is-better/);
    assert.equal(
      rumConfigProblems({
        metrics: [{ name: 'x', direction: 'increase' }],
      } as unknown as CanaryConfig)[0]!.field,
      '/config/metrics',
    );
  });
});
