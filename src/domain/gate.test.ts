import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { combineEvidence, ratio, emptySeverityCounts } from './evidence.js';
import type { Role } from './access.js';
import type { FreezeDecision } from './calendar/freeze.js';
import { evaluateGate, verdictHoldsUntil, type GateFacts, type Waiver } from './gate.js';
import { selectPolicy, type Policy, type PolicySetDocument } from './policy.js';

const NOW = new Date('2026-11-23T10:00:00Z');

function facts(overrides: Partial<GateFacts> = {}): GateFacts {
  return {
    release: { key: 'REL-7', rollbackPlan: 'redeploy 2.3', services: ['payments-api'] },
    subject: { classification: 'minor', tier: 2, environment: 'prod', production: true },
    prior: {
      environment: 'pre-prod',
      deployments: [
        { service: 'payments-api', status: 'succeeded', finishedAt: '2026-11-22T10:00:00Z' },
      ],
    },
    evidence: { tests: null, coverage: null, findings: null, vulnerabilities: null },
    upstream: [],
    security: null,
    freeze: { services: [], approverRoles: {} },
    waivers: [],
    now: NOW,
    ...overrides,
  };
}

const policy = (requires: Policy['requires']): Policy => ({ name: 'p', match: {}, requires });
const result = (verdict: ReturnType<typeof evaluateGate>, rule: string) =>
  verdict.rules.find((r) => r.rule === rule)!;

