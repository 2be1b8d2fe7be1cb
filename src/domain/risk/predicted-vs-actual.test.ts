import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeBands, type ReleaseOutcome } from './predicted-vs-actual.js';

const outcome = (
  handLevel: ReleaseOutcome['handLevel'],
  state: ReleaseOutcome['state'],
  incidents = 0,
  predictedFailure: number | null = null,
): ReleaseOutcome => ({
  release: 'REL-1',
  state,
  handScore: 0,
  handLevel,
  predictedFailure,
  failed: state === 'failed',
  rolledBack: state === 'rolled-back',
  incidents,
  worstSeverity: incidents ? 2 : null,
  wentWrong: state !== 'closed' || incidents > 0,
});

test('outcomes aggregate by predicted level with observed and predicted rates', () => {
  const bands = outcomeBands([
    outcome('low', 'closed', 0, 0.1),
    outcome('low', 'closed', 1, 0.2),
    outcome('low', 'closed', 0, 0.3),
    outcome('low', 'closed', 0, 0.2),
    outcome('high', 'rolled-back', 0, 0.7),
    outcome('high', 'failed', 2, 0.9),
  ]);
  assert.deepEqual(bands[0], {
    level: 'low',
    releases: 4,
    failed: 0,
    rolledBack: 0,
    withIncidents: 1,
    wentWrong: 1,
    observedRate: 0.25,
    meanPredictedFailure: 0.2,
  });
  assert.equal(bands[1]!.releases, 0);
  assert.equal(bands[1]!.observedRate, null);
  assert.equal(bands[1]!.meanPredictedFailure, null);
  assert.deepEqual(
    [bands[2]!.failed, bands[2]!.rolledBack, bands[2]!.wentWrong, bands[2]!.observedRate],
    [1, 1, 2, 1],
  );
  assert.equal(bands[2]!.meanPredictedFailure, 0.8);
});
