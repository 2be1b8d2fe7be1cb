/**
 * Which module defines which top-level `gatehouse` command, so that a run loads only
 * the one it needs.
 */
import type { Command } from 'commander';

/** Adds a module's commands to the program (`serve` reports the version it runs). */
export type Register = (program: Command, version: string) => void;

/**
 * Every command module, in the order `--help` lists them, with the top-level commands
 * each defines. A run loads only the module of the command it names: a pipeline calls
 * the CLI many times, and loading all of them (and what they import) was most of each
 * call's start-up. `command-modules.test.ts` holds this table to what the modules define.
 */
export const COMMAND_MODULES: { names: string[]; load: () => Promise<Register> }[] = [
  {
    names: ['serve'],
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  { names: ['migrate'], load: async () => (await import('./commands/migrate.js')).migrateCommand },
  {
    names: ['backup', 'restore'],
    load: async () => (await import('./commands/backup.js')).backupCommands,
  },
  { names: ['catalog'], load: async () => (await import('./commands/catalog.js')).catalogCommand },
  { names: ['release'], load: async () => (await import('./commands/release.js')).releaseCommand },
  { names: ['token'], load: async () => (await import('./commands/token.js')).tokenCommand },
  { names: ['audit'], load: async () => (await import('./commands/audit.js')).auditCommand },
  {
    names: ['evidence'],
    load: async () => (await import('./commands/evidence.js')).evidenceCommand,
  },
  { names: ['policy'], load: async () => (await import('./commands/policy.js')).policyCommand },
  { names: ['gate'], load: async () => (await import('./commands/gate.js')).gateCommand },
  { names: ['waiver'], load: async () => (await import('./commands/waiver.js')).waiverCommand },
  { names: ['canary'], load: async () => (await import('./commands/canary.js')).canaryCommand },
  {
    names: ['calendar'],
    load: async () => (await import('./commands/calendar.js')).calendarCommand,
  },
  {
    names: ['dependencies'],
    load: async () => (await import('./commands/dependencies.js')).dependenciesCommand,
  },
  {
    names: ['incident'],
    load: async () => (await import('./commands/incident.js')).incidentCommand,
  },
  { names: ['metrics'], load: async () => (await import('./commands/metrics.js')).metricsCommand },
  { names: ['review'], load: async () => (await import('./commands/review.js')).reviewCommand },
  { names: ['deploy'], load: async () => (await import('./commands/deploy.js')).deployCommand },
  { names: ['events'], load: async () => (await import('./commands/events.js')).eventsCommand },
  { names: ['runbook'], load: async () => (await import('./commands/runbook.js')).runbookCommand },
  {
    names: ['approve', 'reject', 'approvals'],
    load: async () => (await import('./commands/approval.js')).approvalCommands,
  },
  { names: ['cab'], load: async () => (await import('./commands/cab.js')).cabCommand },
  { names: ['go-no-go'], load: async () => (await import('./commands/go-no-go.js')).goNoGoCommand },
  {
    names: ['notification'],
    load: async () => (await import('./commands/notification.js')).notificationCommand,
  },
  { names: ['report'], load: async () => (await import('./commands/report.js')).reportCommand },
  {
    names: ['retention'],
    load: async () => (await import('./commands/retention.js')).retentionCommand,
  },
  {
    names: ['access-review'],
    load: async () => (await import('./commands/access-review.js')).accessReviewCommand,
  },
  {
    names: ['release-notes'],
    load: async () => (await import('./commands/release-notes.js')).releaseNotesCommand,
  },
  {
    names: ['downtime'],
    load: async () => (await import('./commands/downtime.js')).downtimeCommand,
  },
  {
    names: ['controls'],
    load: async () => (await import('./commands/controls.js')).controlsCommand,
  },
  { names: ['itsm'], load: async () => (await import('./commands/itsm.js')).itsmCommand },
  { names: ['flag'], load: async () => (await import('./commands/flag.js')).flagCommand },
];

/** The program's own options that take a value, and so hide the command word after them. */
const PROGRAM_OPTIONS_WITH_VALUE = new Set(['--url', '--token']);

/**
 * The top-level command `argv` names (`help <command>` names its command), or null when
 * it names none or one that does not exist: then every module is loaded, so top-level
 * help lists them all and commander's "unknown command" answer is the same as ever.
 */
export function commandNamed(argv: string[]): string | null {
  const words = argv.slice(2);
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (PROGRAM_OPTIONS_WITH_VALUE.has(word)) {
      i++;
      continue;
    }
    if (word.startsWith('-')) continue;
    const named = word === 'help' ? words[i + 1] : word;
    return named !== undefined && COMMAND_MODULES.some((m) => m.names.includes(named))
      ? named
      : null;
  }
  return null;
}