describe('gate rules', () => {
  test('pass rate counts errors as not passing and ignores skips', () => {
    const tests = {
      kind: 'tests' as const,
      tests: 10,
      passed: 7,
      failed: 1,
      errors: 1,
      skipped: 1,
      failures: [{ suite: 'A', name: 'b', message: 'boom' }],
    };
    const verdict = evaluateGate(
      policy({ tests: { minPassRate: 80 } }),
      facts({ evidence: { ...facts().evidence, tests } }),
    );
    const rule = result(verdict, 'tests-pass-rate');
    assert.equal(rule.result, 'fail');
    assert.match(
      rule.reason,
      /7 of 9 tests passed \(77\.77 %\), 1 skipped, below the 80 % required: 1 failure, 1 error; first: A › b — boom/,
    );
    const lenient = evaluateGate(
      policy({ tests: { minPassRate: 77 } }),
      facts({ evidence: { ...facts().evidence, tests } }),
    );
    assert.equal(result(lenient, 'tests-pass-rate').result, 'pass');
  });

  test('coverage thresholds for lines and branches, each with its numbers', () => {
    const coverage = {
      kind: 'coverage' as const,
      lines: ratio(78, 100),
      branches: ratio(9, 10),
      files: 3,
    };
    const verdict = evaluateGate(
      policy({ coverage: { minLines: 80, minBranches: 90 } }),
      facts({ evidence: { ...facts().evidence, coverage } }),
    );
    assert.equal(
      result(verdict, 'coverage-lines').reason,
      'line coverage 78 % (78 of 100 lines) is below the 80 % required',
    );
    assert.equal(result(verdict, 'coverage-branches').result, 'pass');
  });

  test('critical and high findings beyond the limits fail, naming the worst', () => {
    const findings = {
      kind: 'findings' as const,
      tools: ['CodeQL'],
      total: 2,
      bySeverity: { ...emptySeverityCounts(), high: 2 },
      top: [
        { ruleId: 'js/xss', severity: 'high' as const, message: 'reflected', location: 'a.js:3' },
      ],
    };
    const verdict = evaluateGate(
      policy({ findings: { maxCritical: 0, maxHigh: 1 } }),
      facts({ evidence: { ...facts().evidence, findings } }),
    );
    assert.equal(
      result(verdict, 'static-analysis').reason,
      '2 high findings (at most 1 allowed): js/xss at a.js:3 — reflected',
    );
  });

  test('rules the policy does not ask for are not applicable, and do not fail the gate', () => {
    const verdict = evaluateGate(policy({}), facts());
    assert.equal(verdict.verdict, 'pass');
    assert.ok(verdict.rules.every((r) => r.result === 'not-applicable'));
  });

  test('rollback plan, prior environment in progress, first environment', () => {
    const started = facts({
      release: { key: 'REL-7', rollbackPlan: ' ', services: ['payments-api'] },
      prior: {
        environment: 'uat',
        deployments: [{ service: 'payments-api', status: 'started', finishedAt: null }],
      },
    });
    const verdict = evaluateGate(
      policy({ rollbackPlan: true, priorEnvironmentVerified: true }),
      started,
    );
    assert.equal(result(verdict, 'rollback-plan').result, 'fail');
    assert.equal(
      result(verdict, 'prior-environment-verified').reason,
      "uat is not verified: payments-api's latest deployment there has not finished",
    );
    const first = evaluateGate(policy({ priorEnvironmentVerified: true }), facts({ prior: null }));
    assert.equal(result(first, 'prior-environment-verified').result, 'not-applicable');
  });

  test('a waiver counts until it expires, and is shown either way', () => {
    const waiver: Waiver = {
      id: 'w',
      rule: 'rollback-plan',
      justification: 'plan in runbook RB-9',
      expiresAt: '2026-11-24T00:00:00Z',
      grantedBy: 'carla',
      grantedAt: '2026-11-22T00:00:00Z',
    };
    const noPlan = { release: { key: 'REL-7', rollbackPlan: '', services: [] } };
    const active = evaluateGate(
      policy({ rollbackPlan: true }),
      facts({ ...noPlan, waivers: [waiver] }),
    );
    assert.equal(active.verdict, 'pass');
    assert.equal(result(active, 'rollback-plan').result, 'waived');
    assert.deepEqual(result(active, 'rollback-plan').waiver, waiver);
    const expired = evaluateGate(
      policy({ rollbackPlan: true }),
      facts({ ...noPlan, waivers: [waiver], now: new Date('2026-11-24T00:00:00Z') }),
    );
    assert.equal(expired.verdict, 'fail');
    assert.equal(result(expired, 'rollback-plan').result, 'fail');
  });

  test('a waiver for another rule does not help', () => {
    const waiver: Waiver = {
      id: 'w',
      rule: 'tests-pass-rate',
      justification: 'x',
      expiresAt: '2027-01-01T00:00:00Z',
      grantedBy: 'c',
      grantedAt: '2026-11-22T00:00:00Z',
    };
    const verdict = evaluateGate(
      policy({ rollbackPlan: true }),
      facts({ release: { key: 'R', rollbackPlan: '', services: [] }, waivers: [waiver] }),
    );
    assert.equal(verdict.verdict, 'fail');
  });

  test('freeze: a freeze in force fails naming the window and when it ends', () => {
    const decision = (over: Partial<FreezeDecision> = {}): FreezeDecision => ({
      allowed: true,
      at: NOW.toISOString(),
      forbiddenBy: [],
      allowedFrom: null,
      passedByException: [],
      inWindows: [],
      ...over,
    });
    const window = {
      window: 'year-end',
      kind: 'freeze' as const,
      timeZone: 'Europe/Berlin',
      start: '2026-11-20T17:00:00.000Z',
      end: '2026-11-30T05:00:00.000Z',
      description: '',
    };
    const exception = {
      id: 'x1',
      window: 'year-end',
      release: 'REL-7',
      reason: 'payments outage',
      approvedBy: 'carol',
      approvedAt: '2026-11-23T09:00:00Z',
    };
    const open = evaluateGate(
      policy({}),
      facts({
        freeze: {
          services: [{ service: 'payments-api', decision: decision() }],
          approverRoles: {},
        },
      }),
    );
    assert.equal(result(open, 'freeze-window').result, 'pass');
    assert.match(
      result(open, 'freeze-window').reason,
      /no freeze is in force for payments-api in prod/,
    );

    const frozen = evaluateGate(
      policy({}),
      facts({
        freeze: {
          services: [
            {
              service: 'payments-api',
              decision: decision({
                allowed: false,
                forbiddenBy: [window],
                allowedFrom: window.end,
              }),
            },
          ],
          approverRoles: {},
        },
      }),
    );
    assert.equal(frozen.verdict, 'fail');
    assert.match(
      result(frozen, 'freeze-window').reason,
      /payments-api is frozen by year-end .*allowed again from 2026-11-30T05:00:00.000Z/,
    );

    const withException = (roles: Role[], named?: Role[]) =>
      result(
        evaluateGate(
          policy(named ? { freeze: { exceptionApprovedBy: named } } : {}),
          facts({
            freeze: {
              services: [
                {
                  service: 'payments-api',
                  decision: decision({ passedByException: [{ ...window, exception }] }),
                },
              ],
              approverRoles: { x1: roles },
            },
          }),
        ),
        'freeze-window',
      );
    assert.equal(withException(['cab-member'], ['cab-member']).result, 'pass');
    assert.match(withException(['cab-member'], ['cab-member']).reason, /by the exception carol/);
    const wrongRole = withException(['release-manager'], ['cab-member']);
    assert.equal(wrongRole.result, 'fail');
    assert.match(wrongRole.reason, /needs one approved by cab-member/);
    assert.match(withException(['cab-member']).reason, /policy names no freeze exception approval/);
  });

  test('the freeze rule tells an empty calendar from a release without services', () => {
    const noWindows = result(evaluateGate(policy({}), facts()), 'freeze-window');
    assert.equal(noWindows.result, 'not-applicable');
    assert.equal(noWindows.reason, 'no freeze window is on the calendar');
    const noServices = result(
      evaluateGate(
        policy({}),
        facts({ release: { key: 'REL-7', rollbackPlan: 'redeploy 2.3', services: [] } }),
      ),
      'freeze-window',
    );
    assert.equal(noServices.result, 'not-applicable');
    assert.equal(noServices.reason, 'the release carries no service');
  });

  test('no matching policy fails closed', () => {
    const verdict = evaluateGate(null, facts());
    assert.equal(verdict.verdict, 'fail');
    assert.match(verdict.selectedBecause, /no policy in the set matches minor, tier 2, prod/);
  });
});

