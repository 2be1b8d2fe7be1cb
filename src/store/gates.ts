/**
 * The reads a gate check makes, compiled once (see prepared.ts): a pipeline may poll the
 * gate, so each check is a handful of fixed-shape queries and no query building.
 */
import { sql, type Kysely } from 'kysely';
import { preparedQuery } from './prepared.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export const environmentByName = preparedQuery((db: Db, name: string) =>
  db
    .selectFrom('environments')
    .select(['id', 'name', 'position', 'production', 'regions'])
    .where('name', '=', name),
);

export const priorEnvironment = preparedQuery((db: Db, position: number) =>
  db
    .selectFrom('environments')
    .select(['id', 'name'])
    .where('position', '<', position)
    .orderBy('position', 'desc')
    .limit(sql.lit(1)),
);

/** The most critical tier among the release's services. */
const releaseTier = preparedQuery((db: Db, releaseId: string) =>
  db
    .selectFrom('release_services')
    .innerJoin('services', 'services.id', 'release_services.service_id')
    .select((eb) => eb.fn.min<number>('services.tier').as('tier'))
    .where('release_services.release_id', '=', releaseId),
);

/** The most critical tier (1 is most) among the release's services; null when it has none. */
export async function mostCriticalTier(db: Db, releaseId: string): Promise<number | null> {
  const tier = (await releaseTier(db, releaseId))[0]?.tier ?? null;
  // PostgreSQL's min() of an integer column arrives as text through pg.
  return tier === null ? null : Number(tier);
}

/**
 * The latest deployment (by start) of each of the release's services to the environment;
 * a service never deployed there has no row. One index probe per service
 * (deployments_release_environment_started), however often the release was redeployed.
 */
export const latestDeploymentsIn = preparedQuery(
  (db: Db, environmentId: string, releaseId: string) =>
    db
      .selectFrom('deployments')
      .innerJoin('services', 'services.id', 'deployments.service_id')
      .select(['services.name', 'deployments.status', 'deployments.finished_at'])
      .where('deployments.id', 'in', (eb) =>
        eb
          .selectFrom('release_services as mine')
          .select((inner) =>
            inner
              .selectFrom('deployments as latest')
              .select('latest.id')
              .whereRef('latest.release_id', '=', 'mine.release_id')
              .where('latest.environment_id', '=', environmentId)
              .whereRef('latest.service_id', '=', 'mine.service_id')
              .orderBy('latest.started_at', 'desc')
              .orderBy('latest.id', 'desc')
              .limit(sql.lit(1))
              .as('id'),
          )
          .where('mine.release_id', '=', releaseId),
      ),
);

export const evidenceFacts = preparedQuery((db: Db, releaseId: string) =>
  db
    .selectFrom('evidence')
    .select(['type', 'file_name', 'facts'])
    .where('release_id', '=', releaseId)
    .orderBy('uploaded_at')
    .orderBy('id'),
);

/**
 * Open releases, raised earlier, of services this release's services depend on, and
 * whether each is already deployed to the target environment.
 */
export const upstreamReleases = preparedQuery(
  (db: Db, environmentId: string, releaseId: string, releaseId2: string, createdAt: string) =>
    db
      .selectFrom('release_services as mine')
      .innerJoin('service_dependencies as dep', 'dep.service_id', 'mine.service_id')
      .innerJoin('services as s', 's.id', 'mine.service_id')
      .innerJoin('services as d', 'd.id', 'dep.depends_on_id')
      .innerJoin('release_services as theirs', 'theirs.service_id', 'dep.depends_on_id')
      .innerJoin('releases as r', 'r.id', 'theirs.release_id')
      .select((eb) => [
        'r.key',
        'r.state',
        'theirs.version',
        's.name as needed_by',
        'd.name as dependency',
        eb
          .exists(
            eb
              .selectFrom('deployments as x')
              .select('x.id')
              .whereRef('x.release_id', '=', 'r.id')
              .whereRef('x.service_id', '=', 'theirs.service_id')
              .where('x.environment_id', '=', environmentId)
              .where('x.status', '=', sql.lit('succeeded')),
          )
          .as('deployed'),
      ])
      .where('mine.release_id', '=', releaseId)
      .where('r.id', '!=', releaseId2)
      .where('r.created_at', '<', createdAt)
      // Word for word the condition of the index releases_under_way (migration 0025).
      .where(sql<boolean>`r.state not in ('closed', 'no-go', 'rolled-back', 'failed', 'cancelled')`)
      .orderBy('r.created_at'),
);

export const releaseSecurity = preparedQuery((db: Db, releaseId: string) =>
  db
    .selectFrom('release_security')
    .leftJoin('users', 'users.id', 'release_security.pen_test_signed_off_by')
    .select([
      'adds_external_endpoints',
      'changes_authentication',
      'pen_test_reference',
      'users.name as signed_off_by',
    ])
    .where('release_id', '=', releaseId),
);

export const pinnedPolicy = preparedQuery((db: Db, releaseId: string) =>
  db.selectFrom('release_policies').select('policy_version').where('release_id', '=', releaseId),
);

/** The release's services with their tiers: what a freeze window's scope is matched on. */
export const releaseServiceTiers = preparedQuery((db: Db, releaseId: string) =>
  db
    .selectFrom('release_services')
    .innerJoin('services', 'services.id', 'release_services.service_id')
    .select(['services.name', 'services.tier'])
    .where('release_services.release_id', '=', releaseId)
    .orderBy('services.name'),
);

export const windowsOfKind = preparedQuery((db: Db, kind: string) =>
  db.selectFrom('calendar_windows').selectAll().where('kind', '=', kind).orderBy('name'),
);

/** The roles now held by whoever approved each of the release's freeze exceptions. */
export const freezeExceptionApproverRoles = preparedQuery((db: Db, releaseId: string) =>
  db
    .selectFrom('freeze_exceptions')
    .innerJoin('user_roles', 'user_roles.user_id', 'freeze_exceptions.approved_by')
    .select(['freeze_exceptions.id', 'user_roles.role'])
    .where('freeze_exceptions.release_id', '=', releaseId),
);
