import type { Command } from 'commander';
import type { Runbook } from '../../app/runbooks/getRunbook.js';
import type { RunbookStep, StepAction } from '../../domain/runbook.js';
import { request } from '../client.js';
import { readDocument } from '../files.js';
import { printJson, printLines } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { formatDuration } from './durations.js';

const MARK = { pending: ' ', 'in-progress': '▶', done: '✓', failed: '✗', skipped: '-' } as const;

function stepLine(step: RunbookStep): string {
  const took = step.durationMs === null ? '' : `  ${formatDuration(step.durationMs)}`;
  const owner = step.owner ? ` (${step.owner})` : '';
  return `  [${MARK[step.status]}] ${step.key.padEnd(14)} ${step.title}${owner}  ${step.status}${took}`;
}

function describe(runbook: Runbook): string[] {
  const section = (title: string, steps: RunbookStep[]) =>
    steps.length ? [title, ...steps.map(stepLine)] : [];
  const t = runbook.timings;
  return [
    `runbook of ${runbook.release} (revision ${runbook.revision})`,
    ...section('pre-checks', runbook.preChecks),
    ...section('steps', runbook.steps),
    ...section('validation', runbook.validation),
    ...section('rollback', runbook.rollback),
    ...(runbook.contacts.length
      ? ['contacts', ...runbook.contacts.map((c) => `  ${c.name}, ${c.role}: ${c.contact}`)]
      : []),
    `total: ${t.totalMs === null ? '(not started)' : formatDuration(t.totalMs)}` +
      (t.waitingMs === null
        ? ''
        : `, of which waiting between steps ${formatDuration(t.waitingMs)}`),
    ...t.longest
      .slice(0, 3)
      .map((l) => `  ${l.key}: ${formatDuration(l.durationMs)} (${Math.round(l.share * 100)} %)`),
  ];
}

export function runbookCommand(program: Command): void {
  const runbook = program
    .command('runbook')
    .description("Write a release's runbook, follow it step by step, and see where the time went");

  runbook
    .command('set')
    .description(
      'Write the runbook from a YAML or JSON file (preChecks, steps, validation, rollback, contacts)',
    )
    .argument('<release>', 'release key or id')
    .requiredOption('-f, --file <file>', 'the runbook file, or - for standard input')
    .option('--json', 'print the runbook as JSON', false)
    .action(async (release: string, flags: { file: string; json: boolean }, command: Command) => {
      const body = readDocument(flags.file);
      const { body: written } = await request<Runbook>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'PUT',
        `/releases/${encodeURIComponent(release)}/runbook`,
        { body },
      );
      if (flags.json) printJson(written);
      else printLines(describe(written));
    });

  runbook
    .command('show')
    .description('Show the runbook, each step with its status and duration, and the total')
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, flags: { json: boolean }, command: Command) => {
      const { body } = await request<Runbook>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/runbook`,
      );
      if (flags.json) printJson(body);
      else printLines(describe(body));
    });

  for (const [action, description] of [
    ['start', 'Mark a step started'],
    ['complete', 'Mark a step done'],
    ['fail', 'Mark a step failed'],
    ['skip', 'Mark a step skipped'],
  ] as Array<[StepAction, string]>) {
    runbook
      .command(action)
      .description(description)
      .argument('<release>', 'release key or id')
      .argument('<step>', 'the step: pre-check-N, step-N, validation-N or rollback-N')
      .option('--at <instant>', 'when, ISO 8601 (default: now)')
      .option('--note <text>', 'what to remember about it')
      .option('--json', 'print the runbook as JSON', false)
      .action(
        async (
          release: string,
          step: string,
          flags: { at?: string; note?: string; json: boolean },
          command: Command,
        ) => {
          const body: Record<string, unknown> = { action };
          if (flags.at) body.at = flags.at;
          if (flags.note) body.note = flags.note;
          const { body: after } = await request<Runbook>(
            connect(command.optsWithGlobals<GlobalOptions>()),
            'POST',
            `/releases/${encodeURIComponent(release)}/runbook/steps/${encodeURIComponent(step)}`,
            { body },
          );
          if (flags.json) return printJson(after);
          const marked = [
            ...after.preChecks,
            ...after.steps,
            ...after.validation,
            ...after.rollback,
          ].find((s) => s.key === step.toLowerCase());
          printLines(marked ? [stepLine(marked).trim()] : describe(after));
        },
      );
  }
}
