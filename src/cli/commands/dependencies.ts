import type { Command } from 'commander';
import type { ReleaseDependencies } from '../../app/releases/releaseDependencies.js';
import { request } from '../client.js';
import { printJson, printLines } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

export function dependenciesCommand(program: Command): void {
  program
    .command('dependencies')
    .description('Deploy order, rollback order and downstream impact of a release')
    .argument('<release>', 'release key or id, e.g. REL-42')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<ReleaseDependencies>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/dependencies`,
      );
      if (options.json) return printJson(body);
      const mark = (customerFacing: boolean) => (customerFacing ? ' [customer-facing]' : '');
      printLines([
        `${body.release}: ${body.services.join(', ') || 'no services'}`,
        `deploy order:   ${body.deployOrder.join(' → ')}`,
        `rollback order: ${body.rollbackOrder.join(' → ')}`,
        `downstream impact (${body.downstream.length} services, ${body.customerFacing.downstream.length} customer-facing):`,
        ...body.downstream.map(
          (d) =>
            `  ${d.service} (tier ${d.tier}, ${d.team})${mark(d.customerFacing)} via ${d.via.join(', ')}`,
        ),
      ]);
    });
}
