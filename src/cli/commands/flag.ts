import type { Command } from 'commander';
import type { FlagObservation, FlagRolloutStep } from '../../app/rollout/flagRolloutSteps.js';
import { request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

const describe = (s: FlagRolloutStep) =>
  `${s.flag} ${s.enabled ? 'on' : 'off'}, exposure ${s.exposurePercent} %`;

export function flagCommand(program: Command): void {
  const flag = program
    .command('flag')
    .description('Feature-flag rollouts: exposure read from the flag service as rollout steps');
  flag
    .command('observe')
    .description("Read a flag's state and exposure; record a rollout step when it changed")
    .argument('<release>', 'release key or id')
    .argument('<flag>', 'the flag key in the flag service')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, key: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<FlagObservation>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/releases/${encodeURIComponent(release)}/flag-steps`,
        { body: { flag: key } },
      );
      if (options.json) return printJson(body);
      process.stdout.write(
        body.changed
          ? `${release}: step ${body.step.step} recorded: ${describe(body.step)}\n`
          : `${release}: unchanged since step ${body.step.step}: ${describe(body.step)}\n`,
      );
    });
  flag
    .command('steps')
    .description('The rollout steps recorded from flag exposure, per flag in order')
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<FlagRolloutStep[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/flag-steps`,
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((s) => ({
          flag: s.flag,
          step: String(s.step),
          state: s.enabled ? 'on' : 'off',
          exposure: `${s.exposurePercent} %`,
          at: s.observedAt,
          by: s.recordedBy,
        })),
        ['flag', 'step', 'state', 'exposure', 'at', 'by'],
      );
    });
}
