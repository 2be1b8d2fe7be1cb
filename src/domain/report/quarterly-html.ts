/**
 * The quarterly health report as one self-contained HTML document: inline CSS, inline
 * SVG charts, no script and nothing fetched, so it reads offline and can be archived as
 * evidence. Every text is escaped.
 */
import type { ControlChart } from '../metrics/control-charts.js';
import {
  formatDuration,
  formatMeasure,
  formatNumber,
  formatPercent,
  formatValue,
  TREND_WORDS,
} from './format.js';
import type { QuarterlyReport } from './quarterly.js';
import { barChart, escapeXml as escape, lineChart, type ChartDatum } from './svg-chart.js';

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}
th{background:#f6f8fa}td.num{text-align:right}.better{color:#1a7f37}.worse{color:#cf222e}
.charts{display:flex;flex-wrap:wrap;gap:1rem}.chart{max-width:100%;height:auto;font-size:11px}
.chart text{fill:#1b1f24}.chart .chart-title{font-weight:600;font-size:13px}
.chart .grid{stroke:#eaeef2}.chart .axis{stroke:#57606a}.chart .series{fill:none;stroke:#0969da;stroke-width:2}
.chart .point{fill:#0969da}.chart .signal{fill:#cf222e}.chart .bar{fill:#0969da}
.chart .center{stroke:#57606a;stroke-width:1}.chart .limit{fill:none;stroke:#bf8700;stroke-dasharray:4 3}
`.trim();

function tableHtml(
  header: string[],
  rows: Array<Array<{ text: string; num?: boolean; cls?: string }>>,
): string {
  return [
    '<table>',
    `<thead><tr>${header.map((h) => `<th scope="col">${escape(h)}</th>`).join('')}</tr></thead>`,
    '<tbody>',
    ...rows.map(
      (r) =>
        `<tr>${r
          .map((c) => {
            const classes = [c.num ? 'num' : '', c.cls ?? ''].filter(Boolean).join(' ');
            return `<td${classes ? ` class="${classes}"` : ''}>${escape(c.text)}</td>`;
          })
          .join('')}</tr>`,
    ),
    '</tbody>',
    '</table>',
  ].join('\n');
}

function controlData(chart: ControlChart): ChartDatum[] {
  const signalled = new Set(chart.signals.map((s) => s.index));
  return chart.points.map((p, i) => ({
    label: p.label,
    value: p.value,
    upperLimit: p.upperLimit,
    lowerLimit: p.lowerLimit,
    signal: signalled.has(i),
  }));
}

function charts(report: QuarterlyReport): string[] {
  const hours = (v: number) => `${v.toFixed(v >= 10 ? 0 : v >= 1 ? 1 : 2)} h`;
  const percent = (v: number) => `${(v * 100).toFixed(0)} %`;
  const c = report.charts;
  return [
    barChart({
      id: 'deployments',
      title: 'Successful production deployments per week',
      yLabel: 'deployments',
      data: report.weeks.map((w) => ({ label: w.week, value: w.deployments })),
      format: (v) => v.toFixed(v < 10 && v % 1 ? 1 : 0),
    }),
    lineChart({
      id: 'change-failures',
      title: 'Change failure rate per week (p-chart)',
      yLabel: 'failed / ended',
      data: controlData(c.changeFailures),
      center: c.changeFailures.points.length ? c.changeFailures.center : undefined,
      format: percent,
    }),
    lineChart({
      id: 'lead-time',
      title: 'Median lead time per week (XmR)',
      yLabel: 'hours',
      data: controlData(c.leadTime),
      center: c.leadTime.points.length ? c.leadTime.center : undefined,
      format: hours,
    }),
    lineChart({
      id: 'time-to-restore',
      title: 'Median time to restore per week (XmR)',
      yLabel: 'hours',
      data: controlData(c.timeToRestore),
      center: c.timeToRestore.points.length ? c.timeToRestore.center : undefined,
      format: hours,
    }),
    barChart({
      id: 'defects',
      title: 'Defects per delivered release, by month',
      yLabel: 'incidents / release',
      data: report.months.map((m) => ({ label: m.month, value: m.perRelease })),
      format: (v) => v.toFixed(2),
    }),
  ];
}

export function renderQuarterlyHtml(report: QuarterlyReport): string {
  const { period } = report;
  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escape(`Quarterly health report ${report.quarter}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escape(`Quarterly health report: ${report.quarter}`)}</h1>`,
    `<p>${escape(
      `Period ${period.since} to ${period.until}${
        period.partial ? ` (in progress: data to ${period.asOf})` : ''
      }; compared with ${report.previousQuarter}. Generated ${report.generatedAt}. People are not named: action items show their owner’s team.`,
    )}</p>`,
    '<h2>Delivery measures</h2>',
    tableHtml(
      ['Measure', report.quarter, report.previousQuarter, 'Trend', 'Band'],
      report.measures.map((m) => [
        { text: m.label },
        { text: formatMeasure(m, 'current'), num: true },
        { text: formatMeasure(m, 'previous'), num: true },
        {
          text: TREND_WORDS[m.trend],
          cls: m.trend === 'better' || m.trend === 'worse' ? m.trend : '',
        },
        { text: m.band ?? '' },
      ]),
    ),
    '<h2>Trends</h2>',
    `<div class="charts">\n${charts(report).join('\n')}\n</div>`,
    '<h2>Teams</h2>',
    report.teams.length === 0
      ? '<p>No team delivered or had incidents this quarter.</p>'
      : tableHtml(
          [
            'Team',
            'Deployments',
            'Per day',
            'Lead time',
            'Change failure',
            'Time to restore',
            'Defects / release',
          ],
          report.teams.map((t) => [
            { text: t.team },
            { text: String(t.deployments), num: true },
            { text: formatValue('per-day', t.deploymentsPerDay), num: true },
            { text: formatDuration(t.medianLeadTimeMs), num: true },
            { text: formatPercent(t.changeFailureRate), num: true },
            { text: formatDuration(t.medianTimeToRestoreMs), num: true },
            { text: formatNumber(t.defectsPerRelease), num: true },
          ]),
        ),
    '<h2>Control-chart signals</h2>',
    report.signals.length === 0
      ? '<p>None: every week stayed within its control limits (Western Electric rules).</p>'
      : `<ul>\n${report.signals
          .map(
            (s) =>
              `<li>${escape(`${s.chart}, week of ${s.bucket}: ${s.rule} (${s.side}), ${s.description}`)}</li>`,
          )
          .join('\n')}\n</ul>`,
    '<h2>Top contributing factors</h2>',
    report.factors.length === 0
      ? '<p>No review closed this quarter named a factor.</p>'
      : tableHtml(
          ['Factor', 'Reviews', 'Services', 'Recurring'],
          report.factors.map((f) => [
            { text: f.factor },
            { text: String(f.reviews), num: true },
            { text: f.services.join(', ') },
            { text: f.recurring ? 'yes, named before this quarter too' : 'new this quarter' },
          ]),
        ),
    '<h2>Overdue action items</h2>',
    report.overdueActions.length === 0
      ? '<p>None.</p>'
      : tableHtml(
          ['Action', 'Review', 'Release', 'Due', 'Days overdue', 'Owner'],
          report.overdueActions.map((a) => [
            { text: a.title },
            { text: a.review },
            { text: a.release },
            { text: a.dueAt.slice(0, 10) },
            { text: String(a.daysOverdue), num: true },
            { text: a.owner },
          ]),
        ),
    '</main>',
    '</body>',
    '</html>',
    '',
  ];
  return parts.join('\n');
}
