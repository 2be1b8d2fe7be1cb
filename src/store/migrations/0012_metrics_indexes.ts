/**
 * Covering indexes for the delivery metrics' SQL aggregation (src/store/metricAggregates.ts,
 * ADR 1100-1): every column those queries read from deployments and releases is in the
 * index they search, so a year of history is summed without visiting the table rows.
 * Two of them widen an index 0001 made (same leading columns), which they replace.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  // Per service and environment over a range: the deployments' facts, by any dimension.
  await db.schema
    .createIndex('deployments_service_env_facts')
    .on('deployments')
    .columns([
      'service_id',
      'environment_id',
      'started_at',
      'release_id',
      'status',
      'finished_at',
      'id',
    ])
    .execute();
  await db.schema.dropIndex('deployments_service_env').execute();
  // A release's last successful production deployment (on-time delivery).
  await db.schema
    .createIndex('deployments_release_delivery')
    .on('deployments')
    .columns(['release_id', 'environment_id', 'status', 'finished_at'])
    .execute();
  await db.schema.dropIndex('deployments_release').execute();
  // A deployment's release: when it was raised (lead time) and whether it is an emergency.
  await db.schema
    .createIndex('releases_lead_facts')
    .on('releases')
    .columns(['id', 'created_at', 'classification', 'change_type'])
    .execute();
  // Releases raised, or ended, in a range: both sides of the release measures' OR.
  const releaseFacts = ['state', 'window_end', 'team_id', 'classification', 'change_type', 'id'];
  await db.schema
    .createIndex('releases_created_facts')
    .on('releases')
    .columns(['created_at', 'state_changed_at', ...releaseFacts])
    .execute();
  await db.schema
    .createIndex('releases_ended_facts')
    .on('releases')
    .columns(['state_changed_at', 'created_at', ...releaseFacts])
    .execute();
}
