import type { Command } from 'commander';
import type { ChainReport } from '../../app/audit/verifyAuditChain.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

export function auditCommand(program: Command): void {
  const audit = program.command('audit').description('The hash-chained audit log');
  audit
    .command('verify')
    .description(
      'Recompute the hash chain; exits 0 when intact and 1 naming the first broken entry',
    )
    .option(
      '--database-url <url>',
      'verify the database directly instead of through the server (postgres://… or sqlite:PATH)',
    )
    .option('--json', 'print the report as JSON', false)
    .action(async (options: { databaseUrl?: string; json: boolean }, command: Command) => {
      let report: ChainReport;
      if (options.databaseUrl) {
        const { openStore } = await import('../../store/database.js');
        const { verifyAuditChain } = await import('../../app/audit/verifyAuditChain.js');
        let store;
        try {
          store = openStore(options.databaseUrl);
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.usage);
        }
        try {
          report = await verifyAuditChain(store);
        } catch (error) {
          throw new CliError(
            `cannot read the audit log at ${store.location}: ${(error as Error).message}`,
            EXIT.unavailable,
          );
        } finally {
          await store.close();
        }
      } else {
        report = (
          await request<ChainReport>(
            connect(command.optsWithGlobals<GlobalOptions>()),
            'GET',
            '/audit/verify',
            { timeoutMs: 600_000 },
          )
        ).body;
      }
      if (options.json) printJson(report);
      if (!report.intact) {
        if (!options.json)
          process.stderr.write(
            `audit chain BROKEN after ${report.entries} intact entries: ${report.firstBreak?.description}\n`,
          );
        process.exitCode = EXIT.refused;
        return;
      }
      if (!options.json)
        process.stdout.write(
          `audit chain intact: ${report.entries} entries, head #${report.headSeq} ${report.headHash}\n`,
        );
    });
}
