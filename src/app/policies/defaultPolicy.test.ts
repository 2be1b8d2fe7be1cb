import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { PolicySetDocument } from '../../domain/policy.js';
import { selectPolicy } from '../../domain/policy.js';
import { approvalPolicyProblems } from '../../domain/approval.js';
import { DEFAULT_POLICY_FILE, parsePolicySource } from './applyPolicySet.js';
import { policySetProblems } from './policySchema.js';

const { document } = parsePolicySource({ yaml: readFileSync(DEFAULT_POLICY_FILE, 'utf8') });
const set = document as PolicySetDocument;
const pick = (
  classification: 'major' | 'minor' | 'patch' | 'emergency',
  tier: number,
  environment: string,
) => selectPolicy(set, { classification, tier, environment, production: environment === 'prod' })!;

test('the shipped default policy set follows its own schema', () => {
  assert.deepEqual(policySetProblems(document), []);
});

test('major: full evidence and CAB; production also needs pre-prod verified and a pen test when relevant', () => {
  const prod = pick('major', 2, 'prod');
  assert.equal(prod.name, 'major-production');
  assert.deepEqual(Object.keys(prod.requires).sort(), [
    'approvals',
    'coverage',
    'dependencyReleasesReady',
    'findings',
    'penTestSignOff',
    'priorEnvironmentVerified',
    'rollbackPlan',
    'tests',
    'vulnerabilities',
  ]);
  assert.equal(prod.requires.approvals?.path, 'cab');
  assert.equal(pick('major', 3, 'uat').requires.approvals?.path, 'cab');
});

test('minor: streamlined; tier 1 production held higher; production always needs the prior environment', () => {
  const streamlined = pick('minor', 3, 'prod');
  assert.equal(streamlined.name, 'streamlined-production');
  assert.equal(streamlined.requires.coverage, undefined);
  assert.equal(pick('minor', 1, 'prod').name, 'critical-services-production');
  for (const c of ['major', 'minor', 'patch'] as const)
    for (const tier of [1, 2, 3, 4])
      assert.equal(
        pick(c, tier, 'prod').requires.priorEnvironmentVerified,
        true,
        `${c} tier ${tier}`,
      );
});

test('emergency: emergency CAB with a mandatory post-implementation review', () => {
  const emergency = pick('emergency', 1, 'prod');
  const { stages, ...path } = emergency.requires.approvals!;
  assert.deepEqual(path, { path: 'emergency-cab', postImplementationReview: true });
  // Fewer, named approvers: one stage, one approval from the named emergency CAB.
  assert.deepEqual(
    stages?.map((s) => [s.stage, s.required, s.approvers?.length]),
    [['final', 1, 4]],
  );
});

test('approval stages differ by path: four for CAB with dual final approval, one or two otherwise', () => {
  const stagesOf = (c: 'major' | 'minor' | 'emergency', tier: number) =>
    (pick(c, tier, 'prod').requires.approvals?.stages ?? []).map(
      (s) => `${s.stage}${s.dual ? '(dual)' : ''}`,
    );
  assert.deepEqual(stagesOf('major', 3), [
    'technical',
    'risk-and-compliance',
    'business',
    'final(dual)',
  ]);
  assert.deepEqual(stagesOf('minor', 1), ['technical', 'final']);
  assert.deepEqual(stagesOf('minor', 3), ['technical']);
  assert.deepEqual(stagesOf('emergency', 3), ['final']);
  assert.deepEqual(approvalPolicyProblems(set), []);
});

test('schema errors quote the schema path', () => {
  const problems = policySetProblems({
    ...set,
    policies: [{ name: 'x', match: { tiers: [5] }, requires: {} }],
  });
  assert.deepEqual(problems, [
    {
      field: '/policies/0/match/tiers/0',
      reason:
        'must be <= 4 (schema: #/properties/policies/items/properties/match/properties/tiers/items/maximum)',
    },
  ]);
});
