import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AgendaItem } from '../../domain/cab/agenda.js';
import type { CabDecision } from '../../domain/cab/decision.js';
import type { CabMeeting, MeetingOccurrence } from '../../domain/cab/meeting.js';
import { request } from '../client.js';
import { readDocument } from '../files.js';
import { printJson, printLines, printTable } from '../output.js';
import { connect, type GlobalOptions } from './global.js';
import { collect } from './options.js';

interface Agenda {
  meeting: CabMeeting;
  occurrence: MeetingOccurrence;
  nextMeeting: MeetingOccurrence | null;
  items: AgendaItem[];
}

const at = (value?: string) => (value ? `?at=${encodeURIComponent(value)}` : '');
const meetingPath = (name: string) => `/cab/meetings/${encodeURIComponent(name)}`;

function describeDecision(d: CabDecision): string[] {
  return [
    `${d.release}: ${d.decision} by ${d.decidedBy} at ${d.meeting} ${d.occurrence} — ${d.rationale}`,
    ...d.conditions.map(
      (c) =>
        `  #${c.number} [${c.metBy ? 'met' : 'open'}] ${c.text}${c.metBy ? ` (by ${c.metBy} at ${c.metAt})` : ''}`,
    ),
  ];
}

export function cabCommand(program: Command): void {
  const cab = program
    .command('cab')
    .description('CAB meetings: schedules, agendas, decisions and minutes');
  const meeting = cab.command('meeting').description('Schedule and list CAB meetings');
  meeting
    .command('create')
    .description(
      'Schedule a meeting from YAML or JSON (name, title, timeZone, start, end, rrule, members)',
    )
    .requiredOption('-f, --file <file>', 'meeting document; - reads standard input')
    .option('--json', 'print as JSON', false)
    .action(async (options: { file: string; json: boolean }, command: Command) => {
      const { body } = await request<CabMeeting>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        '/cab/meetings',
        { body: readDocument(options.file) },
      );
      if (options.json) return printJson(body);
      printLines([
        `CAB meeting ${body.name} scheduled; members: ${body.members.join(', ') || 'none'}`,
      ]);
    });
  meeting
    .command('list')
    .description('List CAB meetings')
    .option('--json', 'print as JSON', false)
    .action(async (options: { json: boolean }, command: Command) => {
      const { body } = await request<{ items: CabMeeting[] }>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        '/cab/meetings',
      );
      if (options.json) return printJson(body.items);
      printTable(
        body.items.map((m) => ({
          name: m.name,
          zone: m.timeZone,
          start: m.start,
          rrule: m.rrule ?? 'one-off',
          members: m.members.join(','),
        })),
        ['name', 'zone', 'start', 'rrule', 'members'],
      );
    });
  meeting
    .command('add-member')
    .description('Add a member to a meeting')
    .argument('<meeting>', 'meeting name')
    .argument('<user>', 'user name')
    .action(async (name: string, user: string, _options: unknown, command: Command) => {
      const { body } = await request<CabMeeting>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'POST',
        `${meetingPath(name)}/members`,
        { body: { user } },
      );
      printLines([`${body.name} members: ${body.members.join(', ')}`]);
    });

  cab
    .command('agenda')
    .description('The agenda of a sitting, highest risk first, with its evaluation criteria')
    .argument('<meeting>', 'meeting name')
    .option('--at <instant>', 'the sitting’s start (default: the next sitting)')
    .option('--json', 'print as JSON', false)
    .action(async (name: string, options: { at?: string; json: boolean }, command: Command) => {
      const { body } = await request<Agenda>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `${meetingPath(name)}/agenda${at(options.at)}`,
      );
      if (options.json) return printJson(body);
      printLines([
        `${body.meeting.name} sitting ${body.occurrence.start}; next ${body.nextMeeting?.start ?? 'none'}`,
      ]);
      printTable(
        body.items.map((i) => ({
          release: i.release,
          risk: `${i.risk.score} ${i.risk.level}`,
          window: i.plannedWindow.start,
          testing: i.testing.status,
          impact: i.businessImpact.status,
          rollback: i.rollbackReadiness.status,
          readiness: i.operationalReadiness.status,
          decision: i.decision?.decision ?? '-',
        })),
        ['release', 'risk', 'window', 'testing', 'impact', 'rollback', 'readiness', 'decision'],
      );
    });

  cab
    .command('decide')
    .description('Decide an agenda item: go, no-go or conditional-go (with --condition)')
    .argument('<meeting>', 'meeting name')
    .argument('<release>', 'release key or id')
    .requiredOption('--at <instant>', 'the sitting’s start')
    .requiredOption('--decision <decision>', 'go, no-go or conditional-go')
    .requiredOption('--rationale <text>', 'why')
    .option('--condition <text>', 'a condition of a conditional-go (repeatable)', collect, [])
    .option('--json', 'print as JSON', false)
    .action(
      async (
        name: string,
        release: string,
        options: {
          at: string;
          decision: string;
          rationale: string;
          condition: string[];
          json: boolean;
        },
        command: Command,
      ) => {
        const { body } = await request<CabDecision>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `${meetingPath(name)}/decisions`,
          {
            body: {
              occurrence: options.at,
              release,
              decision: options.decision,
              rationale: options.rationale,
              ...(options.condition.length ? { conditions: options.condition } : {}),
            },
          },
        );
        if (options.json) return printJson(body);
        printLines([`decision ${body.id}`, ...describeDecision(body)]);
      },
    );

  cab
    .command('condition-met')
    .description('Mark one condition of a Conditional Go met')
    .argument('<decision>', 'decision id')
    .argument('<number>', 'condition number, from 1')
    .option('--note <text>', 'how it is known to be met')
    .option('--json', 'print as JSON', false)
    .action(
      async (
        decision: string,
        number: string,
        options: { note?: string; json: boolean },
        command: Command,
      ) => {
        const { body } = await request<CabDecision>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/cab/decisions/${encodeURIComponent(decision)}/conditions/${encodeURIComponent(number)}/met`,
          { body: options.note ? { note: options.note } : {} },
        );
        if (options.json) return printJson(body);
        printLines(describeDecision(body));
      },
    );

  cab
    .command('decisions')
    .description('Every CAB decision on a release, oldest first')
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<CabDecision[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/cab-decisions`,
      );
      if (options.json) return printJson(body);
      printLines(body.length ? body.flatMap(describeDecision) : [`${release}: no CAB decision`]);
    });

  cab
    .command('minutes')
    .description('The minutes of a sitting as Markdown')
    .argument('<meeting>', 'meeting name')
    .option('--at <instant>', 'the sitting’s start (default: the next sitting)')
    .option('-o, --output <file>', 'write to a file instead of standard output')
    .action(async (name: string, options: { at?: string; output?: string }, command: Command) => {
      const { body } = await request<string>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `${meetingPath(name)}/minutes.md${at(options.at)}`,
        { headers: { accept: 'text/markdown' } },
      );
      if (options.output) writeFileSync(options.output, body);
      else process.stdout.write(body.endsWith('\n') ? body : `${body}\n`);
    });
}
