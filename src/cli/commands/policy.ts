import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { PolicySetVersion } from '../../domain/policy.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

export function policyCommand(program: Command): void {
  const policy = program
    .command('policy')
    .description('Policy sets: what a release must show to pass a gate');

  policy
    .command('apply')
    .description(
      'Apply a policy set (YAML or JSON) as a new version; the same content again changes nothing',
    )
    .requiredOption('-f, --file <file>', 'the policy set document ("-" for standard input)')
    .option('--json', 'print the applied version as JSON', false)
    .action(async (options: { file: string; json: boolean }, command: Command) => {
      let text: string;
      try {
        text = readFileSync(options.file === '-' ? 0 : options.file, 'utf8');
      } catch (error) {
        throw new CliError(
          `cannot read ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          EXIT.usage,
        );
      }
      const { body } = await request<{ changed: boolean; policySet: PolicySetVersion }>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        '/policies',
        { raw: { content: text, contentType: 'application/yaml' } },
      );
      if (options.json) return printJson(body);
      const { policySet } = body;
      process.stdout.write(
        body.changed
          ? `policy set ${policySet.name} is now version ${policySet.version} (${policySet.document.policies.length} policies)\n`
          : `policy set ${policySet.name} unchanged at version ${policySet.version}\n`,
      );
    });

  policy
    .command('show')
    .description('The current policy set, or one version of it')
    .option('--version <n>', 'a version number')
    .option('--json', 'print as JSON', false)
    .action(async (options: { version?: string; json: boolean }, command: Command) => {
      const { body } = await request<PolicySetVersion>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/policies${options.version ? `?version=${encodeURIComponent(options.version)}` : ''}`,
      );
      if (options.json) return printJson(body);
      process.stdout.write(
        `${body.name} v${body.version}, applied by ${body.appliedBy} at ${body.appliedAt}\n`,
      );
      printTable(
        body.document.policies.map((p) => ({
          policy: p.name,
          match: JSON.stringify(p.match),
          requires: Object.keys(p.requires).join(', '),
        })),
        ['policy', 'match', 'requires'],
      );
    });
}
