import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  approvalPolicyProblems,
  dueEscalations,
  evaluateApprovals,
  judgeDecision,
  releaseContentHash,
  shortestEscalationWait,
  type ApprovalDecision,
  type ApprovalSituation,
} from './approval.js';
import type { ApprovalStagePolicy, PolicySetDocument } from './policy.js';
import { EMPTY_SCOPE } from './release.js';

const OPENED = '2026-11-02T09:00:00.000Z';
const HASH = 'h1';

const stages: ApprovalStagePolicy[] = [
  { stage: 'technical', roles: ['approver'], required: 1, timeLimit: 'PT4H' },
  {
    stage: 'final',
    roles: ['cab-member'],
    required: 2,
    dual: true,
    escalation: [
      { after: 'PT2H', to: ['lead'] },
      { after: 'P1D', to: ['head'] },
    ],
  },
];

const people = [
  { name: 'rita', roles: ['approver' as const] },
  { name: 'andy', roles: ['approver' as const] },
  { name: 'carla', roles: ['approver' as const, 'cab-member' as const] },
  { name: 'frank', roles: ['cab-member' as const] },
  { name: 'gina', roles: ['cab-member' as const] },
];

let seq = 0;
const decision = (
  stage: string,
  by: string,
  at: string,
  more: Partial<ApprovalDecision> = {},
): ApprovalDecision => ({
  id: String(++seq),
  stage,
  decision: 'approved',
  by,
  text: '',
  contentHash: HASH,
  at,
  ...more,
});

const situation = (
  decisions: ApprovalDecision[],
  now = '2026-11-02T10:00:00.000Z',
  state: ApprovalSituation['release']['state'] = 'approve',
): ApprovalSituation => ({
  release: {
    key: 'REL-1',
    state,
    requester: 'rita',
    authors: ['Andy'],
    contentHash: HASH,
    stateChangedAt: OPENED,
  },
  stages,
  decisions,
  candidates: people,
  now: new Date(now),
});

const judge = (s: ApprovalSituation, stage: string, name: string, reason?: string) => {
  const person = people.find((p) => p.name === name)!;
  return judgeDecision(s, evaluateApprovals(s), {
    stage,
    decision: reason === undefined ? 'approved' : 'rejected',
    text: reason,
    actor: person,
  });
};

test('the content hash ignores order and author case, and changes with versions', () => {
  const a = releaseContentHash({
    services: [
      { service: 'b', version: '1', artifact: null },
      { service: 'a', version: '2', artifact: null },
    ],
    scope: EMPTY_SCOPE,
    authors: ['x', 'Y'],
  });
  const b = releaseContentHash({
    services: [
      { service: 'a', version: '2', artifact: null },
      { service: 'b', version: '1', artifact: null },
    ],
    scope: EMPTY_SCOPE,
    authors: ['y', 'x'],
  });
  assert.equal(a, b);
  const c = releaseContentHash({
    services: [
      { service: 'a', version: '3', artifact: null },
      { service: 'b', version: '1', artifact: null },
    ],
    scope: EMPTY_SCOPE,
    authors: ['x', 'y'],
  });
  assert.notEqual(a, c);
});

test('stages open in order; who may approve excludes requester, authors and earlier approvers of a dual stage', () => {
  let progress = evaluateApprovals(situation([]));
  assert.deepEqual(
    progress.stages.map((s) => [s.stage, s.state, s.openedAt]),
    [
      ['technical', 'open', OPENED],
      ['final', 'waiting', null],
    ],
  );
  assert.deepEqual(progress.stages[0]!.mayApprove, ['carla']);
  assert.deepEqual(progress.stages[1]!.mayApprove, ['carla', 'frank', 'gina']);

  const done = '2026-11-02T09:30:00.000Z';
  progress = evaluateApprovals(situation([decision('technical', 'carla', done)]));
  assert.equal(progress.stages[0]!.state, 'complete');
  assert.equal(progress.stages[0]!.completedAt, done);
  assert.equal(progress.stages[1]!.state, 'open');
  assert.equal(progress.stages[1]!.openedAt, done);
  assert.deepEqual(progress.stages[1]!.mayApprove, ['frank', 'gina']);
  assert.equal(progress.state, 'pending');
});

test('outside Approve every stage waits', () => {
  const progress = evaluateApprovals(situation([], undefined, 'test'));
  assert.deepEqual(
    progress.stages.map((s) => s.state),
    ['waiting', 'waiting'],
  );
  assert.equal(
    judge(situation([], undefined, 'test'), 'technical', 'carla')?.code,
    'approval-not-open',
  );
  assert.equal(
    judge(situation([], undefined, 'cancelled'), 'technical', 'carla')?.code,
    'release-cancelled',
  );
});

test('each SoD rule: the person refused and the one allowed', () => {
  const s = situation([]);
  assert.equal(judge(s, 'technical', 'rita')?.code, 'sod-requester');
  assert.equal(
    judge(s, 'technical', 'andy')?.code,
    'sod-author',
    'authors match case-insensitively',
  );
  assert.equal(judge(s, 'technical', 'frank')?.code, 'not-a-stage-approver');
  assert.equal(judge(s, 'technical', 'carla'), null);
  const after = situation([decision('technical', 'carla', '2026-11-02T09:30:00.000Z')]);
  const dual = judge(after, 'final', 'carla');
  assert.equal(dual?.code, 'sod-dual-approval');
  assert.equal(dual?.kind, 'forbidden');
  assert.equal(judge(after, 'final', 'frank'), null);
});

