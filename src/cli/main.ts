#!/usr/bin/env node
/**
 * The `gatehouse` command. Exit codes: 0 ok, 1 refused by the product, 2 bad usage or
 * input, 3 server unreachable or failing; `canary judge` adds 4 for hold (marginal or
 * inconclusive).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './client.js';
import { auditCommand } from './commands/audit.js';
import { canaryCommand } from './commands/canary.js';
import { catalogCommand } from './commands/catalog.js';
import { evidenceCommand } from './commands/evidence.js';
import { gateCommand } from './commands/gate.js';
import { policyCommand } from './commands/policy.js';
import { waiverCommand } from './commands/waiver.js';
import { calendarCommand } from './commands/calendar.js';
import { dependenciesCommand } from './commands/dependencies.js';
import { incidentCommand } from './commands/incident.js';
import { metricsCommand } from './commands/metrics.js';
import { migrateCommand } from './commands/migrate.js';
import { backupCommands } from './commands/backup.js';
import { releaseCommand } from './commands/release.js';
import { serveCommand, serving } from './commands/serve.js';
import { tokenCommand } from './commands/token.js';
import { reviewCommand } from './commands/review.js';
import { deployCommand } from './commands/deploy.js';
import { eventsCommand } from './commands/events.js';
import { runbookCommand } from './commands/runbook.js';
import { approvalCommands } from './commands/approval.js';
import { cabCommand } from './commands/cab.js';
import { goNoGoCommand } from './commands/go-no-go.js';
import { notificationCommand } from './commands/notification.js';
import { reportCommand } from './commands/report.js';
import { retentionCommand } from './commands/retention.js';
import { accessReviewCommand } from './commands/access-review.js';
import { releaseNotesCommand } from './commands/release-notes.js';
import { downtimeCommand } from './commands/downtime.js';
import { controlsCommand } from './commands/controls.js';
import { itsmCommand } from './commands/itsm.js';
import { flagCommand } from './commands/flag.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

function buildProgram(): Command {
  const program = new Command('gatehouse')
    .description('Gatehouse: the release-governance control plane')
    .version(version)
    .option(
      '--url <url>',
      'server address, before the command (default: GATEHOUSE_URL, else http://127.0.0.1:8080)',
    )
    .option('--token <token>', 'API token, before the command (default: GATEHOUSE_TOKEN)')
    // Program options come before the command, so `release create --version` is the release's.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  serveCommand(program, version);
  migrateCommand(program);
  backupCommands(program);
  catalogCommand(program);
  releaseCommand(program);
  tokenCommand(program);
  auditCommand(program);
  evidenceCommand(program);
  policyCommand(program);
  gateCommand(program);
  waiverCommand(program);
  canaryCommand(program);
  calendarCommand(program);
  dependenciesCommand(program);
  incidentCommand(program);
  metricsCommand(program);
  reviewCommand(program);
  deployCommand(program);
  eventsCommand(program);
  runbookCommand(program);
  approvalCommands(program);
  cabCommand(program);
  goNoGoCommand(program);
  notificationCommand(program);
  reportCommand(program);
  retentionCommand(program);
  accessReviewCommand(program);
  releaseNotesCommand(program);
  downtimeCommand(program);
  controlsCommand(program);
  itsmCommand(program);
  flagCommand(program);
  // Every subcommand reports usage errors through the same override.
  const override = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful outcomes that commander reports by throwing.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`gatehouse: unexpected failure: ${(error as Error).message}\n`);
    return EXIT.unavailable;
  }
}

const code = await main(process.argv);
// `serve` keeps the process alive on its own; every other command ends here.
if (!serving) process.exit(code);
