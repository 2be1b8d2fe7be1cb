import type { Command } from 'commander';
import type { ApprovalStatus } from '../../app/approvals/decideApproval.js';
import { request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

function printStatus(status: ApprovalStatus): void {
  process.stdout.write(
    `${status.release} (${status.releaseState}): approvals ${status.state}` +
      ` under ${status.policy ?? 'no policy'} (${status.path ?? 'no'} path)\n`,
  );
  printTable(
    status.stages.map((s) => ({
      stage: `${s.stage}${s.dual ? ' (dual)' : ''}`,
      state: s.state + (s.overdue ? ', overdue' : ''),
      given: `${s.given} of ${s.required}`,
      by: s.approvedBy.join(', ') || (s.rejection ? `rejected by ${s.rejection.by}` : ''),
      'may approve': s.mayApprove.join(', '),
      void: String(s.decisions.filter((d) => d.void).length),
    })),
    ['stage', 'state', 'given', 'by', 'may approve', 'void'],
  );
}

/** `gatehouse approve`, `gatehouse reject` and `gatehouse approvals`. */
export function approvalCommands(program: Command): void {
  program
    .command('approve')
    .description("Approve one stage of a release's approvals (bound to its current content)")
    .argument('<release>', 'release key or id')
    .requiredOption('--stage <stage>', 'technical, risk-and-compliance, business or final')
    .option('--comment <text>', 'a comment kept with the approval')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        options: { stage: string; comment?: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<ApprovalStatus>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/releases/${encodeURIComponent(release)}/approvals`,
          {
            body: {
              stage: options.stage,
              ...(options.comment !== undefined && { comment: options.comment }),
            },
          },
        );
        if (options.json) return printJson(body);
        printStatus(body);
      },
    );
  program
    .command('reject')
    .description("Reject one stage of a release's approvals, saying why")
    .argument('<release>', 'release key or id')
    .requiredOption('--stage <stage>', 'technical, risk-and-compliance, business or final')
    .requiredOption('--reason <text>', 'why the release may not proceed')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        options: { stage: string; reason: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<ApprovalStatus>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/releases/${encodeURIComponent(release)}/rejections`,
          { body: { stage: options.stage, reason: options.reason } },
        );
        if (options.json) return printJson(body);
        printStatus(body);
      },
    );
  program
    .command('approvals')
    .description("A release's approval status: each stage, given and required, who may approve")
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<ApprovalStatus>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/approvals`,
      );
      if (options.json) return printJson(body);
      printStatus(body);
    });
}
