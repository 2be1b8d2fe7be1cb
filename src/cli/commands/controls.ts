/** `gatehouse controls`: the controls catalogue and the mapping of records to controls. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'yaml';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

interface MappingVersion {
  version: number;
  sha256: string;
  createdBy: string | null;
  createdAt: string | null;
  mapping: { controls: Array<{ control: string; records: string[] }> };
}

export function controlsCommand(program: Command): void {
  const controls = program
    .command('controls')
    .description('Compliance controls and which Gatehouse records evidence them');

  controls
    .command('list')
    .description('The controls a mapping may name and the record types')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<{
        controls: Array<{ id: string; framework: string; title: string }>;
        recordTypes: Record<string, string>;
      }>(connect(command.optsWithGlobals<GlobalOptions>()), 'GET', '/controls');
      if (options.json) return printJson(body);
      printTable(body.controls, ['id', 'framework', 'title']);
      process.stdout.write('\nrecord types:\n');
      printTable(
        Object.entries(body.recordTypes).map(([type, what]) => ({ type, what })),
        ['type', 'what'],
      );
    });

  controls
    .command('show')
    .description('The control mapping in force')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<MappingVersion>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/controls/mapping',
      );
      if (options.json) return printJson(body);
      process.stdout.write(
        `version ${body.version}${body.version === 0 ? ' (shipped default)' : ` by ${body.createdBy} at ${body.createdAt}`}, sha256 ${body.sha256}\n`,
      );
      printTable(
        body.mapping.controls.map((c) => ({ control: c.control, records: c.records.join(', ') })),
        ['control', 'records'],
      );
    });

  controls
    .command('set')
    .description('Save the next version of the mapping from a YAML or JSON file (admin)')
    .requiredOption('-f, --file <file>', 'the mapping: { controls: [{ control, records: [...] }] }')
    .option('--json', 'print the saved version as JSON', false)
    .action(async (options: { file: string; json: boolean }, command: Command) => {
      let document: unknown;
      try {
        document = parse(readFileSync(options.file === '-' ? 0 : options.file, 'utf8'));
      } catch (error) {
        throw new CliError(`cannot read ${options.file}: ${(error as Error).message}`, EXIT.usage);
      }
      const { body } = await request<MappingVersion>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'PUT',
        '/controls/mapping',
        { body: document },
      );
      if (options.json) return printJson(body);
      process.stdout.write(
        `control mapping version ${body.version} saved (sha256 ${body.sha256})\n`,
      );
    });
}
