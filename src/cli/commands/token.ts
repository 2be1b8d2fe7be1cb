import type { Command } from 'commander';
import type { IssuedToken } from '../../app/access/tokens.js';
import { request } from '../client.js';
import { printJson } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { parsePositiveInt } from './options.js';

export function tokenCommand(program: Command): void {
  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('Create an API token; the secret is printed once and stored only hashed')
    .requiredOption('--name <name>', 'what the token is for, e.g. "github-actions deploy"')
    .option('--user <user>', 'the user it acts as (default: yourself; others need token:manage)')
    .option('--expires-in-days <days>', 'lifetime in days', parsePositiveInt('--expires-in-days'))
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: { name: string; user?: string; expiresInDays?: number; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<IssuedToken>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          '/tokens',
          {
            body: {
              name: options.name,
              ...(options.user && { user: options.user }),
              ...(options.expiresInDays && { expiresInDays: options.expiresInDays }),
            },
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(`${body.token}\n`);
        process.stderr.write(
          `token '${body.name}' for ${body.user}${body.expiresAt ? `, expires ${body.expiresAt}` : ''}; it is not shown again\n`,
        );
      },
    );
}
