import { type Command, InvalidArgumentError } from 'commander';
import type { Incident, SuggestedCause } from '../../domain/incident.js';
import { request } from '../client.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { collect, parsePositiveInt } from './options.js';
import { formatDuration } from './durations.js';

function parseSeverity(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 4)
    throw new InvalidArgumentError(`--severity must be 1 (worst) to 4, not '${value}'`);
  return n;
}

function summary(incident: Incident): string[] {
  return [
    `${incident.key}  SEV${incident.severity}  ${incident.title}`,
    `  service:      ${incident.service} (${incident.team})`,
    `  started:      ${incident.startedAt}`,
    `  detected:     ${incident.detectedAt}  (time to detect ${formatDuration(incident.timeToDetectMs)})`,
    `  acknowledged: ${incident.acknowledgedAt ?? '(not yet)'}`,
    `  resolved:     ${incident.resolvedAt ?? '(open)'}${incident.timeToRestoreMs === null ? '' : `  (time to restore ${formatDuration(incident.timeToRestoreMs)})`}`,
    `  caused by:    ${incident.causedBy.length ? '' : '(no deployment linked)'}`,
    ...incident.causedBy.map(
      (c) => `    ${c.release} ${c.service} in ${c.environment} [${c.deployment}]: ${c.reason}`,
    ),
  ];
}

interface CreateFlags {
  title: string;
  severity: number;
  service: string;
  started: string;
  detected?: string;
  acknowledged?: string;
  resolved?: string;
  causedBy?: string[];
  json: boolean;
}

export function incidentCommand(program: Command): void {
  const incident = program
    .command('incident')
    .description('Record incidents and the deployments that caused them');

  incident
    .command('create')
    .description('Record an incident')
    .requiredOption('--title <title>', 'what went wrong')
    .requiredOption('--severity <1-4>', '1 is the worst', parseSeverity)
    .requiredOption('--service <service>', 'the service that was hurt')
    .requiredOption('--started <instant>', 'when the impact started, ISO 8601')
    .option('--detected <instant>', 'when it was noticed (default: when it is recorded)')
    .option('--acknowledged <instant>', 'when someone took it on')
    .option('--resolved <instant>', 'when service was restored')
    .option('--caused-by <deployment>', 'id of a deployment that caused it; repeatable', collect)
    .option('--json', 'print the incident as JSON', false)
    .action(async (flags: CreateFlags, command: Command) => {
      const body: Record<string, unknown> = {
        title: flags.title,
        severity: flags.severity,
        service: flags.service,
        startedAt: flags.started,
      };
      if (flags.detected) body.detectedAt = flags.detected;
      if (flags.acknowledged) body.acknowledgedAt = flags.acknowledged;
      if (flags.resolved) body.resolvedAt = flags.resolved;
      if (flags.causedBy) body.causedBy = flags.causedBy;
      const { body: created } = await request<Incident>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        '/incidents',
        { body },
      );
      if (flags.json) printJson(created);
      else printLines([`recorded ${created.key}`, ...summary(created).slice(1)]);
    });

  incident
    .command('list')
    .description('List incidents, latest started first')
    .option('--service <service>', 'only this service')
    .option('--team <team>', 'only services of this team')
    .option('--severity <1-4>', 'only this severity', parseSeverity)
    .option('--open', 'only unresolved incidents')
    .option('--since <instant>', 'started at or after')
    .option('--until <instant>', 'started before')
    .option('--limit <n>', 'how many', parsePositiveInt('--limit'), 50)
    .option('--json', 'print as JSON', false)
    .action(
      async (
        options: {
          service?: string;
          team?: string;
          severity?: number;
          open?: boolean;
          since?: string;
          until?: string;
          limit: number;
          json: boolean;
        },
        command: Command,
      ) => {
        const query = new URLSearchParams({ limit: String(options.limit) });
        for (const key of ['service', 'team', 'since', 'until'] as const)
          if (options[key]) query.set(key, options[key]);
        if (options.severity) query.set('severity', String(options.severity));
        if (options.open) query.set('open', 'true');
        const { body } = await request<{ items: Incident[]; nextCursor: string | null }>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'GET',
          `/incidents?${query}`,
        );
        if (options.json) return printJson(body);
        printTable(
          body.items.map((i) => ({
            key: i.key,
            sev: i.severity,
            service: i.service,
            started: i.startedAt,
            ttd: formatDuration(i.timeToDetectMs),
            ttr: i.timeToRestoreMs === null ? 'open' : formatDuration(i.timeToRestoreMs),
            title: i.title,
          })),
          ['key', 'sev', 'service', 'started', 'ttd', 'ttr', 'title'],
        );
      },
    );

  incident
    .command('show')
    .description('Show one incident, with its time to detect and restore and its causes')
    .argument('<incident>', 'incident key (INC-7) or id')
    .option('--suggest', 'also list the deployments that may have caused it, and why', false)
    .option('--json', 'print as JSON', false)
    .action(async (key: string, options: { suggest: boolean; json: boolean }, command: Command) => {
      const connection = connect(command.optsWithGlobals<GlobalOptions>());
      const path = `/incidents/${encodeURIComponent(key)}`;
      const { body } = await request<Incident>(connection, 'GET', path);
      const suggestions = options.suggest
        ? (
            await request<{ suggestions: SuggestedCause[] }>(
              connection,
              'GET',
              `${path}/suggested-causes`,
            )
          ).body.suggestions
        : undefined;
      if (options.json) return printJson(suggestions ? { ...body, suggestions } : body);
      printLines(summary(body));
      if (suggestions)
        printLines([
          '  suggested causes:',
          ...(suggestions.length
            ? suggestions.map((s) => `    ${s.score.toFixed(2)}  [${s.deployment}] ${s.reason}`)
            : ['    (none within 24 h before it started)']),
        ]);
    });

  incident
    .command('link')
    .description('Say that a deployment caused the incident')
    .argument('<incident>', 'incident key (INC-7) or id')
    .argument('<deployment>', 'deployment id')
    .option('--reason <text>', 'why this deployment is the cause')
    .option('--json', 'print the incident as JSON', false)
    .action(
      async (
        key: string,
        deployment: string,
        options: { reason?: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<Incident>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/incidents/${encodeURIComponent(key)}/deployments`,
          { body: { deployment, ...(options.reason && { reason: options.reason }) } },
        );
        if (options.json) printJson(body);
        else printLines([`linked ${deployment} to ${body.key}`, ...summary(body).slice(1)]);
      },
    );
}
