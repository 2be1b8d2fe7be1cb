/**
 * `gatehouse canary judge`: the same canary judges the server runs, offline on files, so
 * a pipeline or an engineer can judge a canary without a server. Exit codes: 0 promote
 * (pass), 1 roll back (fail), 2 bad input, 4 hold (marginal or inconclusive: neither
 * promote nor roll back; a person or more data decides).
 */
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import type { CanaryJudgement } from '../../domain/canary/judgement.js';
import { GatehouseError } from '../../domain/errors.js';
import { CliError, EXIT } from '../client.js';
import { readDocument } from '../files.js';
import { printJson, printTable } from '../output.js';

export const CANARY_EXIT = { promote: EXIT.ok, 'roll-back': EXIT.refused, hold: 4 } as const;

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.usage,
    );
  }
}

/** Domain validation errors are the caller's input: exit 2 with the field named. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof GatehouseError && error.kind === 'invalid') {
      const more = error.problems.length > 1 ? error.problems.slice(1) : [];
      throw new CliError(
        [error.message, ...more.map((p) => `  ${p.field}: ${p.reason}`)].join('\n'),
        EXIT.usage,
      );
    }
    throw error;
  }
}

const num = (v: number | null) => (v === null ? '' : Number(v.toPrecision(4)));

function printVerdict(verdict: CanaryJudgement): void {
  process.stdout.write(
    `${verdict.outcome.toUpperCase()} → ${verdict.decision} (${verdict.judge} judge${verdict.score === null ? '' : `, score ${verdict.score.toFixed(0)}`}): ${verdict.reason}\n`,
  );
  printTable(
    verdict.metrics.map((m) => ({
      metric: m.metric,
      outcome: m.outcome,
      baseline: `${num(m.baseline.mean)} (n=${m.baseline.count})`,
      canary: `${num(m.canary.mean)} (n=${m.canary.count})`,
      reason: m.reason,
    })),
    ['metric', 'outcome', 'baseline', 'canary', 'reason'],
  );
}

export function canaryCommand(program: Command): void {
  const canary = program.command('canary').description('Canary analysis');
  canary
    .command('judge')
    .description(
      'Judge canary against baseline samples offline. Exit 0 promote, 1 roll back, 2 bad input, 4 hold (marginal or inconclusive)',
    )
    .requiredOption('--config <file>', 'canary config (YAML or JSON)')
    .requiredOption(
      '--baseline <file>',
      'baseline samples (CSV: metric,value or one column per metric)',
    )
    .requiredOption('--canary <file>', 'canary samples (CSV, same shapes)')
    .addOption(
      new Option('--judge <judge>', 'fixed-horizon Mann-Whitney, or anytime-valid sequential')
        .choices(['fixed', 'sequential'])
        .default('fixed'),
    )
    .option('--json', 'print the verdict as JSON', false)
    .action(
      async (options: {
        config: string;
        baseline: string;
        canary: string;
        judge: string;
        json: boolean;
      }) => {
        // Loaded on use: the statistics, the Ajv schema and the CSV parser stay out of
        // every other command's start-up.
        const { parseCanaryConfig } = await import('../../domain/canary/config.js');
        const { judgeCanaryFixed } = await import('../../domain/canary/fixed-horizon-judge.js');
        const { judgeCanarySequential } = await import('../../domain/canary/sequential-judge.js');
        const { parseCanaryCsv } = await import('../../integrations/canary-csv.js');
        const config = asUsage(() => parseCanaryConfig(readDocument(options.config)));
        const baseline = asUsage(() =>
          parseCanaryCsv(readText(options.baseline), options.baseline),
        );
        const canarySamples = asUsage(() =>
          parseCanaryCsv(readText(options.canary), options.canary),
        );
        const judge = options.judge === 'sequential' ? judgeCanarySequential : judgeCanaryFixed;
        const verdict = judge(config, baseline, canarySamples);
        if (options.json) printJson(verdict);
        else printVerdict(verdict);
        process.exitCode = CANARY_EXIT[verdict.decision];
      },
    );
}
