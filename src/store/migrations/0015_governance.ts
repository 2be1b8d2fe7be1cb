/**
 * Governance: retention rules and the purge marker on deployment logs, access-review
 * decisions, release notes with their embargo and the admin's stripping patterns, and
 * a release's expected downtime with the notices sent for it.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  // Only the rules an admin changed; the defaults live in src/domain/retention.ts.
  await db.schema
    .createTable('retention_rules')
    .addColumn('record_type', 'text', (c) => c.primaryKey())
    .addColumn('retention', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  // A purged deployment keeps its facts (metrics, incidents and hypercare refer to it);
  // its log (the notes) is blanked and this says when.
  await db.schema.alterTable('deployments').addColumn('log_purged_at', 'text').execute();

  await db.schema
    .createTable('access_review_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // role | token
    .addColumn('grant_kind', 'text', (c) => c.notNull())
    // "user/role" for a role, the token id for a token
    .addColumn('grant_id', 'text', (c) => c.notNull())
    // confirmed | revoked
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('access_review_decisions_grant')
    .on('access_review_decisions')
    .columns(['grant_kind', 'grant_id', 'decided_at'])
    .execute();

  await db.schema
    .createTable('release_note_patterns')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('pattern', 'text', (c) => c.notNull())
    .addColumn('case_insensitive', 'integer', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('release_notes')
    .addColumn('release_id', 'text', (c) => c.primaryKey().references('releases.id'))
    .addColumn('internal_markdown', 'text', (c) => c.notNull())
    .addColumn('customer_markdown', 'text', (c) => c.notNull())
    // JSON array of { pattern, match, where }
    .addColumn('strippings', 'text', (c) => c.notNull())
    .addColumn('security_fix', 'integer', (c) => c.notNull())
    .addColumn('embargo_until', 'text')
    .addColumn('generated_by', 'text', (c) => c.notNull())
    .addColumn('generated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('release_downtimes')
    .addColumn('release_id', 'text', (c) => c.primaryKey().references('releases.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addColumn('set_at', 'text', (c) => c.notNull())
    // When notices went out for this window; cleared when the window changes.
    .addColumn('notices_sent_at', 'text')
    .execute();
}
