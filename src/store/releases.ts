/** Reading and writing releases; rows in, the domain's `Release` out. */
import type { Kysely } from 'kysely';
import type {
  ChangeType,
  Classification,
  DeploymentStrategy,
  Release,
  ReleaseState,
  Scope,
} from '../domain/release.js';
import type { Database, ReleaseTable } from './schema.js';

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A release is addressed by its id or by its key (REL-42). */
export async function findReleaseRow(db: Db, idOrKey: string): Promise<ReleaseTable | undefined> {
  const column = UUID.test(idOrKey) ? 'id' : 'key';
  const value = column === 'id' ? idOrKey : idOrKey.toUpperCase();
  return db.selectFrom('releases').selectAll().where(column, '=', value).executeTakeFirst();
}

export async function loadRelease(db: Db, idOrKey: string): Promise<Release | undefined> {
  const row = await findReleaseRow(db, idOrKey);
  if (!row) return undefined;
  const [release] = await hydrate(db, [row]);
  return release;
}

/** Turns rows into releases with two more queries in all, whatever the number of rows. */
export async function hydrate(db: Db, rows: ReleaseTable[]): Promise<Release[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const services = await db
    .selectFrom('release_services')
    .innerJoin('services', 'services.id', 'release_services.service_id')
    .select([
      'release_services.release_id',
      'services.name',
      'release_services.version',
      'release_services.artifact',
    ])
    .where('release_services.release_id', 'in', ids)
    .orderBy('services.name')
    .execute();
  const peopleIds = [...new Set(rows.map((r) => r.requester_id))];
  const teamIds = [...new Set(rows.flatMap((r) => (r.team_id ? [r.team_id] : [])))];
  const people = await db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('id', 'in', peopleIds)
    .execute();
  const teams = teamIds.length
    ? await db.selectFrom('teams').select(['id', 'name']).where('id', 'in', teamIds).execute()
    : [];
  const personName = new Map(people.map((p) => [p.id, p.name]));
  const teamName = new Map(teams.map((t) => [t.id, t.name]));
  return rows.map((r) => ({
    id: r.id,
    key: r.key,
    title: r.title,
    version: r.version,
    state: r.state as ReleaseState,
    classification: r.classification as Classification,
    changeType: r.change_type as ChangeType,
    strategy: r.strategy as DeploymentStrategy,
    services: services
      .filter((s) => s.release_id === r.id)
      .map((s) => ({ service: s.name, version: s.version, artifact: s.artifact })),
    scope: JSON.parse(r.scope) as Scope,
    justification: r.justification,
    rollbackPlan: r.rollback_plan,
    plannedWindow:
      r.window_start && r.window_end ? { start: r.window_start, end: r.window_end } : null,
    team: r.team_id ? (teamName.get(r.team_id) ?? null) : null,
    requester: personName.get(r.requester_id) ?? r.requester_id,
    revision: r.revision,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    stateChangedAt: r.state_changed_at,
  }));
}

export async function nextCounter(db: Db, name: string): Promise<number> {
  const row = await db
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value;
}
