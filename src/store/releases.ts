/** Reading and writing releases; rows in, the domain's `Release` out. */
import type { Kysely } from 'kysely';
import type {
  ChangeType,
  Classification,
  DeploymentStrategy,
  Release,
  ReleaseFacts,
  ReleaseState,
  Scope,
} from '../domain/release.js';
import { preparedQuery } from './prepared.js';
import type { Database, ReleaseTable } from './schema.js';

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Release rows with the names of their requester and team, the shape `hydrate` takes. */
export function selectReleases(db: Db) {
  return db
    .selectFrom('releases')
    .innerJoin('users as requester', 'requester.id', 'releases.requester_id')
    .leftJoin('teams as team', 'team.id', 'releases.team_id')
    .selectAll('releases')
    .select(['requester.name as requester_name', 'team.name as team_name']);
}

export type ReleaseRow = ReleaseTable & { requester_name: string; team_name: string | null };

const releaseById = preparedQuery((db: Db, id: string) =>
  selectReleases(db).where('releases.id', '=', id),
);
const releaseByKey = preparedQuery((db: Db, key: string) =>
  selectReleases(db).where('releases.key', '=', key),
);
const servicesOfRelease = preparedQuery((db: Db, releaseId: string) =>
  selectServices(db).where('release_services.release_id', '=', releaseId),
);

/** A release is addressed by its id or by its key (REL-42, case-insensitive). */
export async function loadRelease(db: Db, idOrKey: string): Promise<Release | undefined> {
  const [row] = UUID.test(idOrKey)
    ? await releaseById(db, idOrKey)
    : await releaseByKey(db, idOrKey.toUpperCase());
  if (!row) return undefined;
  const [release] = await hydrate(db, [row]);
  return release;
}

function selectServices(db: Db) {
  return db
    .selectFrom('release_services')
    .innerJoin('services', 'services.id', 'release_services.service_id')
    .select([
      'release_services.release_id',
      'services.name',
      'release_services.version',
      'release_services.artifact',
    ])
    .orderBy('services.name');
}

/** Turns rows into releases with one more query, whatever the number of rows. */
export async function hydrate(db: Db, rows: ReleaseRow[]): Promise<Release[]> {
  if (rows.length === 0) return [];
  const services =
    rows.length === 1
      ? await servicesOfRelease(db, rows[0]!.id)
      : await selectServices(db)
          .where(
            'release_services.release_id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
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
      r.window_start && r.window_end
        ? {
            start: r.window_start,
            end: r.window_end,
            ...(r.window_environment ? { environment: r.window_environment } : {}),
          }
        : null,
    facts: r.risk_facts ? (JSON.parse(r.risk_facts) as ReleaseFacts) : {},
    team: r.team_name,
    requester: r.requester_name,
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
