import type { Command } from 'commander';
import type { CatalogReport } from '../../app/catalog/applyCatalog.js';
import { request } from '../client.js';
import { readDocument } from '../files.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

export function catalogCommand(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('Teams, services, dependencies and environments');

  catalog
    .command('apply')
    .description('Load a whole catalog from YAML (or JSON) idempotently and report what changed')
    .requiredOption('-f, --file <file>', 'catalog document; - reads standard input')
    .option('--dry-run', 'report what would change without changing it', false)
    .option('--json', 'print the report as JSON', false)
    .action(async (options: { file: string; dryRun: boolean; json: boolean }, command: Command) => {
      const document = readDocument(options.file);
      const { body } = await request<CatalogReport>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/catalog/apply?dryRun=${options.dryRun}`,
        { body: document },
      );
      if (options.json) return printJson(body);
      const changed = body.changes.filter((c) => c.change !== 'unchanged');
      printTable(
        changed.map((c) => ({
          kind: c.kind,
          name: c.name,
          change: c.change,
          fields: c.fields?.join(', ') ?? '',
        })),
        ['kind', 'name', 'change', 'fields'],
      );
      process.stdout.write(
        `${body.dryRun ? 'would create' : 'created'} ${body.summary.created}, ${body.dryRun ? 'would update' : 'updated'} ${body.summary.updated}, unchanged ${body.summary.unchanged}\n`,
      );
    });

  catalog
    .command('show')
    .description('Print the catalog in the form `catalog apply` reads')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<{ services: Array<Record<string, unknown>> }>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/catalog',
      );
      if (options.json) return printJson(body);
      printTable(
        body.services.map((s) => ({
          service: String(s.name),
          team: String(s.team),
          tier: Number(s.tier),
          'depends-on': (s.dependsOn as string[]).join(', '),
        })),
        ['service', 'team', 'tier', 'depends-on'],
      );
    });
}
