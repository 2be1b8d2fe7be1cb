import { InvalidArgumentError, type Command } from 'commander';
import type { Conflict } from '../../domain/calendar/conflicts.js';
import type { FreezeDecision } from '../../domain/calendar/freeze.js';
import type { CalendarWindow } from '../../domain/calendar/window.js';
import { EXIT, request } from '../client.js';
import { readDocument } from '../files.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

function parseInstant(name: string) {
  return (value: string): string => {
    if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
      throw new InvalidArgumentError(
        `${name} must be an ISO 8601 date-time with an offset, e.g. 2026-10-25T10:00:00Z, not '${value}'`,
      );
    return value;
  };
}

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();

export function calendarCommand(program: Command): void {
  const calendar = program
    .command('calendar')
    .description('Release windows, freezes, maintenance windows, freeze checks and conflicts');

  const window = calendar.command('window').description('Define, list and remove windows');
  window
    .command('add')
    .description('Define a window from YAML or JSON (name, kind, timeZone, start, end, rrule…)')
    .requiredOption('-f, --file <file>', 'window document; - reads standard input')
    .option('--json', 'print the window as JSON', false)
    .action(async (options: { file: string; json: boolean }, command: Command) => {
      const { body } = await request<CalendarWindow>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        '/calendar/windows',
        { body: readDocument(options.file) },
      );
      if (options.json) return printJson(body);
      printLines([`${body.kind} window ${body.name} defined`]);
    });
  window
    .command('list')
    .description('List windows')
    .option('--kind <kind>', 'release, freeze or maintenance')
    .option('--json', 'print as JSON', false)
    .action(async (options: { kind?: string; json: boolean }, command: Command) => {
      const { body } = await request<{ items: CalendarWindow[] }>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/calendar/windows?${query({ kind: options.kind })}`,
      );
      if (options.json) return printJson(body.items);
      printTable(
        body.items.map((w) => ({
          name: w.name,
          kind: w.kind,
          when: `${w.start} – ${w.end} ${w.timeZone}`,
          repeats: w.rrule ?? '',
          environments: w.environments.join(', ') || 'all',
        })),
        ['name', 'kind', 'when', 'repeats', 'environments'],
      );
    });
  window
    .command('remove')
    .description('Remove a window')
    .argument('<name>', 'window name')
    .action(async (name: string, _options: unknown, command: Command) => {
      await request(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'DELETE',
        `/calendar/windows/${encodeURIComponent(name)}`,
      );
      printLines([`window ${name} removed`]);
    });

  calendar
    .command('check')
    .description('May a service be deployed into an environment at a time? Exit 1 when frozen')
    .requiredOption('--service <service>', 'service name')
    .requiredOption('--env <environment>', 'environment name')
    .option('--at <time>', 'ISO 8601 date-time (default: now)', parseInstant('--at'))
    .option('--region <region>', 'only this region of the environment')
    .option('--release <release>', 'the release being deployed (emergency exceptions apply)')
    .option('--json', 'print the decision as JSON', false)
    .action(
      async (
        options: {
          service: string;
          env: string;
          at?: string;
          region?: string;
          release?: string;
          json: boolean;
        },
        command: Command,
      ) => {
        const { body } = await request<FreezeDecision>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/calendar/check?${query({ service: options.service, environment: options.env, at: options.at, region: options.region, release: options.release })}`,
        );
        if (!body.allowed) process.exitCode = EXIT.refused;
        if (options.json) return printJson(body);
        const lines = [
          body.allowed
            ? `allowed: ${options.service} may be deployed to ${options.env} at ${body.at}`
            : `forbidden: ${options.service} may not be deployed to ${options.env} at ${body.at}`,
        ];
        for (const w of body.forbiddenBy)
          lines.push(
            `  freeze ${w.window}: ${w.start} – ${w.end} (${w.timeZone}) ${w.description}`,
          );
        if (body.allowedFrom) lines.push(`  allowed again from ${body.allowedFrom}`);
        for (const w of body.passedByException)
          lines.push(
            `  freeze ${w.window} passed by exception approved by ${w.exception.approvedBy}: ${w.exception.reason}`,
          );
        printLines(lines);
      },
    );

  calendar
    .command('exception')
    .description('Approve an emergency release to deploy during a freeze (audited)')
    .requiredOption('--window <window>', 'the freeze')
    .requiredOption('--release <release>', 'the emergency release, e.g. REL-42')
    .requiredOption('--reason <reason>', 'why it cannot wait')
    .action(
      async (options: { window: string; release: string; reason: string }, command: Command) => {
        await request(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          '/calendar/freeze-exceptions',
          { body: options },
        );
        printLines([`${options.release} may deploy during ${options.window}`]);
      },
    );

  calendar
    .command('conflicts')
    .description('Conflicts among planned releases, each with its reason')
    .option('--from <time>', 'ISO 8601 date-time (default: now)', parseInstant('--from'))
    .option('--to <time>', 'ISO 8601 date-time (default: a quarter later)', parseInstant('--to'))
    .option('--release <release>', 'only conflicts this release is part of')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: { from?: string; to?: string; release?: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<{ conflicts: Conflict[]; releases: number }>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/calendar/conflicts?${query({ from: options.from, to: options.to, release: options.release })}`,
        );
        if (options.json) return printJson(body);
        printTable(
          body.conflicts.map((c) => ({
            kind: c.kind,
            releases: c.releases.join(', '),
            reason: c.reason,
          })),
          ['kind', 'releases', 'reason'],
        );
      },
    );
}
