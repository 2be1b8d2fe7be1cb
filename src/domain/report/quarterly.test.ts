import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HtmlValidate } from 'html-validate';
import { pChart, uChart, xmrChart } from '../metrics/control-charts.js';
import { defectDensityReport } from '../metrics/defect-density.js';
import { doraReport } from '../metrics/dora.js';
import type { MetricFacts } from '../metrics/facts.js';
import { parseQuarter, previousQuarter, quarterOf } from './quarter.js';
import { renderQuarterlyHtml } from './quarterly-html.js';
import { renderQuarterlyMarkdown } from './quarterly-markdown.js';
import { buildQuarterlyReport, scrubPeople, trendOf, type QuarterlyInputs } from './quarterly.js';
import { barChart, lineChart, niceMax } from './svg-chart.js';

const Q3 = parseQuarter('2026-Q3', '/q').quarter!;
const Q2 = previousQuarter(Q3);
const HOSTILE_TEAM = '<script>alert("x")</script> & co';

function facts(team: string, days: number[], failedDays: number[], month: string): MetricFacts {
  const deployment = (day: number, status: string) => {
    const at = `2026-${month}-${String(day).padStart(2, '0')}T10:00:00.000Z`;
    return {
      group: team,
      startedAt: at,
      finishedAt: at.replace('T10', 'T11'),
      status,
      releaseCreatedAt: at.replace('T10', 'T04'),
      causedIncident: false,
      emergency: false,
    };
  };
  return {
    deployments: [
      ...days.map((d) => deployment(d, 'succeeded')),
      ...failedDays.map((d) => deployment(d, 'failed')),
    ],
    incidents: [],
    releases: [],
  };
}

function inputs(overrides: Partial<QuarterlyInputs> = {}): QuarterlyInputs {
  const current = doraReport(facts(HOSTILE_TEAM, [1, 2, 8, 9], [3, 10], '07'), Q3, 'team', 'week');
  const previous = doraReport(facts('payments', [1, 2, 3, 4], [], '04'), Q2, 'team', 'month');
  const fact = (release: string, deliveredAt: string, defects: number) => ({
    release,
    group: HOSTILE_TEAM,
    deliveredAt,
    changedServices: 1,
    defects,
  });
  const defects = defectDensityReport(
    {
      groups: [
        fact('r1', '2026-07-01T11:00:00.000Z', 1),
        fact('r2', '2026-08-01T11:00:00.000Z', 0),
      ],
      overall: [
        fact('r1', '2026-07-01T11:00:00.000Z', 1),
        fact('r2', '2026-08-01T11:00:00.000Z', 0),
      ],
    },
    Q3,
    'team',
    'month',
  );
  const previousDefects = defectDensityReport({ groups: [], overall: [] }, Q2, 'team', 'month');
  // Eight calm weeks, then one far off: the XmR chart signals it.
  const leadTimes = [2, 2.2, 1.9, 2.1, 2, 2.1, 1.9, 2, 30].map((value, i) => ({
    label: `2026-07-${String(i + 1).padStart(2, '0')}`,
    value,
  }));
  return {
    quarter: Q3,
    asOf: Q3.until,
    generatedAt: '2026-10-05T00:00:00.000Z',
    current,
    previous: previous.overall,
    defects,
    previousDefects: previousDefects.overall,
    charts: {
      changeFailures: pChart([{ label: '2026-06-29', defective: 2, inspected: 6 }]),
      postReleaseDefects: uChart([{ label: '2026-06-29', defects: 1, units: 4 }]),
      timeToRestore: xmrChart([]),
      leadTime: xmrChart(leadTimes),
    },
    factors: [{ factor: 'test-gap', reviews: 2, services: ['auth'], recurring: true }],
    overdueActions: [
      {
        title: 'Zelda Marchetti to rotate keys | <b>now</b>',
        review: 'REV-1',
        release: 'REL-1',
        dueAt: '2026-09-30T00:00:00.000Z',
        ownerTeam: null,
        hasOwner: true,
      },
      {
        title: 'Write the runbook',
        review: 'REV-1',
        release: 'REL-1',
        dueAt: '2026-10-01T12:00:00.000Z',
        ownerTeam: 'platform',
        hasOwner: true,
      },
      {
        title: 'Unowned',
        review: 'REV-2',
        release: 'REL-2',
        dueAt: '2026-10-01T12:00:00.000Z',
        ownerTeam: null,
        hasOwner: false,
      },
    ],
    people: ['u-123', 'zelda', 'Zelda Marchetti', 'zelda@example.org'],
    ...overrides,
  };
}

