import type { Command } from 'commander';
import type { Waiver } from '../../domain/gate.js';
import { request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

export function waiverCommand(program: Command): void {
  const waiver = program
    .command('waiver')
    .description('Waive one gate rule for one release, for a while');
  waiver
    .command('grant')
    .description('Waive a rule with a justification until an expiry (at most 90 days)')
    .argument('<release>', 'release key or id')
    .requiredOption('--rule <rule>', 'the gate rule, e.g. tests-pass-rate')
    .requiredOption('--justification <text>', 'why the release may proceed without it')
    .requiredOption('--expires <instant>', 'ISO 8601 date-time, e.g. 2026-12-01T00:00:00Z')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        options: { rule: string; justification: string; expires: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<Waiver>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/releases/${encodeURIComponent(release)}/waivers`,
          {
            body: {
              rule: options.rule,
              justification: options.justification,
              expiresAt: options.expires,
            },
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(
          `${release}: ${body.rule} waived by ${body.grantedBy} until ${body.expiresAt}\n`,
        );
      },
    );
  waiver
    .command('list')
    .description('Waivers granted for a release, expired ones included')
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<Waiver[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/waivers`,
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((w) => ({
          rule: w.rule,
          until: w.expiresAt,
          by: w.grantedBy,
          why: w.justification,
        })),
        ['rule', 'until', 'by', 'why'],
      );
    });
}
