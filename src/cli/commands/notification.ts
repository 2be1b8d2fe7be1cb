import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { DeliveryView } from '../../app/notifications/deliveries.js';
import type { Subscription } from '../../store/notifications.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

/**
 * The secret never goes on the command line (shell history, `ps`): it comes from a file
 * (`-` for standard input) or from GATEHOUSE_WEBHOOK_SECRET.
 */
function readSecret(file: string | undefined): string {
  if (file) {
    try {
      return (file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')).trim();
    } catch (error) {
      throw new CliError(`cannot read the secret file: ${(error as Error).message}`, EXIT.usage);
    }
  }
  const fromEnv = process.env.GATEHOUSE_WEBHOOK_SECRET;
  if (fromEnv) return fromEnv;
  throw new CliError(
    'a webhook needs a secret: pass --secret-file PATH (or -) or set GATEHOUSE_WEBHOOK_SECRET',
    EXIT.usage,
  );
}

export function notificationCommand(program: Command): void {
  const notification = program
    .command('notification')
    .description('Outbound webhooks: subscriptions, the delivery log, redelivery');

  const subscription = notification
    .command('subscription')
    .description('Webhook subscriptions (admins)');
  subscription
    .command('create')
    .description('Send matching events to a URL, signed with HMAC-SHA256')
    .requiredOption('--name <name>', 'a name for the subscription')
    .requiredOption('--webhook-url <url>', 'where to POST each event')
    .option(
      '--events <glob...>',
      'event-type globs, e.g. dev.gatehouse.release.* (default: every event)',
    )
    .option('--format <format>', 'cloudevents or slack', 'cloudevents')
    .option('--secret-file <path>', 'file holding the signing secret (- for standard input)')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: {
          name: string;
          webhookUrl: string;
          events?: string[];
          format: string;
          secretFile?: string;
          json: boolean;
        },
        command: Command,
      ) => {
        const { body } = await request<Subscription>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          '/notifications/subscriptions',
          {
            body: {
              name: options.name,
              url: options.webhookUrl,
              format: options.format,
              secret: readSecret(options.secretFile),
              ...(options.events ? { eventTypes: options.events } : {}),
            },
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(
          `subscription ${body.name} (${body.id}) sends ${body.eventTypes.join(', ')} as ${body.format} to ${body.url}\n`,
        );
      },
    );
  subscription
    .command('list')
    .description('Every subscription (secrets are never shown)')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<Subscription[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/notifications/subscriptions',
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((s) => ({
          name: s.name,
          format: s.format,
          events: s.eventTypes.join(' '),
          url: s.url,
          id: s.id,
        })),
        ['name', 'format', 'events', 'url', 'id'],
      );
    });
  subscription
    .command('delete')
    .description('Remove a subscription and its delivery log')
    .argument('<subscription>', 'name or id')
    .action(async (name: string, _options: unknown, command: Command) => {
      await request(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'DELETE',
        `/notifications/subscriptions/${encodeURIComponent(name)}`,
      );
      process.stdout.write(`subscription ${name} removed\n`);
    });

  notification
    .command('deliveries')
    .description('The delivery log, newest first, with every attempt')
    .option('--status <status>', 'pending, succeeded or failed')
    .option('--subscription <name>', 'only this subscription')
    .option('--limit <n>', 'at most this many', '50')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: { status?: string; subscription?: string; limit: string; json: boolean },
        command: Command,
      ) => {
        const params = new URLSearchParams({ limit: options.limit });
        if (options.status) params.set('status', options.status);
        if (options.subscription) params.set('subscription', options.subscription);
        const { body } = await request<{ items: DeliveryView[] }>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/notifications/deliveries?${params.toString()}`,
        );
        if (options.json) return printJson(body);
        printTable(
          body.items.map((d) => ({
            id: d.id,
            subscription: d.subscription,
            event: `${d.eventType} #${d.eventId}`,
            status: d.status,
            attempts: d.attempts,
            last: d.lastError ?? (d.lastStatusCode === null ? '' : `HTTP ${d.lastStatusCode}`),
          })),
          ['id', 'subscription', 'event', 'status', 'attempts', 'last'],
        );
      },
    );

  notification
    .command('redeliver')
    .description('Send a delivery again now, with a fresh allowance of attempts')
    .argument('<delivery>', 'delivery id (from `notification deliveries`)')
    .option('--reason <text>', 'why, for the audit log')
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      const { body } = await request<{ id: string; nextAttemptAt: string }>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/notifications/deliveries/${encodeURIComponent(id)}/redeliver`,
        { body: options.reason ? { reason: options.reason } : {} },
      );
      process.stdout.write(`delivery ${body.id} queued again at ${body.nextAttemptAt}\n`);
    });
}
