import { type Command, InvalidArgumentError } from 'commander';
import { STATE_LABELS } from '../../domain/lifecycle.js';
import type { Release } from '../../domain/release.js';
import { CLASSIFICATIONS, RELEASE_STATES, type ReleaseState } from '../../domain/release-terms.js';
import { CliError, EXIT, request } from '../client.js';
import { readDocument } from '../files.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { collect, parsePositiveInt } from './options.js';

/** The forward path `advance` follows when no target is given. */
const FORWARD: Partial<Record<ReleaseState, ReleaseState>> = {
  plan: 'prepare',
  prepare: 'test',
  test: 'approve',
  approve: 'deploy',
  deploy: 'verify',
  verify: 'closed',
};

function parseState(value: string): ReleaseState {
  if (!(RELEASE_STATES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`must be one of ${RELEASE_STATES.join(', ')}`);
  return value as ReleaseState;
}

function parseServiceVersion(
  value: string,
  previous: Array<{ service: string; version: string }> = [],
) {
  const match = /^([a-z0-9][a-z0-9-]*)@(.+)$/.exec(value);
  if (!match)
    throw new InvalidArgumentError(`'${value}' must be SERVICE@VERSION, e.g. payments-api@2.4.1`);
  return [...previous, { service: match[1]!, version: match[2]! }];
}

function summary(release: Release): string[] {
  return [
    `${release.key}  ${release.title} (${release.version})`,
    `  state:          ${STATE_LABELS[release.state]}  (revision ${release.revision})`,
    `  classification: ${release.classification}, ITIL ${release.changeType}, ${release.strategy}`,
    `  services:       ${release.services.map((s) => `${s.service}@${s.version}`).join(', ') || '(none)'}`,
    `  window:         ${release.plannedWindow ? `${release.plannedWindow.start} → ${release.plannedWindow.end}` : '(not planned)'}`,
    `  requester:      ${release.requester}${release.team ? ` (${release.team})` : ''}`,
    `  id:             ${release.id}`,
  ];
}

interface CreateFlags {
  file?: string;
  title?: string;
  version?: string;
  classification?: string;
  service?: Array<{ service: string; version: string }>;
  feature?: string[];
  fix?: string[];
  justification?: string;
  rollbackPlan?: string;
  strategy?: string;
  changeType?: string;
  team?: string;
  windowStart?: string;
  windowEnd?: string;
  author?: string[];
  json: boolean;
}

function createBody(flags: CreateFlags): Record<string, unknown> {
  const fromFile = flags.file ? (readDocument(flags.file) as Record<string, unknown>) : {};
  const body: Record<string, unknown> = { ...fromFile };
  const set = (key: string, value: unknown) => {
    if (value !== undefined) body[key] = value;
  };
  set('title', flags.title);
  set('version', flags.version);
  set('classification', flags.classification);
  set('services', flags.service);
  set('justification', flags.justification);
  set('rollbackPlan', flags.rollbackPlan);
  set('strategy', flags.strategy);
  set('changeType', flags.changeType);
  set('team', flags.team);
  set('authors', flags.author);
  if (flags.feature || flags.fix)
    body.scope = {
      ...(body.scope as object),
      ...(flags.feature && { features: flags.feature }),
      ...(flags.fix && { fixes: flags.fix }),
    };
  if (flags.windowStart || flags.windowEnd) {
    if (!flags.windowStart || !flags.windowEnd)
      throw new CliError('--window-start and --window-end go together', EXIT.usage);
    body.plannedWindow = { start: flags.windowStart, end: flags.windowEnd };
  }
  for (const required of ['title', 'version', 'classification'])
    if (body[required] === undefined)
      throw new CliError(`--${required} is required (or give it in --file)`, EXIT.usage);
  body.services ??= [];
  return body;
}

export function releaseCommand(program: Command): void {
  const release = program
    .command('release')
    .description('Create, list, read and move releases through their lifecycle');

  release
    .command('create')
    .description('Create a release; it starts in Plan')
    .option('-f, --file <file>', 'release document (YAML or JSON); flags override its fields')
    .option('--title <title>', 'what the release is')
    .option('--version <version>', 'the release version, e.g. 2026.11.1')
    .option('--classification <class>', CLASSIFICATIONS.join(' | '))
    .option(
      '--service <service@version>',
      'a service and the version it ships; repeat for each',
      parseServiceVersion,
    )
    .option('--feature <text>', 'a feature in scope; repeatable', collect)
    .option('--fix <text>', 'a fix in scope; repeatable', collect)
    .option('--justification <text>', 'business justification')
    .option('--rollback-plan <text>', 'how to roll back')
    .option('--strategy <strategy>', 'big-bang | rolling | blue-green | canary')
    .option('--change-type <type>', 'ITIL change type: standard | normal | emergency')
    .option('--team <team>', 'owning team')
    .option('--window-start <instant>', 'planned window start, ISO 8601')
    .option('--window-end <instant>', 'planned window end, ISO 8601')
    .option('--author <user>', 'who authored a change it carries (user name); repeatable', collect)
    .option('--json', 'print the release as JSON', false)
    .action(async (flags: CreateFlags, command: Command) => {
      const { body } = await request<Release>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        '/releases',
        { body: createBody(flags) },
      );
      if (flags.json) printJson(body);
      else printLines([`created ${body.key}`, ...summary(body).slice(1)]);
    });

  release
    .command('list')
    .description('List releases, newest first')
    .option(
      '--state <state>',
      'only in this state; repeatable',
      (v: string, prev: string[] = []) => [...prev, parseState(v)],
    )
    .option('--service <service>', 'only releases carrying this service')
    .option('--team <team>', 'only releases of this team')
    .option('--classification <class>', CLASSIFICATIONS.join(' | '))
    .option('--limit <n>', 'how many', parsePositiveInt('--limit'), 50)
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: {
          state?: string[];
          service?: string;
          team?: string;
          classification?: string;
          limit: number;
          json: boolean;
        },
        command: Command,
      ) => {
        const query = new URLSearchParams({ limit: String(options.limit) });
        for (const s of options.state ?? []) query.append('state', s);
        if (options.service) query.set('service', options.service);
        if (options.team) query.set('team', options.team);
        if (options.classification) query.set('classification', options.classification);
        const { body } = await request<{ items: Release[]; nextCursor: string | null }>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/releases?${query}`,
        );
        if (options.json) return printJson(body);
        printTable(
          body.items.map((r) => ({
            key: r.key,
            state: STATE_LABELS[r.state],
            class: r.classification,
            title: r.title,
            version: r.version,
            services: r.services.map((s) => s.service).join(', '),
          })),
          ['key', 'state', 'class', 'version', 'title', 'services'],
        );
      },
    );

  release
    .command('show')
    .description('Show one release')
    .argument('<release>', 'release key (REL-42) or id')
    .option('--json', 'print as JSON', false)
    .action(async (key: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<Release>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(key)}`,
      );
      if (options.json) printJson(body);
      else printLines(summary(body));
    });

  release
    .command('advance')
    .description(
      'Move a release to its next stage (or --to a side exit); exits 1 with each failed check when refused',
    )
    .argument('<release>', 'release key (REL-42) or id')
    .option(
      '--to <state>',
      `target state: ${RELEASE_STATES.join(', ')} (default: the next stage)`,
      parseState,
    )
    .option('--reason <text>', 'why; required for No-Go, Cancelled, Failed and Rolled back')
    .option('--json', 'print the result as JSON', false)
    .action(
      async (
        key: string,
        options: { to?: ReleaseState; reason?: string; json: boolean },
        command: Command,
      ) => {
        const connection = connect(command.optsWithGlobals<GlobalOptions>());
        let to = options.to;
        if (!to) {
          const { body: current } = await request<Release>(
            connection,
            'GET',
            `/releases/${encodeURIComponent(key)}`,
          );
          to = FORWARD[current.state];
          if (!to)
            throw new CliError(
              `${current.key} is in ${STATE_LABELS[current.state]}: there is no next stage; use --to for a side exit`,
              EXIT.refused,
            );
        }
        const { body } = await request<{
          release: Release;
          evaluation: { checks: Array<{ check: string; reason: string }> };
        }>(connection, 'POST', `/releases/${encodeURIComponent(key)}/transitions`, {
          body: { to, ...(options.reason !== undefined && { reason: options.reason }) },
        });
        if (options.json) return printJson(body);
        printLines([
          `${body.release.key} moved to ${STATE_LABELS[body.release.state]}`,
          ...body.evaluation.checks.map((c) => `  ✓ ${c.check}: ${c.reason}`),
        ]);
      },
    );
}
