import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateGate, type GateFacts } from '../gate.js';
import { orderAgenda, withinHorizon } from './agenda.js';
import { cabGateOutcome, decisionProblems, type CabDecision } from './decision.js';
import { checkpointRefusal } from './go-no-go.js';
import {
  followingOccurrence,
  meetingOccurrences,
  meetingProblems,
  nextOccurrence,
  occurrenceStartingAt,
} from './meeting.js';
import { renderMinutes } from './minutes.js';

const weekly = {
  name: 'weekly-cab',
  timeZone: 'Europe/Berlin',
  start: '2026-03-03T10:00',
  end: '2026-03-03T11:00',
  rrule: 'FREQ=WEEKLY;BYDAY=TU',
};

describe('CAB meeting recurrence', () => {
  test('the next sitting keeps 10:00 Berlin time across the March daylight-saving change', () => {
    // Europe moves to summer time on Sunday 2026-03-29: 10:00 is 09:00 UTC before, 08:00 after.
    const before = nextOccurrence(weekly, Date.parse('2026-03-24T09:30:00Z'));
    assert.deepEqual(before, {
      start: '2026-03-31T08:00:00.000Z',
      end: '2026-03-31T09:00:00.000Z',
    });
    const last = occurrenceStartingAt(weekly, Date.parse('2026-03-24T09:00:00Z'));
    assert.deepEqual(last, { start: '2026-03-24T09:00:00.000Z', end: '2026-03-24T10:00:00.000Z' });
    assert.equal(followingOccurrence(weekly, Date.parse(last!.start))!.start, before!.start);
    // And back in October (2026-10-25): 08:00 UTC before, 09:00 after.
    const october = meetingOccurrences(
      weekly,
      Date.parse('2026-10-19T00:00:00Z'),
      Date.parse('2026-11-01T00:00:00Z'),
    );
    assert.deepEqual(
      october.map((o) => o.start),
      ['2026-10-20T08:00:00.000Z', '2026-10-27T09:00:00.000Z'],
    );
  });

  test('New York sittings follow US daylight saving, not Europe’s', () => {
    const ny = {
      ...weekly,
      timeZone: 'America/New_York',
      start: '2026-03-03T09:00',
      end: '2026-03-03T10:00',
    };
    // The US changes on 2026-03-08: 14:00 UTC before, 13:00 after.
    assert.equal(
      nextOccurrence(ny, Date.parse('2026-03-04T00:00:00Z'))!.start,
      '2026-03-10T13:00:00.000Z',
    );
    assert.equal(
      nextOccurrence(ny, Date.parse('2026-03-02T00:00:00Z'))!.start,
      '2026-03-03T14:00:00.000Z',
    );
  });

  test('a one-off meeting sits once, and has no following sitting', () => {
    const once = { ...weekly, rrule: null };
    const only = nextOccurrence(once, Date.parse('2026-01-01T00:00:00Z'));
    assert.equal(only!.start, '2026-03-03T09:00:00.000Z');
    assert.equal(followingOccurrence(once, Date.parse(only!.start)), null);
    assert.equal(nextOccurrence(once, Date.parse('2026-03-04T00:00:00Z')), null);
    assert.equal(occurrenceStartingAt(once, Date.parse('2026-03-03T09:01:00Z')), null);
  });

  test('schedule problems name their field', () => {
    const base = { ...weekly, title: 'CAB' };
    assert.deepEqual(meetingProblems(base), []);
    assert.equal(meetingProblems({ ...base, timeZone: 'Nowhere/Else' })[0]!.field, '/timeZone');
    assert.equal(meetingProblems({ ...base, rrule: 'FREQ=WEEKLY;BYDAY=XX' })[0]!.field, '/rrule');
    assert.equal(meetingProblems({ ...base, end: '2026-03-03T09:00' })[0]!.field, '/end');
  });
});

describe('CAB agenda', () => {
  const item = (release: string, score: number, start: string) => ({
    release,
    risk: { score },
    plannedWindow: { start, end: start },
  });

  test('highest risk first, then the earlier window, then the key in numeric order', () => {
    const ordered = orderAgenda([
      item('REL-10', 40, '2026-03-05T10:00:00Z'),
      item('REL-2', 40, '2026-03-05T10:00:00Z'),
      item('REL-3', 80, '2026-03-06T10:00:00Z'),
      item('REL-4', 40, '2026-03-04T10:00:00Z'),
      item('REL-5', 10, '2026-03-01T10:00:00Z'),
    ]);
    assert.deepEqual(
      ordered.map((i) => i.release),
      ['REL-3', 'REL-4', 'REL-2', 'REL-10', 'REL-5'],
    );
  });

  test('the horizon is the next sitting; without one, everything pending', () => {
    assert.ok(withinHorizon('2026-03-09T23:59:59Z', '2026-03-10T09:00:00Z'));
    assert.ok(!withinHorizon('2026-03-10T09:00:00Z', '2026-03-10T09:00:00Z'));
    assert.ok(withinHorizon('2030-01-01T00:00:00Z', null));
  });
});

