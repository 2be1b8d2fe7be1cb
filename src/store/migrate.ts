/** Versioned migrations, run on start and by `gatehouse migrate`. */
import { Migrator, sql, type Kysely, type Migration, type MigrationResultSet } from 'kysely';
import type { Store } from './database.js';
import type { Database } from './schema.js';
import * as foundation from './migrations/0001_foundation.js';
import * as policiesEvidenceGates from './migrations/0002_policies_evidence_gates.js';
import * as calendarRisk from './migrations/0003_calendar_risk.js';
import * as canaryDeployments from './migrations/0004_canary_deployments.js';
import * as incidentsReviewsMetrics from './migrations/0005_incidents_reviews_metrics.js';
import * as approvals from './migrations/0006_approvals.js';
import * as cab from './migrations/0007_cab.js';
import * as notifications from './migrations/0008_notifications.js';
import * as ingestionRunbooks from './migrations/0009_ingestion_runbooks.js';
import * as reviews from './migrations/0010_reviews.js';
import * as hypercare from './migrations/0011_hypercare.js';
import * as metricsIndexes from './migrations/0012_metrics_indexes.js';
import * as healthReport from './migrations/0013_health_report.js';
import * as controlMappings from './migrations/0014_control_mappings.js';
import * as governance from './migrations/0015_governance.js';
import * as itsm from './migrations/0016_itsm.js';
import * as flagRolloutSteps from './migrations/0017_flag_rollout_steps.js';
import * as metricDays from './migrations/0020_metric_days.js';
import * as gateDeploymentsIndex from './migrations/0021_gate_deployments_index.js';
import * as latestDeploymentIndex from './migrations/0022_latest_deployment_index.js';
import * as releaseServicesLookup from './migrations/0023_release_services_lookup.js';
import * as serviceOutcomes from './migrations/0024_service_outcomes.js';
import * as upstreamReleaseIndexes from './migrations/0025_upstream_release_indexes.js';
import * as counterSequences from './migrations/0026_counter_sequences.js';
import * as dirtyDayMarksAtCommit from './migrations/0027_dirty_day_marks_at_commit.js';
import * as auditAppendFunction from './migrations/0028_audit_append_function.js';

type EngineMigration = {
  up: (db: Parameters<Migration['up']>[0], engine: Store['engine']) => Promise<void>;
};

/** In order; a migration, once released, is never edited: add the next one instead. */
const MIGRATIONS: Record<string, EngineMigration> = {
  '0001_foundation': foundation,
  '0002_policies_evidence_gates': policiesEvidenceGates,
  '0003_calendar_risk': calendarRisk,
  '0004_canary_deployments': canaryDeployments,
  '0005_incidents_reviews_metrics': incidentsReviewsMetrics,
  '0006_approvals': approvals,
  '0007_cab': cab,
  '0008_notifications': notifications,
  '0009_ingestion_runbooks': ingestionRunbooks,
  '0010_reviews': reviews,
  '0011_hypercare': hypercare,
  '0012_metrics_indexes': metricsIndexes,
  '0013_health_report': healthReport,
  '0014_control_mappings': controlMappings,
  '0015_governance': governance,
  '0016_itsm': itsm,
  '0017_flag_rollout_steps': flagRolloutSteps,
  '0020_metric_days': metricDays,
  '0021_gate_deployments_index': gateDeploymentsIndex,
  '0022_latest_deployment_index': latestDeploymentIndex,
  '0023_release_services_lookup': releaseServicesLookup,
  '0024_service_outcomes': serviceOutcomes,
  '0025_upstream_release_indexes': upstreamReleaseIndexes,
  '0026_counter_sequences': counterSequences,
  '0027_dirty_day_marks_at_commit': dirtyDayMarksAtCommit,
  '0028_audit_append_function': auditAppendFunction,
};

/**
 * Replicas starting together on PostgreSQL would race to create Kysely's own bookkeeping
 * tables; a session advisory lock on one connection makes them migrate one at a time.
 */
export async function migrateToLatest(store: Store): Promise<{ applied: string[] }> {
  return migrateUpTo(store);
}

/**
 * Runs the migrations up to and including `last` (all of them without it): an older
 * schema, for tests of what a migration does to a store that already holds data.
 */
export async function migrateUpTo(store: Store, last?: string): Promise<{ applied: string[] }> {
  if (last !== undefined && !MIGRATION_NAMES.includes(last))
    throw new Error(`no migration is named ${last}`);
  if (store.engine === 'sqlite') return migrateWith(store, store.db, last);
  return store.db.connection().execute(async (connection) => {
    await sql`select pg_advisory_lock(7240917312)`.execute(connection);
    try {
      return await migrateWith(store, connection, last);
    } finally {
      await sql`select pg_advisory_unlock(7240917312)`.execute(connection);
    }
  });
}

async function migrateWith(
  store: Store,
  db: Kysely<Database>,
  last: string | undefined,
): Promise<{ applied: string[] }> {
  const migrator = new Migrator({
    db,
    provider: {
      async getMigrations() {
        return Object.fromEntries(
          Object.entries(MIGRATIONS).map(([name, m]): [string, Migration] => [
            name,
            { up: (db) => m.up(db, store.engine) },
          ]),
        );
      },
    },
  });
  const result: MigrationResultSet =
    last === undefined ? await migrator.migrateToLatest() : await migrator.migrateTo(last);
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    const cause = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${cause}`);
  }
  return {
    applied: (result.results ?? [])
      .filter((r) => r.status === 'Success')
      .map((r) => r.migrationName),
  };
}

/** The names of migrations this build knows, in order; the last is the schema version. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(MIGRATIONS);

/** Migrations this build knows that the store has not run (all of them on an empty store). */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const applied = await appliedMigrations(db);
  return MIGRATION_NAMES.filter((name) => !applied.includes(name));
}

/** The migrations the store has run, in order; none when it was never migrated. */
export async function appliedMigrations(db: Kysely<Database>): Promise<string[]> {
  try {
    // Names start with their number, so name order is the order they were written in.
    const rows = await sql<{
      name: string;
    }>`select name from kysely_migration order by name`.execute(db);
    return rows.rows.map((r) => r.name);
  } catch (error) {
    // Only a store that was never migrated lacks the table; any other failure is real.
    const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
    if (tables.some((t) => t.name === 'kysely_migration')) throw error;
    return [];
  }
}