describe('policy selection', () => {
  const set: PolicySetDocument = {
    apiVersion: 'gatehouse/v1',
    kind: 'PolicySet',
    name: 's',
    policies: [
      { name: 'emergency', match: { classifications: ['emergency'] }, requires: {} },
      { name: 'tier1-prod', match: { tiers: [1], production: true }, requires: {} },
      { name: 'uat-only', match: { environments: ['uat'] }, requires: {} },
      { name: 'rest', match: {}, requires: {} },
    ],
  };
  const pick = (subject: Partial<Parameters<typeof selectPolicy>[1]>) =>
    selectPolicy(set, {
      classification: 'minor',
      tier: 2,
      environment: 'sit',
      production: false,
      ...subject,
    })?.name;

  test('first match wins, by classification, tier and environment', () => {
    assert.equal(pick({ classification: 'emergency', tier: 1, production: true }), 'emergency');
    assert.equal(pick({ tier: 1, production: true, environment: 'prod' }), 'tier1-prod');
    assert.equal(pick({ tier: 1 }), 'rest');
    assert.equal(pick({ environment: 'uat' }), 'uat-only');
    assert.equal(pick({ tier: null, production: true }), 'rest');
  });
});

describe('combining evidence', () => {
  test('files of one kind add up', () => {
    const a = { kind: 'coverage' as const, lines: ratio(8, 10), branches: ratio(0, 0), files: 1 };
    const b = { kind: 'coverage' as const, lines: ratio(2, 10), branches: ratio(1, 2), files: 2 };
    const combined = combineEvidence([a, b]);
    assert.deepEqual(combined.coverage, {
      kind: 'coverage',
      lines: ratio(10, 20),
      branches: ratio(1, 2),
      files: 3,
    });
    assert.equal(combined.tests, null);
  });

  test('artifact-signature: SAN and issuer must both match one allowed identity', () => {
    const allowed = {
      subjectAlternativeName: 'https://ci.example/acme/payments/release.yml@refs/heads/main',
      issuer: 'https://token.ci.example',
    };
    const signed = (subjectAlternativeName: string, issuer: string) =>
      combineEvidence([
        {
          kind: 'signature',
          artifactDigest: `sha256:${'a'.repeat(64)}`,
          artifactName: 'payments.tgz',
          predicateType: null,
          identity: { subjectAlternativeName, issuer },
          signedAt: '2026-11-23T09:00:00.000Z',
        },
      ]);
    const judge = (evidence: GateFacts['evidence']) =>
      result(
        evaluateGate(policy({ signature: { identities: [allowed] } }), facts({ evidence })),
        'artifact-signature',
      );
    assert.equal(
      result(evaluateGate(policy({}), facts()), 'artifact-signature').result,
      'not-applicable',
    );
    assert.match(judge(facts().evidence).reason, /no Sigstore bundle for REL-7/);
    assert.equal(judge(signed(allowed.subjectAlternativeName, allowed.issuer)).result, 'pass');
    const wrongIssuer = judge(signed(allowed.subjectAlternativeName, 'https://other.example'));
    assert.equal(wrongIssuer.result, 'fail');
    assert.match(wrongIssuer.reason, /issuer https:\/\/other\.example\): not an allowed identity/);
    assert.equal(judge(signed('https://ci.example/acme/other.yml', allowed.issuer)).result, 'fail');
  });

  test('a verdict holds until the first waiver expiry, stage due time or freeze edge ahead', () => {
    const waiver = (rule: Waiver['rule'], expiresAt: string): Waiver => ({
      id: rule,
      rule,
      justification: 'runbook RB-9',
      expiresAt,
      grantedBy: 'carla',
      grantedAt: '2026-11-22T00:00:00Z',
    });
    const noPlan = { release: { key: 'REL-7', rollbackPlan: '', services: [] } };
    const waivers = [
      waiver('rollback-plan', '2026-11-23T10:30:00Z'),
      waiver('test-pass-rate', '2026-11-23T09:00:00Z'), // already expired: no edge ahead
    ];
    const at = (iso: string) => facts({ ...noPlan, waivers, now: new Date(iso) });
    const freezeEdge = Date.parse('2026-11-23T11:00:00Z');
    const until = verdictHoldsUntil(at('2026-11-23T10:00:00Z'), freezeEdge);
    assert.equal(new Date(until).toISOString(), '2026-11-23T10:30:00.000Z');
    // The promise kept: the same verdict up to the instant before, a different one at it.
    const judge = (iso: string) =>
      evaluateGate(policy({ rollbackPlan: true }), at(iso)).rules.map((r) => r.result);
    assert.deepEqual(judge('2026-11-23T10:29:59.999Z'), judge('2026-11-23T10:00:00Z'));
    assert.notDeepEqual(judge('2026-11-23T10:30:00.000Z'), judge('2026-11-23T10:00:00Z'));
    assert.equal(verdictHoldsUntil(facts(), freezeEdge), freezeEdge, 'nothing else ahead');

    const stage = { dueAt: '2026-11-23T10:05:00.000Z' } as NonNullable<
      GateFacts['approvals']
    >['stages'][number];
    const open = facts({ approvals: { contentHash: 'h', state: 'pending', stages: [stage] } });
    assert.equal(
      verdictHoldsUntil(open, Infinity),
      Date.parse(stage.dueAt!) + 1,
      'overdue only once past the due time',
    );
  });
});
