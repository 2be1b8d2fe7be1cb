/** The quarterly health report's Markdown summary: the tables, without the charts. */
import {
  formatDuration,
  formatMeasure,
  formatNumber,
  formatPercent,
  TREND_WORDS,
} from './format.js';
import type { QuarterlyReport } from './quarterly.js';

/** A table cell: no line breaks, pipes escaped, no raw HTML. */
export function markdownCell(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replaceAll('\\', '\\\\')
    .replaceAll('|', '\\|')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .trim();
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ];
}

export function renderQuarterlyMarkdown(report: QuarterlyReport): string {
  const { period } = report;
  const lines: string[] = [
    `# Quarterly health report: ${report.quarter}`,
    '',
    `Period ${period.since} to ${period.until}${
      period.partial ? ` (in progress: data to ${period.asOf})` : ''
    }; compared with ${report.previousQuarter}. Generated ${report.generatedAt}.`,
    'People are not named: action items show their owner’s team.',
    '',
    '## Delivery measures',
    '',
    ...table(
      ['Measure', report.quarter, report.previousQuarter, 'Trend', 'Band'],
      report.measures.map((m) => [
        m.label,
        formatMeasure(m, 'current'),
        formatMeasure(m, 'previous'),
        TREND_WORDS[m.trend],
        m.band ?? '',
      ]),
    ),
    '',
    '## Teams',
    '',
  ];
  if (report.teams.length === 0) lines.push('No team delivered or had incidents this quarter.');
  else
    lines.push(
      ...table(
        [
          'Team',
          'Deployments',
          'Lead time',
          'Change failure',
          'Time to restore',
          'Defects / release',
        ],
        report.teams.map((t) => [
          t.team,
          String(t.deployments),
          formatDuration(t.medianLeadTimeMs),
          formatPercent(t.changeFailureRate),
          formatDuration(t.medianTimeToRestoreMs),
          formatNumber(t.defectsPerRelease),
        ]),
      ),
    );
  lines.push('', '## Control-chart signals', '');
  if (report.signals.length === 0)
    lines.push('None: every week stayed within its control limits (Western Electric rules).');
  else
    lines.push(
      ...report.signals.map(
        (s) =>
          `- ${markdownCell(s.chart)}, week of ${s.bucket}: ${s.rule} (${s.side}), ${markdownCell(s.description)}`,
      ),
    );
  lines.push('', '## Top contributing factors', '');
  if (report.factors.length === 0) lines.push('No review closed this quarter named a factor.');
  else
    lines.push(
      ...table(
        ['Factor', 'Reviews', 'Services', 'Recurring'],
        report.factors.map((f) => [
          f.factor,
          String(f.reviews),
          f.services.join(', '),
          f.recurring ? 'yes, named before this quarter too' : 'new this quarter',
        ]),
      ),
    );
  lines.push('', '## Overdue action items', '');
  if (report.overdueActions.length === 0) lines.push('None.');
  else
    lines.push(
      ...table(
        ['Action', 'Review', 'Release', 'Due', 'Days overdue', 'Owner'],
        report.overdueActions.map((a) => [
          a.title,
          a.review,
          a.release,
          a.dueAt.slice(0, 10),
          String(a.daysOverdue),
          a.owner,
        ]),
      ),
    );
  lines.push('');
  return lines.join('\n');
}
