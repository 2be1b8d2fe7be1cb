import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { IngestedEvent } from '../../app/ingestion/ingestEvent.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { parsePositiveInt } from './options.js';

function describe(event: IngestedEvent): string[] {
  return [
    `${event.outcome}: ${event.reason}`,
    `  event:      ${event.id} (${event.channel} ${event.type}, ${event.occurredAt})`,
    ...(event.deployment ? [`  deployment: ${event.deployment}`] : []),
    ...(event.incident ? [`  incident:   ${event.incident}`] : []),
  ];
}

function table(events: IngestedEvent[]): void {
  printTable(
    events.map((e) => ({
      id: e.id,
      received: e.receivedAt,
      channel: e.channel,
      type: e.type,
      outcome: e.outcome,
      reason: e.reason,
    })),
    ['id', 'received', 'channel', 'type', 'outcome', 'reason'],
  );
}

/** A dead letter is a refusal to apply: a pipeline should notice it. */
function finish(event: IngestedEvent, json: boolean): void {
  if (json) printJson(event);
  else printLines(describe(event));
  if (event.outcome === 'dead-letter') process.exitCode = EXIT.refused;
}

export function eventsCommand(program: Command): void {
  const events = program
    .command('events')
    .description('Send CDEvents, list inbound events and replay dead letters');

  events
    .command('send')
    .description('Send a CDEvent from a file (as a structured-mode CloudEvent)')
    .argument('<file>', 'the CDEvent JSON (context, subject…), or - for standard input')
    .option('--id <id>', 'the CloudEvent id (default: the CDEvent context id)')
    .option('--json', 'print the outcome as JSON', false)
    .action(async (file: string, flags: { id?: string; json: boolean }, command: Command) => {
      let cdevent: {
        context?: { id?: unknown; source?: unknown; type?: unknown; timestamp?: unknown };
      };
      try {
        cdevent = JSON.parse(readFileSync(file === '-' ? 0 : file, 'utf8'));
      } catch (error) {
        throw new CliError(
          `cannot read a CDEvent from ${file}: ${(error as Error).message}`,
          EXIT.usage,
        );
      }
      const context = cdevent?.context ?? {};
      const envelope = {
        specversion: '1.0',
        id: flags.id ?? context.id,
        source: context.source,
        type: context.type,
        ...(typeof context.timestamp === 'string' ? { time: context.timestamp } : {}),
        datacontenttype: 'application/json',
        data: cdevent,
      };
      const { body } = await request<IngestedEvent>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        '/events/cdevents',
        {
          raw: { content: JSON.stringify(envelope), contentType: 'application/cloudevents+json' },
        },
      );
      finish(body, flags.json);
    });

  events
    .command('list')
    .description('Inbound events, latest received first')
    .option('--outcome <outcome>', 'recorded | updated | stale | noted | dead-letter')
    .option('--limit <n>', 'how many', parsePositiveInt('--limit'), 100)
    .option('--json', 'print as JSON', false)
    .action(async (flags: { outcome?: string; limit: number; json: boolean }, command: Command) => {
      const query = new URLSearchParams({ limit: String(flags.limit) });
      if (flags.outcome) query.set('outcome', flags.outcome);
      const { body } = await request<IngestedEvent[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/events?${query}`,
      );
      if (flags.json) printJson(body);
      else table(body);
    });

  events
    .command('dead-letters')
    .description('Events that could not be applied, with the reason')
    .option('--json', 'print as JSON', false)
    .action(async (flags: { json: boolean }, command: Command) => {
      const { body } = await request<IngestedEvent[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/events/dead-letters',
      );
      if (flags.json) printJson(body);
      else if (body.length === 0) printLines(['no dead letters']);
      else table(body);
    });

  events
    .command('replay')
    .description('Apply a dead letter again, once the catalog or a release is fixed')
    .argument('<id>', 'the event id')
    .option('--json', 'print the outcome as JSON', false)
    .action(async (id: string, flags: { json: boolean }, command: Command) => {
      const { body } = await request<IngestedEvent>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/events/dead-letters/${encodeURIComponent(id)}/replay`,
        { body: {} },
      );
      finish(body, flags.json);
    });
}
