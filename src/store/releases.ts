/** Reading and writing releases; rows in, the domain's `Release` out. */
import { PostgresAdapter, type Kysely } from 'kysely';
import { jsonArrayFrom as postgresJsonArray } from 'kysely/helpers/postgres';
import { jsonArrayFrom as sqliteJsonArray } from 'kysely/helpers/sqlite';
import type {
  ChangeType,
  Classification,
  DeploymentStrategy,
  Release,
  ReleaseService,
  ReleaseFacts,
  ReleaseState,
  Scope,
} from '../domain/release.js';
import { releaseContentHash } from '../domain/approval.js';
import { preparedQuery } from './prepared.js';
import type { Database, ReleaseTable } from './schema.js';

type Db = Kysely<Database>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Release rows with the names of their requester and team and, as one JSON array, the
 * services they carry: one statement per read, whatever the engine.
 */
export function selectReleases(db: Db) {
  const jsonArrayFrom =
    db.getExecutor().adapter instanceof PostgresAdapter ? postgresJsonArray : sqliteJsonArray;
  return db
    .selectFrom('releases')
    .innerJoin('users as requester', 'requester.id', 'releases.requester_id')
    .leftJoin('teams as team', 'team.id', 'releases.team_id')
    .selectAll('releases')
    .select((eb) => [
      'requester.name as requester_name',
      'team.name as team_name',
      jsonArrayFrom(
        eb
          .selectFrom('release_services')
          .innerJoin('services', 'services.id', 'release_services.service_id')
          .select([
            'services.name as service',
            'release_services.version',
            'release_services.artifact',
          ])
          .whereRef('release_services.release_id', '=', 'releases.id')
          .orderBy('services.name'),
      ).as('services'),
    ]);
}

export type ReleaseRow = ReleaseTable & {
  requester_name: string;
  team_name: string | null;
  /** JSON text on SQLite, already parsed on PostgreSQL. */
  services: ReleaseService[] | string;
};

const releaseById = preparedQuery((db: Db, id: string) =>
  selectReleases(db).where('releases.id', '=', id),
);
const releaseByKey = preparedQuery((db: Db, key: string) =>
  selectReleases(db).where('releases.key', '=', key),
);

/** A release is addressed by its id or by its key (REL-42, case-insensitive). */
export async function loadRelease(db: Db, idOrKey: string): Promise<Release | undefined> {
  const [row] = UUID.test(idOrKey)
    ? await releaseById(db, idOrKey)
    : await releaseByKey(db, idOrKey.toUpperCase());
  return row ? toRelease(row) : undefined;
}

/**
 * The content hash is a pure function of what the row stores, and reading a release is
 * the hottest path there is: remember the last few thousand hashes by their input text.
 */
const contentHashes = new Map<string, string>();
function contentHashOf(
  servicesText: string,
  r: ReleaseRow,
  content: Parameters<typeof releaseContentHash>[0],
): string {
  const key = `${servicesText}\u0000${r.scope}\u0000${r.authors ?? ''}`;
  let hash = contentHashes.get(key);
  if (hash === undefined) {
    hash = releaseContentHash(content);
    if (contentHashes.size >= 5000) contentHashes.clear();
    contentHashes.set(key, hash);
  }
  return hash;
}

export function toRelease(r: ReleaseRow): Release {
  const servicesText = typeof r.services === 'string' ? r.services : JSON.stringify(r.services);
  const services =
    typeof r.services === 'string' ? (JSON.parse(r.services) as ReleaseService[]) : r.services;
  const scope = JSON.parse(r.scope) as Scope;
  const authors = JSON.parse(r.authors ?? '[]') as string[];
  return {
    id: r.id,
    key: r.key,
    title: r.title,
    version: r.version,
    state: r.state as ReleaseState,
    classification: r.classification as Classification,
    changeType: r.change_type as ChangeType,
    strategy: r.strategy as DeploymentStrategy,
    services: services.sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0)),
    scope,
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
    authors,
    contentHash: contentHashOf(servicesText, r, { services, scope, authors }),
    revision: r.revision,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    stateChangedAt: r.state_changed_at,
  };
}
