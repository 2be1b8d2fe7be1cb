import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { PolicySetDocument } from '../../domain/policy.js';
import { selectPolicy } from '../../domain/policy.js';
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
  assert.deepEqual(emergency.requires.approvals, {
    path: 'emergency-cab',
    postImplementationReview: true,
  });
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
