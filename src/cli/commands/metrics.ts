import { type Command, InvalidArgumentError } from 'commander';
import type { DoraReport, GroupMetrics } from '../../domain/metrics/dora.js';
import { BUCKETS, DIMENSIONS } from '../../domain/metrics/range.js';
import { request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { formatDuration } from './durations.js';
import { connect, type GlobalOptions } from './global.js';
import { defectDensityCommand } from './defect-density.js';

const oneOf =
  (name: string, values: readonly string[]) =>
  (value: string): string => {
    if (!values.includes(value))
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    return value;
  };

const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);
const band = (b: string | null) => (b === null ? '' : ` (${b})`);

function row(g: GroupMetrics): Record<string, string> {
  return {
    group: g.group,
    'deploys/day': `${g.deploymentFrequency.perDay.toFixed(2)}${band(g.deploymentFrequency.band)}`,
    'lead time': `${formatDuration(g.leadTimeForChanges.medianMs)}${band(g.leadTimeForChanges.band)}`,
    'change fail': `${percent(g.changeFailureRate.rate)}${band(g.changeFailureRate.band)}`,
    restore: `${formatDuration(g.timeToRestore.medianMs)}${band(g.timeToRestore.band)}`,
    rework: percent(g.reworkRate.rate),
    success: percent(g.releaseSuccessRate.rate),
    'on time': percent(g.onTimeDelivery.rate),
    mttd: formatDuration(g.mttd.meanMs),
    mttr: formatDuration(g.mttr.meanMs),
  };
}

export function metricsCommand(program: Command): void {
  const metrics = program.command('metrics').description('Delivery metrics (see docs/metrics.md)');
  metrics
    .command('dora')
    .description(
      'DORA keys with their performance band, and the release measures, for a bounded range',
    )
    .option('--since <instant>', 'start of the range, inclusive, ISO 8601 (required)')
    .option('--until <instant>', 'end of the range, exclusive, ISO 8601 (required)')
    .option('--by <dimension>', DIMENSIONS.join(' | '), oneOf('--by', DIMENSIONS), 'team')
    .option('--bucket <bucket>', BUCKETS.join(' | '), oneOf('--bucket', BUCKETS), 'week')
    .option('--json', 'print the whole report, with its series, as JSON', false)
    .action(
      async (
        options: { since?: string; until?: string; by: string; bucket: string; json: boolean },
        command: Command,
      ) => {
        // The server refuses a missing or reversed range, naming the field (exit 2).
        const query = new URLSearchParams({ by: options.by, bucket: options.bucket });
        if (options.since !== undefined) query.set('since', options.since);
        if (options.until !== undefined) query.set('until', options.until);
        const { body } = await request<DoraReport>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/metrics/dora?${query}`,
          { timeoutMs: 120_000 },
        );
        if (options.json) return printJson(body);
        printLines([`DORA metrics ${body.range.since} → ${body.range.until}, by ${body.by}`]);
        printTable([...body.groups, body.overall].map(row), Object.keys(row(body.overall)));
      },
    );
  defectDensityCommand(metrics);
}
