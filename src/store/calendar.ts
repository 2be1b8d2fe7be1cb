/** Reading and writing calendar windows and freeze exceptions; rows in, domain shapes out. */
import type { Kysely } from 'kysely';
import type { FreezeException } from '../domain/calendar/freeze.js';
import type { CalendarWindow, WindowKind, WindowScope } from '../domain/calendar/window.js';
import type { CalendarWindowTable, Database } from './schema.js';

type Db = Kysely<Database>;

export function toWindow(row: CalendarWindowTable): CalendarWindow {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as WindowKind,
    timeZone: row.time_zone,
    start: row.local_start,
    end: row.local_end,
    rrule: row.rrule,
    scope: JSON.parse(row.scope) as WindowScope,
    environments: JSON.parse(row.environments) as string[],
    capacity: row.capacity,
    description: row.description,
  };
}

export async function listWindows(db: Db, filter: { kind?: WindowKind } = {}) {
  let query = db.selectFrom('calendar_windows').selectAll().orderBy('name');
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  return (await query.execute()).map(toWindow);
}

export async function loadWindow(db: Db, name: string): Promise<CalendarWindow | undefined> {
  const row = await db
    .selectFrom('calendar_windows')
    .selectAll()
    .where('name', '=', name)
    .executeTakeFirst();
  return row ? toWindow(row) : undefined;
}

export async function listFreezeExceptions(
  db: Db,
  filter: { release?: string } = {},
): Promise<FreezeException[]> {
  let query = db
    .selectFrom('freeze_exceptions')
    .innerJoin('calendar_windows as w', 'w.id', 'freeze_exceptions.window_id')
    .innerJoin('releases as r', 'r.id', 'freeze_exceptions.release_id')
    .innerJoin('users as u', 'u.id', 'freeze_exceptions.approved_by')
    .select([
      'freeze_exceptions.id',
      'w.name as window',
      'r.key as release',
      'freeze_exceptions.reason',
      'u.name as approvedBy',
      'freeze_exceptions.approved_at as approvedAt',
    ])
    .orderBy('freeze_exceptions.approved_at');
  if (filter.release) query = query.where('r.key', '=', filter.release);
  return query.execute();
}

export interface PlannedReleaseRow {
  key: string;
  title: string;
  team: string | null;
  state: string;
  changeType: string;
  services: string[];
  environment: string | null;
  start: string;
  end: string;
}

const FINISHED_OR_DROPPED = ['no-go', 'cancelled'];

/**
 * Releases with a planned window overlapping [from, to), not cancelled or refused, with
 * their services: two queries whatever the number of releases.
 */
export async function plannedReleases(
  db: Db,
  range: { from: string; to: string },
): Promise<PlannedReleaseRow[]> {
  const rows = await db
    .selectFrom('releases')
    .leftJoin('teams', 'teams.id', 'releases.team_id')
    .select([
      'releases.id',
      'releases.key',
      'releases.title',
      'releases.state',
      'releases.change_type',
      'releases.window_start',
      'releases.window_end',
      'releases.window_environment',
      'teams.name as team',
    ])
    .where('releases.window_start', '<', range.to)
    .where('releases.window_end', '>', range.from)
    .where('releases.state', 'not in', FINISHED_OR_DROPPED)
    .orderBy('releases.window_start')
    .execute();
  if (rows.length === 0) return [];
  const services = await db
    .selectFrom('release_services')
    .innerJoin('services', 'services.id', 'release_services.service_id')
    .innerJoin('releases', 'releases.id', 'release_services.release_id')
    .select(['release_services.release_id', 'services.name'])
    .where('releases.window_start', '<', range.to)
    .where('releases.window_end', '>', range.from)
    .orderBy('services.name')
    .execute();
  const byRelease = new Map<string, string[]>();
  for (const s of services)
    byRelease.set(s.release_id, [...(byRelease.get(s.release_id) ?? []), s.name]);
  return rows.map((r) => ({
    key: r.key,
    title: r.title,
    team: r.team,
    state: r.state,
    changeType: r.change_type,
    services: byRelease.get(r.id) ?? [],
    environment: r.window_environment,
    start: r.window_start!,
    end: r.window_end!,
  }));
}
