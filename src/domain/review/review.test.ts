import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reviewMarkdown } from './markdown.js';
import {
  closingProblems,
  isActionOverdue,
  sectionProblems,
  TEMPLATES,
  type ActionItem,
  type Review,
} from './review.js';

const item = (overrides: Partial<ActionItem> = {}): ActionItem => ({
  id: 'a1',
  review: 'REV-1',
  title: 'Alert on pool saturation',
  owner: 'dan',
  dueAt: '2026-03-10T00:00:00.000Z',
  successCriteria: 'alert fires at 80%',
  status: 'open',
  overdue: false,
  createdAt: '2026-03-01T00:00:00.000Z',
  updatedAt: '2026-03-01T00:00:00.000Z',
  ...overrides,
});

const review = (overrides: Partial<Review> = {}): Review => ({
  id: 'r1',
  key: 'REV-1',
  release: 'REL-7',
  releaseTitle: 'Ledger 3.1',
  services: ['ledger'],
  status: 'open',
  template: 'light',
  mandatory: true,
  triggers: [{ kind: 'tier', reason: 'the release ships a tier-1 service' }],
  dueAt: '2026-03-12T00:00:00.000Z',
  overdue: false,
  sections: TEMPLATES.light.map((s) => ({ ...s, text: '' })),
  causes: [],
  factors: [],
  actionItems: [],
  openedAt: '2026-03-02T00:00:00.000Z',
  closedAt: null,
  closedBy: null,
  revision: 1,
  ...overrides,
});

test('templates keep facts before analysis', () => {
  for (const template of Object.values(TEMPLATES)) {
    const kinds = template.map((s) => s.kind);
    assert.equal(kinds.lastIndexOf('fact') < kinds.indexOf('analysis'), true);
  }
});

test('closing names each empty mandatory section and each action item lacking owner or due date', () => {
  const r = review({
    actionItems: [item(), item({ title: 'Rotate keys', owner: null, dueAt: null })],
  });
  assert.deepEqual(
    closingProblems(r).map((p) => p.field),
    ['/sections/summary', '/sections/lessons', '/actionItems/1/owner', '/actionItems/1/dueAt'],
  );
  const done = review({
    sections: TEMPLATES.light.map((s) => ({ ...s, text: s.mandatory ? 'written' : '' })),
    actionItems: [item()],
  });
  assert.deepEqual(closingProblems(done), []);
  const blank = review({
    sections: TEMPLATES.light.map((s) => ({ ...s, text: s.mandatory ? '   \n' : '' })),
  });
  assert.equal(closingProblems(blank).length, 2, 'whitespace is not a written section');
});

test('unknown section names are refused naming each', () => {
  assert.deepEqual(sectionProblems('light', { summary: 'x' }), []);
  assert.deepEqual(
    sectionProblems('light', { detection: 'x', summary: 'y' }).map((p) => p.field),
    ['/sections/detection'],
  );
  assert.deepEqual(sectionProblems('full', { detection: 'x' }), []);
});

test('an action item is overdue only while unfinished and past due', () => {
  const now = new Date('2026-03-11T00:00:00Z');
  assert.equal(isActionOverdue({ dueAt: '2026-03-10T00:00:00Z', status: 'open' }, now), true);
  assert.equal(
    isActionOverdue({ dueAt: '2026-03-10T00:00:00Z', status: 'in-progress' }, now),
    true,
  );
  assert.equal(isActionOverdue({ dueAt: '2026-03-10T00:00:00Z', status: 'done' }, now), false);
  assert.equal(isActionOverdue({ dueAt: '2026-03-12T00:00:00Z', status: 'open' }, now), false);
  assert.equal(isActionOverdue({ dueAt: null, status: 'open' }, now), false);
});

test('Markdown nests 5 Whys chains, groups fishbone causes and marks the speculative ones', () => {
  const cause = (id: string, parent: string | null, text: string, evidence = true) => ({
    id,
    method: 'five-whys' as const,
    text,
    parent,
    category: null,
    factor: null,
    evidence: evidence ? [{ kind: 'incident' as const, ref: 'INC-3' }] : [],
    speculative: !evidence,
    author: 'rita',
    createdAt: '2026-03-02T00:00:00.000Z',
  });
  const md = reviewMarkdown(
    review({
      causes: [
        cause('w1', null, 'Writes timed out'),
        cause('w2', 'w1', 'The pool was too small', false),
        {
          ...cause('f1', null, 'No load test for bursts'),
          method: 'fishbone',
          category: 'tooling',
        },
      ],
      factors: [{ factor: 'capacity', note: 'pool sized for last year' }],
      actionItems: [item({ title: 'Size | pools', overdue: true })],
    }),
    [
      {
        at: '2026-03-01T10:00:00.000Z',
        source: 'transition',
        text: 'deploy → verify',
        ref: null,
        by: 'dan',
      },
    ],
    [{ field: '/sections/summary', sentence: 'Dan broke it.', person: 'dan', reason: 'blames' }],
  );
  assert.match(md, /^# REV-1: post-release review of REL-7\n/);
  assert.match(
    md,
    /- Why\? Writes timed out — evidence: incident:INC-3\n {2}- Why\? The pool was too small — \*\*speculative: no evidence linked\*\*/,
  );
  assert.match(md, /- \*\*tooling\*\*\n {2}- No load test for bursts/);
  assert.match(md, /\| 2026-03-01T10:00:00.000Z \| transition \| deploy → verify \| dan \|/);
  assert.match(md, /\| Size \\\| pools \| dan \| 2026-03-10T00:00:00.000Z \(overdue\) \|/);
  assert.match(md, /- capacity: pool sized for last year/);
  assert.match(md, /## Blameless-language flags\n\n- `\/sections\/summary`: "Dan broke it."/);
});
