import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkIncidentTimes,
  suggestCauses,
  timeToDetectMs,
  timeToRestoreMs,
  type CandidateDeployment,
} from './incident.js';

const NOW = new Date('2026-03-10T12:00:00Z');

test('ordered instants pass; MTTD and MTTR are measured from the start', () => {
  const times = {
    startedAt: '2026-03-10T09:00:00Z',
    detectedAt: '2026-03-10T09:12:00Z',
    acknowledgedAt: '2026-03-10T09:15:00Z',
    resolvedAt: '2026-03-10T10:30:00Z',
  };
  assert.deepEqual(checkIncidentTimes(times, NOW), []);
  assert.equal(timeToDetectMs(times), 12 * 60_000);
  assert.equal(timeToRestoreMs(times), 90 * 60_000);
  assert.equal(timeToRestoreMs({ ...times, resolvedAt: null }), null);
});

test('each instant out of order is refused against the later field', () => {
  const problems = checkIncidentTimes(
    {
      startedAt: '2026-03-10T09:00:00Z',
      detectedAt: '2026-03-10T08:00:00Z',
      acknowledgedAt: null,
      resolvedAt: '2026-03-10T07:00:00Z',
    },
    NOW,
  );
  assert.deepEqual(
    problems.map((p) => p.field),
    ['/detectedAt', '/resolvedAt'],
  );
  assert.match(problems[0]!.reason, /cannot be detected .* before it started/);
  assert.match(problems[1]!.reason, /cannot be resolved .* before it was detected/);
});

test('an unknown detection time is skipped: resolution is checked against the start', () => {
  const problems = checkIncidentTimes(
    {
      startedAt: '2026-03-10T09:00:00Z',
      detectedAt: null,
      acknowledgedAt: null,
      resolvedAt: '2026-03-10T08:59:00Z',
    },
    NOW,
  );
  assert.deepEqual(problems, [
    {
      field: '/resolvedAt',
      reason:
        'an incident cannot be resolved (2026-03-10T08:59:00Z) before it started (2026-03-10T09:00:00Z)',
    },
  ]);
});

test('instants in the future are refused', () => {
  const problems = checkIncidentTimes(
    {
      startedAt: '2026-03-10T13:00:00Z',
      detectedAt: '2026-03-10T13:05:00Z',
      acknowledgedAt: null,
      resolvedAt: null,
    },
    NOW,
  );
  assert.deepEqual(
    problems.map((p) => p.field),
    ['/startedAt', '/detectedAt'],
  );
});

const candidate = (over: Partial<CandidateDeployment>): CandidateDeployment => ({
  deployment: 'd',
  release: 'REL-1',
  service: 'ledger',
  version: '1.0.0',
  environment: 'prod',
  status: 'succeeded',
  startedAt: '2026-03-10T08:00:00Z',
  finishedAt: '2026-03-10T08:10:00Z',
  relation: 'same-service',
  ...over,
});

test('suggestions: own service before dependency, nearer before further, with reasons', () => {
  const incident = { service: 'ledger', startedAt: '2026-03-10T09:00:00Z' };
  const suggestions = suggestCauses(incident, [
    candidate({
      deployment: 'far',
      startedAt: '2026-03-09T20:00:00Z',
      finishedAt: '2026-03-09T20:30:00Z',
    }),
    candidate({ deployment: 'near' }),
    candidate({ deployment: 'dep', service: 'auth', relation: 'dependency' }),
    candidate({ deployment: 'after', startedAt: '2026-03-10T09:01:00Z', finishedAt: null }),
    candidate({
      deployment: 'old',
      startedAt: '2026-03-09T07:00:00Z',
      finishedAt: '2026-03-09T07:10:00Z',
    }),
    candidate({
      deployment: 'running',
      startedAt: '2026-03-10T08:55:00Z',
      finishedAt: '2026-03-10T09:20:00Z',
    }),
  ]);
  assert.deepEqual(
    suggestions.map((s) => s.deployment),
    ['running', 'near', 'dep', 'far'],
  );
  assert.equal(suggestions[0]!.score, 1);
  assert.match(suggestions[0]!.reason, /was still deploying when the incident started/);
  assert.match(
    suggestions[1]!.reason,
    /^ledger 1\.0\.0 \(the incident's service\) finished 50 min before/,
  );
  assert.match(suggestions[2]!.reason, /a dependency of ledger/);
  assert.match(suggestions[3]!.reason, /finished 12\.5 h before/);
  assert.ok(suggestions[2]!.score < suggestions[1]!.score);
});
