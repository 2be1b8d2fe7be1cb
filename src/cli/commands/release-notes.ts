import type { Command } from 'commander';
import type { ReleaseNotes } from '../../app/communication/releaseNotes.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { parseIsoInstant } from './retention.js';

export function releaseNotesCommand(program: Command): void {
  const notes = program
    .command('release-notes')
    .description(
      'Release notes from scope: internal, and customer-facing with identifiers stripped',
    );

  notes
    .command('generate <release>')
    .description("Generate the release's notes; prints the customer notes and what was stripped")
    .option('--security-fix', 'the release fixes a security issue', false)
    .option(
      '--embargo-until <instant>',
      'keep customer notes unpublished until then',
      parseIsoInstant('--embargo-until'),
    )
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        options: { securityFix: boolean; embargoUntil?: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<ReleaseNotes>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/releases/${encodeURIComponent(release)}/notes`,
          {
            body: {
              ...(options.securityFix ? { securityFix: true } : {}),
              ...(options.embargoUntil ? { embargoUntil: options.embargoUntil } : {}),
            },
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(body.customerMarkdown ?? '');
        process.stdout.write(
          `\n${body.strippings.length} stripping(s) to review${body.embargoUntil ? `; embargoed until ${body.embargoUntil}` : ''}\n`,
        );
        for (const s of body.strippings)
          process.stdout.write(`  ${s.where}: '${s.match}' (${s.pattern})\n`);
      },
    );

  notes
    .command('show <release>')
    .description('Print one audience’s notes as Markdown')
    .option('--audience <audience>', 'internal or customer', 'customer')
    .action(async (release: string, options: { audience: string }, command: Command) => {
      if (!['internal', 'customer'].includes(options.audience))
        throw new CliError(
          `--audience must be internal or customer, not '${options.audience}'`,
          EXIT.usage,
        );
      const { body } = await request<string>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/notes/${options.audience}`,
        { headers: { accept: 'text/markdown' } },
      );
      process.stdout.write(body);
    });

  notes
    .command('strippings <release>')
    .description('What was stripped from the customer notes, for review')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<ReleaseNotes>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/notes`,
      );
      if (options.json) return printJson(body.strippings);
      printTable(
        body.strippings.map((s) => ({ where: s.where, pattern: s.pattern, match: s.match })),
        ['where', 'pattern', 'match'],
      );
    });

  notes
    .command('pattern-set <name> <regexp>')
    .description('Add or change a pattern stripped from customer notes (admins)')
    .requiredOption('--description <text>', 'what it strips')
    .option('--ignore-case', 'match regardless of case', false)
    .action(
      async (
        name: string,
        pattern: string,
        options: { description: string; ignoreCase: boolean },
        command: Command,
      ) => {
        await request(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'PUT',
          `/release-notes/patterns/${encodeURIComponent(name)}`,
          {
            body: {
              pattern,
              description: options.description,
              ...(options.ignoreCase ? { caseInsensitive: true } : {}),
            },
          },
        );
        process.stdout.write(`pattern ${name} set\n`);
      },
    );
}
