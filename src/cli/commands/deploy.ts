import type { Command } from 'commander';
import type { Deployment } from '../../domain/deployment.js';
import { request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

interface RecordFlags {
  service: string;
  env: string;
  region?: string;
  status: string;
  started?: string;
  finished?: string;
  notes?: string;
  json: boolean;
}

export function deployCommand(program: Command): void {
  const deploy = program
    .command('deploy')
    .description('Record deployments of a release and list them');

  deploy
    .command('record')
    .description('Record that a release was deployed (or started, failed, rolled back…)')
    .argument('<release>', 'release key or id')
    .requiredOption('--service <service>', 'the service deployed')
    .requiredOption('--env <environment>', 'the environment deployed to')
    .option('--region <region>', 'the region, when the environment has several')
    .option(
      '--status <status>',
      'started | succeeded | failed | rolled-back | partial',
      'succeeded',
    )
    .option('--started <instant>', 'when it started, ISO 8601 (default: now)')
    .option('--finished <instant>', 'when it finished, ISO 8601 (default: now unless started)')
    .option('--notes <text>', 'what the pipeline wants remembered')
    .option('--json', 'print the deployment as JSON', false)
    .action(async (release: string, flags: RecordFlags, command: Command) => {
      const body: Record<string, unknown> = {
        service: flags.service,
        environment: flags.env,
        status: flags.status,
      };
      if (flags.region) body.region = flags.region;
      if (flags.started) body.startedAt = flags.started;
      if (flags.finished) body.finishedAt = flags.finished;
      if (flags.notes) body.notes = flags.notes;
      const { body: recorded } = await request<Deployment>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/releases/${encodeURIComponent(release)}/deployments`,
        { body },
      );
      if (flags.json) return printJson(recorded);
      printLines([
        `recorded ${recorded.release} ${recorded.service} ${recorded.status} in ${recorded.environment}${recorded.region ? ` (${recorded.region})` : ''}`,
        `  id:       ${recorded.id}`,
        `  started:  ${recorded.startedAt}`,
        `  finished: ${recorded.finishedAt ?? '(running)'}`,
      ]);
    });

  deploy
    .command('list')
    .description('List the deployments of a release')
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, flags: { json: boolean }, command: Command) => {
      const { body } = await request<Deployment[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/deployments`,
      );
      if (flags.json) return printJson(body);
      printTable(
        body.map((d) => ({
          service: d.service,
          environment: d.environment,
          region: d.region ?? '',
          status: d.status,
          started: d.startedAt,
          finished: d.finishedAt ?? '',
          id: d.id,
        })),
        ['service', 'environment', 'region', 'status', 'started', 'finished', 'id'],
      );
    });
}