describe('quarters', () => {
  test('YYYY-Qn in UTC; anything else is a problem naming the field', () => {
    assert.deepEqual(
      [Q3.since, Q3.until, Q3.label],
      ['2026-07-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z', '2026-Q3'],
    );
    assert.equal(previousQuarter(parseQuarter('2026-Q1', '/q').quarter!).label, '2025-Q4');
    assert.equal(quarterOf(new Date('2026-12-31T23:59:59Z')).label, '2026-Q4');
    for (const bad of ['2026-Q0', '2026-Q5', '2026q3', '2026-Q3 ', '0999-Q1', ''])
      assert.equal(parseQuarter(bad, '/params/quarter').problem?.field, '/params/quarter', bad);
  });
});

describe('the quarterly report builder', () => {
  test('trends: better or worse by the measure’s direction; within 5 % steady', () => {
    assert.equal(trendOf(10, 5, true), 'better');
    assert.equal(trendOf(10, 5, false), 'worse');
    assert.equal(trendOf(1.04, 1, false), 'steady');
    assert.equal(trendOf(0, 0, true), 'steady');
    assert.equal(trendOf(null, 1, true), 'no-data');
  });

  test('people are scrubbed from free text, whole words only', () => {
    const people = ['zelda', 'Zelda Marchetti', 'zelda@example.org', 'u-1'];
    assert.equal(
      scrubPeople('Zelda Marchetti and zelda@example.org (u-1) ask ZELDA; marchetti too', people),
      'a person and a person (a person) ask a person; a person too',
    );
    assert.equal(scrubPeople('Zeldas and u-12 stay', people), 'Zeldas and u-12 stay');
  });

  test('measures against the previous quarter, teams, signals, factors and anonymised overdue actions', () => {
    const report = buildQuarterlyReport(inputs());
    assert.equal(report.quarter, '2026-Q3');
    assert.equal(report.previousQuarter, '2026-Q2');
    assert.equal(report.period.partial, false);
    const m = Object.fromEntries(report.measures.map((x) => [x.key, x]));
    assert.equal(m['deployment-frequency']!.current, 4 / 92);
    assert.equal(m['deployment-frequency']!.previous, 4 / 91);
    assert.equal(m['deployment-frequency']!.trend, 'steady');
    assert.equal(m['change-failure-rate']!.current, 2 / 6);
    assert.equal(m['change-failure-rate']!.previous, 0);
    assert.equal(m['change-failure-rate']!.trend, 'worse');
    assert.equal(m['defect-density']!.current, 0.5);
    assert.equal(m['defect-density']!.trend, 'no-data');
    assert.deepEqual(
      report.teams.map((t) => [t.team, t.deployments, t.defectsPerRelease]),
      [[HOSTILE_TEAM, 4, 0.5]],
    );
    assert.ok(report.signals.length > 0);
    assert.ok(report.signals.every((s) => s.chart === 'Median lead time, hours (XmR)'));
    assert.ok(report.signals.some((s) => s.bucket === '2026-07-09' && s.rule === 'beyond-3-sigma'));
    assert.deepEqual(
      report.overdueActions.map((a) => [a.owner, a.daysOverdue, a.title]),
      [
        ['an owner', 5, 'a person to rotate keys | <b>now</b>'],
        ['platform', 3, 'Write the runbook'],
        ['no owner', 3, 'Unowned'],
      ],
    );
    assert.equal(report.months.length, 3);
  });

  test('HTML: valid, self-contained, every text escaped, charts inline, nobody named', async () => {
    const html = renderQuarterlyHtml(buildQuarterlyReport(inputs()));
    const result = await new HtmlValidate({ extends: ['html-validate:standard'] }).validateString(
      html,
    );
    assert.equal(
      result.valid,
      true,
      JSON.stringify(result.results.flatMap((r) => r.messages.map((x) => x.message))),
    );
    assert.ok(!html.includes('<script>'), 'a hostile team name is escaped');
    assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co'));
    assert.ok(html.includes('&lt;b&gt;now&lt;/b&gt;'));
    assert.equal((html.match(/<svg /g) ?? []).length, 5);
    assert.ok(html.includes('class="signal"'), 'the signalled week is marked');
    assert.ok(!/zelda|marchetti|u-123/i.test(html));
  });

  test('Markdown: the tables with cells escaped; nobody named', () => {
    const md = renderQuarterlyMarkdown(buildQuarterlyReport(inputs()));
    assert.match(md, /^# Quarterly health report: 2026-Q3\n/);
    assert.match(md, /\| Change failure rate \| 33\.3 % \| 0\.0 % \| ▼ worse \| low \|/);
    assert.match(md, /\| a person to rotate keys \\\| &lt;b&gt;now&lt;\/b&gt; \| REV-1 \|/);
    assert.match(
      md,
      /- Median lead time, hours \(XmR\), week of 2026-07-09: beyond-3-sigma \(above\)/,
    );
    assert.match(md, /\| test-gap \| 2 \| auth \| yes, named before this quarter too \|/);
    assert.ok(!/zelda|marchetti|u-123/i.test(md));
  });

  test('an empty quarter still renders, saying so', async () => {
    const empty = inputs({
      current: doraReport({ deployments: [], incidents: [], releases: [] }, Q3, 'team', 'week'),
      factors: [],
      overdueActions: [],
    });
    const report = buildQuarterlyReport(empty);
    const md = renderQuarterlyMarkdown(report);
    assert.match(md, /No team delivered or had incidents this quarter\./);
    assert.match(md, /## Overdue action items\n\nNone\./);
    const html = renderQuarterlyHtml(report);
    const result = await new HtmlValidate({ extends: ['html-validate:standard'] }).validateString(
      html,
    );
    assert.equal(result.valid, true);
  });
});

describe('SVG charts', () => {
  test('axes scale to a nice maximum; labels and titles escaped; gaps break the line', () => {
    assert.deepEqual([niceMax(0), niceMax(0.3), niceMax(7), niceMax(120)], [1, 0.5, 10, 200]);
    const svg = lineChart({
      id: 'c',
      title: 'A <title> & more',
      yLabel: 'hours',
      data: [
        { label: 'w1', value: 1 },
        { label: 'w2', value: null },
        { label: 'w3', value: 2 },
        { label: 'w4', value: 3, signal: true },
      ],
      format: (v) => v.toFixed(1),
    });
    assert.ok(svg.includes('<title id="c-title">A &lt;title&gt; &amp; more</title>'));
    assert.equal((svg.match(/class="series"/g) ?? []).length, 1, 'w3–w4 only: w1 stands alone');
    assert.equal((svg.match(/<circle /g) ?? []).length, 3);
    assert.ok(svg.includes('>5.0</text>'), 'the axis tops out at the nice maximum');
    const bars = barChart({
      id: 'b',
      title: 'Bars',
      yLabel: 'n',
      data: [
        { label: 'a', value: 2 },
        { label: 'b', value: 0 },
      ],
      format: String,
    });
    assert.equal((bars.match(/<rect /g) ?? []).length, 2);
  });
});
