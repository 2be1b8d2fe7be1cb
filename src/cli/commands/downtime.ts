import type { Command } from 'commander';
import type { Downtime, DowntimeNotices } from '../../app/communication/downtimeNotices.js';
import { request } from '../client.js';
import { printJson } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { parseIsoInstant } from './retention.js';

export function downtimeCommand(program: Command): void {
  const downtime = program
    .command('downtime')
    .description("A release's expected downtime and the notices to dependent services' owners");

  downtime
    .command('set <release>')
    .description('Set the expected downtime window')
    .requiredOption('--start <instant>', 'ISO 8601 start', parseIsoInstant('--start'))
    .requiredOption('--end <instant>', 'ISO 8601 end', parseIsoInstant('--end'))
    .requiredOption('--description <text>', 'what is down and why')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        release: string,
        options: { start: string; end: string; description: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<Downtime>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'PUT',
          `/releases/${encodeURIComponent(release)}/downtime`,
          { body: { start: options.start, end: options.end, description: options.description } },
        );
        if (options.json) return printJson(body);
        process.stdout.write(`${body.release} expects downtime ${body.start} – ${body.end}\n`);
      },
    );

  downtime
    .command('notify <release>')
    .description("Send notices to the owners of dependent services, in each team's time zone")
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<DowntimeNotices>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/releases/${encodeURIComponent(release)}/downtime/notices`,
        { body: {} },
      );
      if (options.json) return printJson(body);
      for (const n of body.notices)
        process.stdout.write(`${n.team} (${n.services.join(', ')}): ${n.localWindow}\n`);
    });
}