test('approving twice, a closed or unopened stage, an unknown stage, a rejection without reason', () => {
  const s = situation([
    decision('technical', 'carla', '2026-11-02T09:30:00.000Z'),
    decision('final', 'frank', '2026-11-02T09:40:00.000Z'),
  ]);
  assert.equal(judge(s, 'final', 'frank')?.code, 'already-approved');
  assert.equal(judge(s, 'technical', 'carla')?.code, 'stage-complete');
  assert.equal(judge(situation([]), 'final', 'frank')?.code, 'stage-not-open');
  assert.equal(judge(s, 'business', 'frank')?.code, 'stage-not-required');
  assert.equal(judge(s, 'nope', 'frank')?.code, 'unknown-stage');
  assert.equal(judge(s, 'final', 'gina', ' ')?.code, 'reason-required');
  assert.equal(judge(s, 'final', 'gina', 'not ready'), null);
});

test('a decision for other content is void: shown, not counted', () => {
  const s = situation([decision('technical', 'carla', OPENED, { contentHash: 'old' })]);
  const progress = evaluateApprovals(s);
  assert.equal(progress.stages[0]!.given, 0);
  assert.equal(progress.stages[0]!.state, 'open');
  assert.equal(progress.stages[0]!.decisions[0]!.void, true);
  assert.equal(judge(s, 'technical', 'carla'), null, 'approving new content is allowed');
});

test('a rejection closes the stage and the whole approval', () => {
  const s = situation([
    decision('technical', 'carla', OPENED, { decision: 'rejected', text: 'no tests' }),
  ]);
  const progress = evaluateApprovals(s);
  assert.equal(progress.state, 'rejected');
  assert.deepEqual(progress.stages[0]!.rejection, { by: 'carla', reason: 'no tests', at: OPENED });
  assert.equal(judge(s, 'technical', 'carla')?.code, 'stage-rejected');
});

test('time limits mark a stage overdue; escalation levels fall due by the wait since opening', () => {
  const late = evaluateApprovals(situation([], '2026-11-02T13:00:01.000Z'));
  assert.equal(late.stages[0]!.dueAt, '2026-11-02T13:00:00.000Z');
  assert.equal(late.stages[0]!.overdue, true);
  const opened = '2026-11-02T09:30:00.000Z';
  const decided = [decision('technical', 'carla', opened)];
  const at = (iso: string) => {
    const s = situation(decided, iso);
    return dueEscalations(stages, evaluateApprovals(s), s.now).map((d) => d.level);
  };
  assert.deepEqual(at('2026-11-02T11:29:59.000Z'), []);
  assert.deepEqual(at('2026-11-02T11:30:00.000Z'), [1]);
  assert.deepEqual(at('2026-11-03T09:30:00.000Z'), [1, 2]);
});

test('the shortest escalation wait over every policy of every set, null when none escalates', () => {
  const set = (...s: ApprovalStagePolicy[][]): PolicySetDocument => ({
    apiVersion: 'gatehouse/v1',
    kind: 'PolicySet',
    name: 'x',
    policies: s.map((st, i) => ({
      name: `p${i}`,
      match: {},
      requires: { approvals: { path: 'standard', stages: st } },
    })),
  });
  const hour = 3600_000;
  assert.equal(shortestEscalationWait([]), null);
  assert.equal(shortestEscalationWait([set([{ stage: 'technical', roles: ['approver'] }])]), null);
  assert.equal(shortestEscalationWait([set(stages)]), 2 * hour);
  const quicker: ApprovalStagePolicy = {
    stage: 'technical',
    roles: ['approver'],
    escalation: [{ after: 'PT30M', to: ['lead'] }],
  };
  // An older version's quicker escalation still counts: releases stay pinned to it.
  assert.equal(shortestEscalationWait([set([quicker]), set(stages)]), hour / 2);
  assert.equal(shortestEscalationWait([set(stages, [quicker])]), hour / 2);
});

test('policy checks: stage order, who approves, enough named people, growing escalation', () => {
  const set = (s: ApprovalStagePolicy[]): PolicySetDocument => ({
    apiVersion: 'gatehouse/v1',
    kind: 'PolicySet',
    name: 'x',
    policies: [{ name: 'p', match: {}, requires: { approvals: { path: 'standard', stages: s } } }],
  });
  assert.deepEqual(approvalPolicyProblems(set(stages)), []);
  const fields = approvalPolicyProblems(
    set([
      { stage: 'final', roles: ['approver'] },
      { stage: 'technical' },
      {
        stage: 'business',
        approvers: ['one'],
        dual: true,
        timeLimit: 'PT4H',
        escalation: [
          { after: 'PT2H', to: ['a'] },
          { after: 'PT1H', to: ['b'] },
        ],
      },
    ]),
  ).map((p) => p.field);
  assert.deepEqual(fields, [
    '/policies/0/requires/approvals/stages/1/stage',
    '/policies/0/requires/approvals/stages/1',
    '/policies/0/requires/approvals/stages/2/stage',
    '/policies/0/requires/approvals/stages/2/approvers',
    '/policies/0/requires/approvals/stages/2/escalation/0/after',
    '/policies/0/requires/approvals/stages/2/escalation/1/after',
  ]);
});