const decision = (over: Partial<CabDecision> = {}): CabDecision => ({
  id: 'd1',
  meeting: 'weekly-cab',
  occurrence: '2026-03-24T09:00:00.000Z',
  release: 'REL-7',
  decision: 'go',
  rationale: 'evidence complete',
  conditions: [],
  decidedBy: 'carla',
  decidedAt: '2026-03-24T09:20:00.000Z',
  ...over,
});

describe('CAB decisions', () => {
  test('a decision needs a rationale; only a Conditional Go carries conditions', () => {
    const base = { occurrence: 'x', release: 'REL-7', rationale: 'ok' };
    assert.deepEqual(decisionProblems({ ...base, decision: 'go' }), []);
    assert.deepEqual(decisionProblems({ ...base, decision: 'go', rationale: ' \n' }), [
      { field: '/rationale', reason: 'a decision must give its rationale' },
    ]);
    assert.equal(
      decisionProblems({ ...base, decision: 'conditional-go' })[0]!.field,
      '/conditions',
    );
    assert.equal(
      decisionProblems({ ...base, decision: 'no-go', conditions: ['a'] })[0]!.field,
      '/conditions',
    );
    assert.equal(
      decisionProblems({ ...base, decision: 'conditional-go', conditions: ['a', ' '] })[0]!.field,
      '/conditions/1',
    );
  });

  test('the gate outcome: none, Go, No-Go, Conditional Go open and met', () => {
    assert.equal(cabGateOutcome('REL-7', null).result, 'fail');
    assert.equal(cabGateOutcome('REL-7', decision()).result, 'pass');
    const noGo = cabGateOutcome('REL-7', decision({ decision: 'no-go', rationale: 'too risky' }));
    assert.equal(noGo.result, 'fail');
    assert.match(noGo.reason, /too risky/);
    const open = decision({
      decision: 'conditional-go',
      conditions: [
        { number: 1, text: 'load test', metBy: 'rita', metAt: 't', note: null },
        { number: 2, text: 'on-call named', metBy: null, metAt: null, note: null },
      ],
    });
    const held = cabGateOutcome('REL-7', open);
    assert.equal(held.result, 'fail');
    assert.match(held.reason, /1 of 2 condition\(s\) not yet met: #2 on-call named/);
    open.conditions[1]!.metBy = 'carla';
    assert.equal(cabGateOutcome('REL-7', open).result, 'pass');
  });

  test('the gate rule applies only on a CAB approval path', () => {
    const facts: GateFacts = {
      release: { key: 'REL-7', rollbackPlan: 'x', services: [] },
      subject: { classification: 'major', tier: 1, environment: 'prod', production: true },
      prior: null,
      evidence: { tests: null, coverage: null, findings: null, vulnerabilities: null },
      upstream: [],
      security: null,
      freeze: { services: [], approverRoles: {} },
      waivers: [],
      now: new Date('2026-03-24T10:00:00Z'),
    };
    const rule = (path: 'standard' | 'cab' | 'emergency-cab', d: CabDecision | null) =>
      evaluateGate(
        { name: 'p', match: {}, requires: { approvals: { path } } },
        { ...facts, cabDecision: d },
      ).rules.find((r) => r.rule === 'cab-decision')!.result;
    assert.equal(rule('standard', null), 'not-applicable');
    assert.equal(rule('cab', null), 'fail');
    assert.equal(rule('emergency-cab', null), 'not-applicable', 'its named approvers decide');
    assert.equal(rule('cab', decision()), 'pass');
    assert.equal(rule('emergency-cab', decision({ decision: 'no-go' })), 'fail');
  });
});

describe('Go / No-Go', () => {
  const snapshot = (verdict: 'pass' | 'fail') => ({
    verdict,
    policy: 'p',
    checkedAt: 't',
    rules: [{ rule: 'tests-pass-rate', title: 'Tests', result: verdict, reason: 'why' }],
  });
  test('a Go needs the checklist to pass; a No-Go may always be recorded', () => {
    assert.equal(checkpointRefusal('go', snapshot('pass')), null);
    assert.equal(checkpointRefusal('no-go', snapshot('fail')), null);
    assert.match(checkpointRefusal('go', snapshot('fail'))!.reason, /tests-pass-rate \(why\)/);
  });
});

test('minutes keep people’s text from becoming Markdown structure', () => {
  const md = renderMinutes({
    meeting: {
      id: 'm',
      name: 'weekly-cab',
      title: 'CAB',
      timeZone: 'Europe/Berlin',
      start: weekly.start,
      end: weekly.end,
      rrule: weekly.rrule,
      members: ['carla'],
      createdBy: 'rita',
      createdAt: 't',
    },
    occurrence: { start: 's', end: 'e' },
    nextMeeting: null,
    items: [],
    decisions: [decision({ rationale: '# heading\n| a | b |\n<script>' })],
    generatedAt: 'g',
  });
  assert.match(md, /No release needed a CAB decision/);
  assert.match(md, /Rationale: \\# heading \\\| a \\\| b \\\| \\<script\\>/);
  assert.match(md, /Next sitting: none scheduled/);
});
