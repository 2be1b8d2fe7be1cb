/** `gatehouse itsm`: connect ServiceNow / Jira, see a release's change, the sync backlog. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { PresentedConnection } from '../../app/itsm/connections.js';
import type { Backlog, BacklogOperation, ReleaseChange } from '../../app/itsm/queries.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

/**
 * The credential never goes on the command line (shell history, `ps`): it comes from a
 * file (`-` for standard input) or from GATEHOUSE_ITSM_SECRET.
 */
function readSecret(file: string | undefined, required: boolean): string | undefined {
  if (file) {
    try {
      return (file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8')).trim();
    } catch (error) {
      throw new CliError(`cannot read the secret file: ${(error as Error).message}`, EXIT.usage);
    }
  }
  const fromEnv = process.env.GATEHOUSE_ITSM_SECRET;
  if (fromEnv) return fromEnv;
  if (!required) return undefined;
  throw new CliError(
    'a connection needs its password or token: pass --secret-file PATH (or -) or set GATEHOUSE_ITSM_SECRET',
    EXIT.usage,
  );
}

function settingsFrom(options: Record<string, string | undefined>) {
  const settings: Record<string, string> = {};
  for (const key of [
    'projectKey',
    'issueType',
    'closeTransition',
    'cancelTransition',
    'changeType',
  ])
    if (options[key]) settings[key] = options[key];
  return settings;
}

function describe(c: PresentedConnection): string {
  return `${c.kind} connection ${c.name} (${c.id}) → ${c.baseUrl}, ${c.auth}${
    c.username ? ` as ${c.username}` : ''
  }, secret ${c.secret}, ${c.active ? 'active' : 'inactive'}`;
}

export function itsmCommand(program: Command): void {
  const itsm = program
    .command('itsm')
    .description('Change records in ServiceNow / Jira Service Management');

  itsm
    .command('connect')
    .description(
      'Connect an ITSM tool (admins); the secret comes from a file or GATEHOUSE_ITSM_SECRET',
    )
    .argument('<kind>', 'servicenow or jira')
    .requiredOption('--name <name>', 'a name for the connection')
    .requiredOption(
      '--base-url <url>',
      'https://<instance>.service-now.com or https://<site>.atlassian.net',
    )
    .option('--auth <auth>', 'basic or bearer', 'basic')
    .option('--username <user>', 'user name (basic authentication; Jira: the account e-mail)')
    .option(
      '--secret-file <path>',
      'file holding the password / API token / OAuth token (- for stdin)',
    )
    .option('--project-key <key>', 'Jira: the project change issues go in')
    .option('--issue-type <name>', 'Jira: the change issue type (default Change)')
    .option('--close-transition <name>', 'Jira: the transition that closes a change (default Done)')
    .option('--cancel-transition <name>', 'Jira: the transition that cancels one')
    .option('--change-type <type>', 'ServiceNow: the change type (default normal)')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        kind: string,
        options: Record<string, string | boolean | undefined>,
        command: Command,
      ) => {
        if (kind !== 'servicenow' && kind !== 'jira')
          throw new CliError(`kind must be servicenow or jira, not '${kind}'`, EXIT.usage);
        const { body } = await request<PresentedConnection>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          '/itsm/connections',
          {
            body: {
              name: options.name,
              kind,
              baseUrl: options.baseUrl,
              auth: options.auth,
              ...(options.username ? { username: options.username } : {}),
              secret: readSecret(options.secretFile as string | undefined, true),
              settings: settingsFrom(options as Record<string, string | undefined>),
            },
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(describe(body) + '\n');
      },
    );

  itsm
    .command('update')
    .description('Change a connection: URL, credentials (--secret-file), settings, on/off')
    .argument('<connection>', 'its name or id')
    .option('--base-url <url>')
    .option('--username <user>')
    .option('--secret-file <path>', 'a new password / token (- for stdin)')
    .option('--project-key <key>')
    .option('--close-transition <name>')
    .option('--disable', 'stop mirroring through it')
    .option('--enable', 'mirror through it again')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        name: string,
        options: Record<string, string | boolean | undefined>,
        command: Command,
      ) => {
        if (options.disable && options.enable)
          throw new CliError('--disable and --enable exclude each other', EXIT.usage);
        const secret = options.secretFile
          ? readSecret(options.secretFile as string, true)
          : undefined;
        const settings = settingsFrom(options as Record<string, string | undefined>);
        const { body } = await request<PresentedConnection>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'PATCH',
          `/itsm/connections/${encodeURIComponent(name)}`,
          {
            body: {
              ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
              ...(options.username ? { username: options.username } : {}),
              ...(secret ? { secret } : {}),
              ...(Object.keys(settings).length ? { settings } : {}),
              ...(options.disable ? { active: false } : options.enable ? { active: true } : {}),
            },
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(describe(body) + '\n');
      },
    );

  itsm
    .command('list')
    .description('ITSM connections (secrets masked)')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<PresentedConnection[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/itsm/connections',
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((c) => ({
          name: c.name,
          kind: c.kind,
          baseUrl: c.baseUrl,
          auth: c.auth,
          username: c.username ?? '',
          secret: c.secret,
          active: c.active ? 'yes' : 'no',
        })),
        ['name', 'kind', 'baseUrl', 'auth', 'username', 'secret', 'active'],
      );
    });

  itsm
    .command('show')
    .description("A release's change records: number, external id, link, state")
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<ReleaseChange[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/itsm`,
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((c) => ({ ...c, outcome: c.outcome ?? '' })),
        ['connection', 'number', 'externalId', 'state', 'outcome', 'pendingOperations', 'url'],
      );
    });

  itsm
    .command('backlog')
    .description('Operations not yet sent: pending (retrying) and failed')
    .option('--connection <name>')
    .option('--failed', 'only the failed ones', false)
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: { connection?: string; failed: boolean; json: boolean },
        command: Command,
      ) => {
        const query = new URLSearchParams();
        if (options.connection) query.set('connection', options.connection);
        if (options.failed) query.set('status', 'failed');
        const { body } = await request<Backlog>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/itsm/backlog${query.size ? `?${query}` : ''}`,
        );
        if (options.json) return printJson(body);
        process.stdout.write(
          `${body.pending} pending, ${body.failed} failed${
            body.oldestCreatedAt ? `, oldest queued ${body.oldestCreatedAt}` : ''
          }\n`,
        );
        printTable(
          body.operations.map((o) => ({ ...o, lastStatusCode: o.lastStatusCode ?? '' })),
          [
            'id',
            'connection',
            'release',
            'kind',
            'status',
            'attempts',
            'nextAttemptAt',
            'lastStatusCode',
            'lastError',
          ],
        );
      },
    );

  itsm
    .command('retry')
    .description('Send a failed operation again, after fixing the connection')
    .argument('<operation>', 'the operation id (see `itsm backlog --failed`)')
    .option('--json', 'print as JSON', false)
    .action(async (id: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<BacklogOperation>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `/itsm/operations/${encodeURIComponent(id)}/retry`,
        { body: {} },
      );
      if (options.json) return printJson(body);
      process.stdout.write(
        `operation ${body.id} (${body.kind} ${body.release}) is pending again\n`,
      );
    });
}
