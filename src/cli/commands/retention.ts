import { InvalidArgumentError, type Command } from 'commander';
import type { PurgeReport } from '../../app/retention/purgeRecords.js';
import type { RetentionRule } from '../../app/retention/retentionRules.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { collect } from './options.js';
import { connect, type GlobalOptions } from './global.js';

export function retentionCommand(program: Command): void {
  const retention = program
    .command('retention')
    .description('Retention rules per record type, refused deletions, audited purges');

  retention
    .command('rules')
    .description('How long each kind of record is kept')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<RetentionRule[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/retention/rules',
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((r) => ({
          type: r.recordType,
          retention: r.retention,
          default: r.isDefault ? 'yes' : `no (${r.updatedBy}, ${r.updatedAt})`,
          purge: r.purge,
          from: r.countedFrom,
        })),
        ['type', 'retention', 'default', 'purge', 'from'],
      );
    });

  retention
    .command('set <recordType> <duration>')
    .description('Change the retention of one record type, as an ISO 8601 duration (admins)')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        recordType: string,
        duration: string,
        options: { json: boolean },
        command: Command,
      ) => {
        const { body } = await request<RetentionRule>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'PUT',
          `/retention/rules/${encodeURIComponent(recordType)}`,
          { body: { retention: duration } },
        );
        if (options.json) return printJson(body);
        process.stdout.write(`${body.recordType} are now kept ${body.retention}\n`);
      },
    );

  retention
    .command('purge')
    .description(
      'Remove records whose retention has ended: --dry-run lists, --apply removes (audited)',
    )
    .option('--dry-run', 'only list what would be removed', false)
    .option('--apply', 'remove it', false)
    .option('--type <recordType>', 'only this record type (repeatable)', collect)
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: { dryRun: boolean; apply: boolean; type?: string[]; json: boolean },
        command: Command,
      ) => {
        if (options.dryRun === options.apply)
          throw new CliError('choose exactly one of --dry-run and --apply', EXIT.usage);
        const { body } = await request<PurgeReport>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          '/retention/purge',
          {
            body: { apply: options.apply, ...(options.type ? { recordTypes: options.type } : {}) },
          },
        );
        if (options.json) return printJson(body);
        const verb = body.applied ? 'purged' : 'would purge';
        for (const t of body.types)
          process.stdout.write(
            `${t.recordType} (kept ${t.retention}): ${verb} ${t.count}${t.more ? ' (more remain)' : ''}\n`,
          );
        if (body.auditSeq !== null)
          process.stdout.write(`recorded as audit entry #${body.auditSeq}\n`);
      },
    );

  retention
    .command('delete <recordType> <id>')
    .description('Delete one record; refused (exit 1) while it is under retention')
    .action(async (recordType: string, id: string, _options: unknown, command: Command) => {
      const { body } = await request<{ id: string; sha256: string }>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'DELETE',
        `/retention/records/${encodeURIComponent(recordType)}/${encodeURIComponent(id)}`,
      );
      process.stdout.write(`deleted ${recordType} ${body.id} (sha256 ${body.sha256})\n`);
    });
}

export function parseIsoInstant(name: string) {
  return (value: string): string => {
    if (Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
      throw new InvalidArgumentError(`${name} must be an ISO 8601 date-time, not '${value}'`);
    return value;
  };
}
