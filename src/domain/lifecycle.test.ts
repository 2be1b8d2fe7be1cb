import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateTransition, nextStates, TRANSITIONS, type TransitionFacts } from './lifecycle.js';
import { RELEASE_STATES, type Release } from './release.js';

const now = new Date('2026-06-10T12:00:00Z');

function release(overrides: Partial<Release> = {}): Release {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    key: 'REL-1',
    title: 'Checkout 3.1',
    version: '3.1.0',
    state: 'plan',
    classification: 'minor',
    changeType: 'normal',
    strategy: 'rolling',
    services: [{ service: 'checkout', version: '3.1.0', artifact: null }],
    scope: { features: ['one-click'], fixes: [], exclusions: [], workItems: [], commits: [] },
    justification: 'conversion',
    rollbackPlan: 'redeploy 3.0.4',
    plannedWindow: { start: '2026-06-10T11:00:00.000Z', end: '2026-06-10T13:00:00.000Z' },
    team: 'checkout',
    requester: 'alice',
    revision: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    stateChangedAt: now.toISOString(),
    ...overrides,
  };
}

const facts = (r: Release, extra: Partial<TransitionFacts> = {}): TransitionFacts => ({
  release: r,
  now,
  productionEnvironment: 'prod',
  deployments: [],
  reason: undefined,
  ...extra,
});

describe('release lifecycle', () => {
  test('every state names its exits and terminal states have none', () => {
    for (const state of RELEASE_STATES) assert.ok(state in TRANSITIONS, state);
    for (const state of ['closed', 'rolled-back', 'failed', 'cancelled'] as const)
      assert.deepEqual(nextStates(state), []);
    assert.deepEqual(nextStates('approve').sort(), ['cancelled', 'deploy', 'no-go']);
  });

  test('a skipped stage is refused, naming where the release can go', () => {
    const result = evaluateTransition('deploy', facts(release()));
    assert.equal(result.allowed, false);
    assert.equal(result.checks[0]!.check, 'transition-allowed');
    assert.match(result.checks[0]!.reason, /Plan can move to Prepare or Cancelled, not Deploy/);
  });

  test('a refusal lists every failed check, not only the first', () => {
    const r = release({ state: 'plan', services: [], justification: ' ' });
    const result = evaluateTransition('prepare', facts(r));
    assert.equal(result.allowed, false);
    assert.deepEqual(
      result.checks.filter((c) => !c.passed).map((c) => c.check),
      ['services-listed', 'justification-present'],
    );
  });

  test('prepare → test needs scope and a rollback plan', () => {
    const bare = release({
      state: 'prepare',
      scope: { features: [], fixes: [], exclusions: [], workItems: [], commits: [] },
      rollbackPlan: '',
    });
    assert.deepEqual(
      evaluateTransition('test', facts(bare))
        .checks.filter((c) => !c.passed)
        .map((c) => c.check),
      ['scope-defined', 'rollback-plan-present'],
    );
    assert.equal(evaluateTransition('test', facts(release({ state: 'prepare' }))).allowed, true);
  });

  test('deployment starts only inside the planned window, except for emergencies', () => {
    const early = release({
      state: 'approve',
      plannedWindow: { start: '2026-06-11T00:00:00.000Z', end: '2026-06-11T02:00:00.000Z' },
    });
    const refused = evaluateTransition('deploy', facts(early));
    assert.equal(refused.allowed, false);
    assert.match(refused.checks[0]!.reason, /opens at 2026-06-11T00:00:00.000Z/);
    assert.equal(
      evaluateTransition('deploy', facts({ ...early, classification: 'emergency' })).allowed,
      true,
    );
    assert.equal(evaluateTransition('deploy', facts(release({ state: 'approve' }))).allowed, true);
  });

  test('verify needs a successful production deployment of every service and none running', () => {
    const r = release({
      state: 'deploy',
      services: [
        { service: 'checkout', version: '1', artifact: null },
        { service: 'cart', version: '2', artifact: null },
      ],
    });
    const partial = evaluateTransition(
      'verify',
      facts(r, {
        deployments: [
          { service: 'checkout', environment: 'prod', status: 'succeeded' },
          { service: 'cart', environment: 'uat', status: 'succeeded' },
        ],
      }),
    );
    assert.equal(partial.allowed, false);
    assert.match(
      partial.checks.find((c) => c.check === 'deployed-to-production')!.reason,
      /for cart$/,
    );
    const running = evaluateTransition(
      'verify',
      facts(r, {
        deployments: [
          { service: 'checkout', environment: 'prod', status: 'succeeded' },
          { service: 'cart', environment: 'prod', status: 'succeeded' },
          { service: 'cart', environment: 'prod', status: 'started' },
        ],
      }),
    );
    assert.deepEqual(
      running.checks.filter((c) => !c.passed).map((c) => c.check),
      ['no-deployment-in-progress'],
    );
    const done = evaluateTransition(
      'verify',
      facts(r, {
        deployments: [
          { service: 'checkout', environment: 'prod', status: 'succeeded' },
          { service: 'cart', environment: 'prod', status: 'succeeded' },
        ],
      }),
    );
    assert.equal(done.allowed, true);
  });

  test('side exits need a reason', () => {
    const r = release({ state: 'approve' });
    assert.equal(evaluateTransition('no-go', facts(r)).allowed, false);
    assert.equal(
      evaluateTransition('no-go', facts(r, { reason: 'CAB found the rollback untested' })).allowed,
      true,
    );
    assert.equal(
      evaluateTransition('plan', facts(release({ state: 'no-go' }), { reason: 'reworked' }))
        .allowed,
      true,
    );
  });
});
