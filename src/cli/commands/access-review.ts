import type { Command } from 'commander';
import type { AccessReviewReport, RecordedDecision } from '../../app/access/accessReview.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

interface DecideOptions {
  user?: string;
  role?: string;
  tokenId?: string;
  reason: string;
  json: boolean;
}

function decisionBody(decision: 'confirm' | 'revoke', options: DecideOptions) {
  if (options.tokenId && (options.user || options.role))
    throw new CliError('name either --token-id ID, or --user and --role', EXIT.usage);
  if (options.tokenId)
    return { grant: 'token', tokenId: options.tokenId, decision, reason: options.reason };
  if (!options.user || !options.role)
    throw new CliError(
      'a role grant needs both --user and --role (or pass --token-id ID)',
      EXIT.usage,
    );
  return {
    grant: 'role',
    user: options.user,
    role: options.role,
    decision,
    reason: options.reason,
  };
}

export function accessReviewCommand(program: Command): void {
  const review = program
    .command('access-review')
    .description('Periodic access reviews: who holds which role and token; confirm or revoke');

  review
    .command('report')
    .description('Roles and tokens with when granted, last used (to the hour) and last reviewed')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<AccessReviewReport>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/access-reviews/report',
      );
      if (options.json) return printJson(body);
      process.stdout.write(`Roles (last use accurate to ${body.lastUsedGranularity})\n`);
      printTable(
        body.roles.map((r) => ({
          user: r.user + (r.userDisabled ? ' (disabled)' : ''),
          role: r.role,
          granted: `${r.grantedAt} by ${r.grantedBy}`,
          'last used': r.lastUsedAt ?? 'never',
          reviewed: r.lastReview ? `${r.lastReview.decision} ${r.lastReview.at}` : 'never',
        })),
        ['user', 'role', 'granted', 'last used', 'reviewed'],
      );
      process.stdout.write('\nTokens\n');
      printTable(
        body.tokens.map((t) => ({
          id: t.id,
          user: t.user,
          name: t.name,
          created: t.createdAt,
          expires: t.expired ? `expired ${t.expiresAt}` : (t.expiresAt ?? 'never'),
          'last used': t.lastUsedAt ?? 'never',
          reviewed: t.lastReview ? `${t.lastReview.decision} ${t.lastReview.at}` : 'never',
        })),
        ['id', 'user', 'name', 'created', 'expires', 'last used', 'reviewed'],
      );
    });

  for (const decision of ['confirm', 'revoke'] as const) {
    review
      .command(decision)
      .description(
        decision === 'confirm'
          ? 'Record that a role or token is still needed'
          : 'Take a role or token away, effective at once (audited)',
      )
      .option('--user <name>', 'the person holding the role')
      .option('--role <role>', 'the role reviewed')
      .option('--token-id <id>', 'the API token reviewed (its id from the report)')
      .requiredOption('--reason <text>', 'why')
      .option('--json', 'print as JSON', false)
      .action(async (options: DecideOptions, command: Command) => {
        const { body } = await request<RecordedDecision>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          '/access-reviews/decisions',
          { body: decisionBody(decision, options) },
        );
        if (options.json) return printJson(body);
        process.stdout.write(
          `${body.grant} ${body.grantId} ${body.decision} by ${body.reviewer}\n`,
        );
      });
  }
}
