import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HealthObservation } from './acceptance-criteria.js';
import { decideRollout, type RolloutDecisionInput } from './rollout-decision.js';

const START = '2026-11-23T10:00:00Z';
const at = (minute: number) => new Date(Date.parse(START) + minute * 60_000).toISOString();
const healthy = (minute: number): HealthObservation => ({
  at: at(minute),
  errorRate: 0.01,
  p95LatencyMs: 320,
  businessMetric: 100,
});
/** One observation a minute from `from` to `to` inclusive. */
const minutes = (from: number, to: number, make = healthy) =>
  Array.from({ length: to - from + 1 }, (_, i) => make(from + i));

const input = (
  observations: HealthObservation[],
  now: number,
  extra: Partial<RolloutDecisionInput> = {},
): RolloutDecisionInput => ({
  rollout: { steps: [5, 25, 50, 100], current: 0, stepStartedAt: START },
  baseline: { p95LatencyMs: 300, businessMetric: 100 },
  observations,
  now: at(now),
  ...extra,
});

describe('rollout decisions', () => {
  test('30 sustained healthy minutes promote the canary to the next step', () => {
    const decision = decideRollout(input(minutes(0, 31), 31));
    assert.equal(decision.decision, 'promote');
    assert.equal(decision.nextPercent, 25);
    assert.equal(decision.halted, false);
    assert.match(decision.reason, /SLOs met for 31 minutes at 5 %: promote to 25 %/);
    assert.ok(decision.evidence.length > 0 && decision.evidence.every((c) => c.met));
  });

  test('fewer healthy minutes hold, saying how many of the 30 were met', () => {
    const decision = decideRollout(input(minutes(0, 12), 12));
    assert.equal(decision.decision, 'hold');
    assert.equal(decision.nextPercent, 5);
    assert.match(decision.reason, /12 of the 30 sustained minutes/);
  });

  test('an error rate above 5 % rolls back and halts the rollout, with evidence', () => {
    const obs = minutes(0, 20);
    obs[7] = { ...obs[7]!, errorRate: 0.08 };
    const decision = decideRollout(input(obs, 20));
    assert.equal(decision.decision, 'roll-back');
    assert.equal(decision.halted, true);
    assert.equal(decision.nextPercent, 0);
    assert.deepEqual(
      decision.evidence.map((e) => [e.criterion, e.observed, e.at]),
      [['error-rate', 0.08, at(7)]],
    );
    assert.match(decision.reason, /error rate 8.00 % \(limit 5.00 %\)/);
  });

  test('p95 up more than 200 ms and business down more than 10 % are triggers', () => {
    const slow = minutes(0, 5, (m) => ({ ...healthy(m), p95LatencyMs: m === 3 ? 501 : 320 }));
    assert.equal(decideRollout(input(slow, 5)).evidence[0]!.criterion, 'p95-latency');
    const within = minutes(0, 5, (m) => ({ ...healthy(m), p95LatencyMs: 500, businessMetric: 90 }));
    assert.equal(decideRollout(input(within, 5)).decision, 'hold');
    const lost = minutes(0, 5, (m) => ({ ...healthy(m), businessMetric: m === 2 ? 89 : 100 }));
    assert.equal(decideRollout(input(lost, 5)).evidence[0]!.criterion, 'business-metric');
  });

  test('a breach after the 60-minute trigger window does not roll back; it resets the sustained run', () => {
    const obs = minutes(0, 95);
    obs[70] = { ...obs[70]!, errorRate: 0.2 };
    const decision = decideRollout(input(obs, 95));
    assert.equal(decision.decision, 'hold');
    assert.equal(decision.healthyMinutes, 24);
  });

  test('the breaker can require consecutive breaches', () => {
    const obs = minutes(0, 10);
    obs[4] = { ...obs[4]!, errorRate: 0.2 };
    const criteria = { breachesToTrip: 2 };
    assert.equal(decideRollout(input(obs, 10, { criteria })).decision, 'hold');
    obs[5] = { ...obs[5]!, errorRate: 0.3 };
    const decision = decideRollout(input(obs, 10, { criteria }));
    assert.equal(decision.decision, 'roll-back');
    assert.equal(decision.evidence.length, 2);
  });

  test('missing data and gaps are never healthy', () => {
    const blind = minutes(0, 40, (m) => ({ ...healthy(m), errorRate: null }));
    assert.equal(decideRollout(input(blind, 40)).decision, 'hold');
    const gappy = [...minutes(0, 10), ...minutes(20, 40)];
    const decision = decideRollout(input(gappy, 40));
    assert.equal(decision.decision, 'hold');
    assert.equal(decision.healthyMinutes, 20);
    const stale = decideRollout(input(minutes(0, 35), 50));
    assert.match(stale.reason, /no health data in the last 5 minutes/);
  });

  test('a failed canary verdict rolls back; a held one blocks promotion', () => {
    const obs = minutes(0, 40);
    const back = decideRollout(
      input(obs, 40, { canary: { decision: 'roll-back', reason: 'latency high' } }),
    );
    assert.equal(back.decision, 'roll-back');
    const held = decideRollout(
      input(obs, 40, { canary: { decision: 'hold', reason: 'inconclusive' } }),
    );
    assert.equal(held.decision, 'hold');
  });

  test('the last step completes, and a multi-service rollback runs dependents first', () => {
    const decision = decideRollout(
      input(minutes(0, 40), 40, {
        rollout: { steps: [5, 100], current: 1, stepStartedAt: START },
        services: {
          names: ['payments', 'web', 'ledger'],
          edges: new Map([
            ['web', ['payments']],
            ['payments', ['ledger']],
          ]),
        },
      }),
    );
    assert.equal(decision.nextPercent, 100);
    assert.match(decision.reason, /rollout is complete/);
    assert.deepEqual(decision.rollbackOrder, ['web', 'payments', 'ledger']);
  });
});
