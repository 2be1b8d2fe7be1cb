import type { Command } from 'commander';
import type { GoNoGoCheckpoint } from '../../domain/cab/go-no-go.js';
import { request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { collect } from './options.js';

export function goNoGoCommand(program: Command): void {
  const goNoGo = program
    .command('go-no-go')
    .description('Go / No-Go checkpoints: participants, readiness snapshot, decision, rationale');
  goNoGo
    .command('record')
    .description('Record the checkpoint for a release and environment (a Go needs a passing gate)')
    .argument('<release>', 'release key or id')
    .requiredOption('--env <environment>', 'target environment')
    .requiredOption('--decision <decision>', 'go or no-go')
    .requiredOption('--rationale <text>', 'why')
    .option('--participant <user>', 'who took part (repeatable); you are added', collect, [])
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        options: {
          env: string;
          decision: string;
          rationale: string;
          participant: string[];
          json: boolean;
        },
        command: Command,
      ) => {
        const { body } = await request<GoNoGoCheckpoint>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/releases/${encodeURIComponent(release)}/go-no-go`,
          {
            body: {
              environment: options.env,
              decision: options.decision,
              rationale: options.rationale,
              participants: options.participant,
            },
          },
        );
        if (options.json) return printJson(body);
        printLines([
          `${body.release} → ${body.environment}: ${body.decision.toUpperCase()} recorded by ${body.recordedBy} with ${body.participants.join(', ')}; gate ${body.readiness.verdict} at ${body.readiness.checkedAt}`,
        ]);
      },
    );
  goNoGo
    .command('list')
    .description("A release's checkpoints, oldest first")
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<GoNoGoCheckpoint[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/go-no-go`,
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((c) => ({
          at: c.recordedAt,
          env: c.environment,
          decision: c.decision,
          gate: c.readiness.verdict,
          by: c.recordedBy,
          why: c.rationale,
        })),
        ['at', 'env', 'decision', 'gate', 'by', 'why'],
      );
    });
}
