/** `gatehouse metrics defect-density`: incidents per delivered release and changed service. */
import { type Command, InvalidArgumentError } from 'commander';
import {
  DEFECT_DENSITY_DIMENSIONS,
  type DefectDensity,
  type DefectDensityReport,
} from '../../domain/metrics/defect-density.js';
import { BUCKETS } from '../../domain/metrics/range.js';
import { request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

const oneOf =
  (name: string, values: readonly string[]) =>
  (value: string): string => {
    if (!values.includes(value))
      throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}`);
    return value;
  };

const number = (value: number | null) => (value === null ? '—' : value.toFixed(2));
const percent = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(1)}%`);

function row(d: DefectDensity): Record<string, string> {
  return {
    group: d.group,
    releases: String(d.releases),
    defects: String(d.defects),
    'per release': number(d.perRelease),
    'per changed service': number(d.perChangedService),
    'defect-free': percent(d.defectFreeShare),
  };
}

export function defectDensityCommand(metrics: Command): void {
  metrics
    .command('defect-density')
    .description(
      'Incidents linked to the releases delivered in a bounded range, per release and per changed service',
    )
    .option('--since <instant>', 'start of the range, inclusive, ISO 8601 (required)')
    .option('--until <instant>', 'end of the range, exclusive, ISO 8601 (required)')
    .option(
      '--by <dimension>',
      DEFECT_DENSITY_DIMENSIONS.join(' | '),
      oneOf('--by', DEFECT_DENSITY_DIMENSIONS),
      'team',
    )
    .option('--bucket <bucket>', BUCKETS.join(' | '), oneOf('--bucket', BUCKETS), 'month')
    .option('--json', 'print the whole report, with its series, as JSON', false)
    .action(
      async (
        options: { since?: string; until?: string; by: string; bucket: string; json: boolean },
        command: Command,
      ) => {
        const query = new URLSearchParams({ by: options.by, bucket: options.bucket });
        if (options.since !== undefined) query.set('since', options.since);
        if (options.until !== undefined) query.set('until', options.until);
        const { body } = await request<DefectDensityReport>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/metrics/defect-density?${query}`,
          { timeoutMs: 120_000 },
        );
        if (options.json) return printJson(body);
        printLines([`Defect density ${body.range.since} → ${body.range.until}, by ${body.by}`]);
        printTable([...body.groups, body.overall].map(row), Object.keys(row(body.overall)));
      },
    );
}
