import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseTemplate,
  DEFAULT_REVIEW_POLICY as policy,
  dueAt,
  isMandatory,
  reviewTriggers,
  type ReviewPolicy,
} from './triggers.js';

const transition = (
  to: string,
  classification: 'minor' | 'emergency' | 'major',
  tier: number | null,
) => ({ kind: 'transition', to, classification, tier }) as const;

test('tier-1 and emergency reviews open when the change is live or has gone wrong', () => {
  assert.deepEqual(reviewTriggers(policy, transition('deploy', 'minor', 1)), []);
  assert.deepEqual(
    reviewTriggers(policy, transition('verify', 'minor', 1)).map((t) => t.kind),
    ['tier'],
  );
  assert.deepEqual(reviewTriggers(policy, transition('verify', 'minor', 2)), []);
  assert.deepEqual(
    reviewTriggers(policy, transition('verify', 'emergency', 3)).map((t) => t.kind),
    ['emergency'],
  );
  assert.deepEqual(
    reviewTriggers(policy, transition('rolled-back', 'major', 1)).map((t) => t.kind),
    ['tier', 'rollback'],
  );
});

test('incidents trigger by severity', () => {
  assert.equal(
    reviewTriggers(policy, { kind: 'incident', incident: 'INC-1', severity: 2 }).length,
    1,
  );
  assert.equal(
    reviewTriggers(policy, { kind: 'incident', incident: 'INC-2', severity: 3 }).length,
    0,
  );
});

test('triggers follow the policy data', () => {
  const quiet: ReviewPolicy = { triggers: { rollback: true }, mandatory: [] };
  assert.deepEqual(reviewTriggers(quiet, transition('verify', 'emergency', 1)), []);
  const fired = reviewTriggers(quiet, transition('rolled-back', 'minor', 4));
  assert.deepEqual(
    fired.map((t) => t.kind),
    ['rollback'],
  );
  assert.equal(isMandatory(quiet, fired), false);
  assert.equal(isMandatory(policy, fired), true);
});

test('low-risk releases with only light triggers get the light template', () => {
  const tier = reviewTriggers(policy, transition('verify', 'minor', 1));
  assert.equal(chooseTemplate(policy, 'minor', tier), 'light');
  assert.equal(chooseTemplate(policy, 'major', tier), 'full');
  const rollback = reviewTriggers(policy, transition('rolled-back', 'minor', 1));
  assert.equal(chooseTemplate(policy, 'minor', rollback), 'full');
  assert.equal(chooseTemplate({ triggers: {} }, 'minor', tier), 'full');
});

test('due dates come from the template', () => {
  const from = new Date('2026-03-02T10:00:00Z');
  assert.equal(dueAt(policy, 'full', from), '2026-03-07T10:00:00.000Z');
  assert.equal(dueAt(policy, 'light', from), '2026-03-12T10:00:00.000Z');
});
