/**
 * Expected downtime and the notices it sends: who depends on the services a release
 * changes (through the catalog's dependency graph), grouped by owning team, each told
 * the window in the team's own time zone.
 */
import { type Static } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import { downstreamOf, type DependencyEdges } from './dependency-graph.js';
import type { FieldProblem } from './errors.js';
import { Instant, LongText, StrictObject } from './schema-kit.js';
import { Type } from '@sinclair/typebox';

export const SetDowntimeInput = StrictObject({
  start: Instant,
  end: Instant,
  description: Type.Unsafe<string>({ ...LongText, minLength: 1, maxLength: 2000 }),
});
export type SetDowntimeInput = Static<typeof SetDowntimeInput>;

/** The longest window a release may announce; longer is a project, not a downtime. */
export const MAX_DOWNTIME_MS = 7 * 86_400_000;

export function downtimeProblems(input: SetDowntimeInput, now: Date): FieldProblem[] {
  const start = Date.parse(input.start);
  const end = Date.parse(input.end);
  const problems: FieldProblem[] = [];
  if (end <= start)
    problems.push({ field: '/end', reason: `must be after the start (${input.start})` });
  else if (end - start > MAX_DOWNTIME_MS)
    problems.push({ field: '/end', reason: 'a downtime window may last at most 7 days' });
  if (end <= now.getTime())
    problems.push({
      field: '/end',
      reason: `the window is already over (now ${now.toISOString()})`,
    });
  return problems;
}

/** "Tue 24 Nov 2026 03:00–05:00 CET (Europe/Berlin)", spelling out both days if they differ. */
export function localWindow(start: string, end: string, zone: string | null): string {
  const z = zone ?? 'UTC';
  const from = DateTime.fromISO(start, { zone: 'utc' }).setZone(z).setLocale('en-GB');
  const to = DateTime.fromISO(end, { zone: 'utc' }).setZone(z).setLocale('en-GB');
  const day = 'ccc d LLL yyyy';
  const text = from.hasSame(to, 'day')
    ? `${from.toFormat(`${day} HH:mm`)}–${to.toFormat('HH:mm ZZZZ')}`
    : `${from.toFormat(`${day} HH:mm ZZZZ`)} – ${to.toFormat(`${day} HH:mm ZZZZ`)}`;
  return `${text} (${z}${zone ? '' : ': the team has no time zone'})`;
}

export interface DowntimeRecipient {
  team: string;
  timeZone: string | null;
  /** The team's services that depend, directly or not, on what the release changes. */
  services: string[];
  localWindow: string;
}

export function downtimeRecipients(
  edges: DependencyEdges,
  changed: readonly string[],
  owners: ReadonlyMap<string, { team: string; timeZone: string | null }>,
  window: { start: string; end: string },
): DowntimeRecipient[] {
  const byTeam = new Map<string, DowntimeRecipient>();
  for (const service of downstreamOf(edges, changed)) {
    const owner = owners.get(service);
    if (!owner) continue;
    const recipient = byTeam.get(owner.team) ?? {
      team: owner.team,
      timeZone: owner.timeZone,
      services: [],
      localWindow: localWindow(window.start, window.end, owner.timeZone),
    };
    recipient.services.push(service);
    byTeam.set(owner.team, recipient);
  }
  return [...byTeam.values()].sort((a, b) => (a.team < b.team ? -1 : 1));
}
