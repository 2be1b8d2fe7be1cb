import type { Command } from 'commander';
import type { GateCheck } from '../../app/gates/checkGate.js';
import { EXIT, request } from '../client.js';
import { printJson } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

const MARK = {
  pass: '✓ pass  ',
  fail: '✗ FAIL  ',
  waived: '~ waived',
  'not-applicable': '- n/a   ',
} as const;

export function gateCommand(program: Command): void {
  const gate = program.command('gate').description('Ask whether a release may proceed');
  gate
    .command('check')
    .description(
      'Check every gate rule for a release and environment; exits 0 on pass and 1 on fail',
    )
    .argument('<release>', 'release key or id')
    .requiredOption('--env <environment>', 'the environment the release is to go to')
    .option('--json', 'print the verdict as JSON', false)
    .action(async (release: string, options: { env: string; json: boolean }, command: Command) => {
      const { body } = await request<GateCheck>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/gates/${encodeURIComponent(options.env)}`,
      );
      if (options.json) printJson(body);
      else {
        const lines = [
          `${body.release} → ${body.environment}: ${body.verdict === 'pass' ? 'PASS' : 'FAIL'}`,
          `  policy ${body.policy ?? '(none)'} from ${body.policySet.name} v${body.policySet.version}: ${body.selectedBecause}`,
          ...body.rules.map((r) => `  ${MARK[r.result]}  ${r.title}: ${r.reason}`),
        ];
        if (body.approvals)
          lines.push(
            `  approvals: ${body.approvals.path} path${body.approvals.postImplementationReview ? ', post-implementation review required' : ''} (judged by approvals, not by this gate)`,
          );
        process.stdout.write(lines.join('\n') + '\n');
      }
      if (body.verdict !== 'pass') process.exitCode = EXIT.refused;
    });
}
