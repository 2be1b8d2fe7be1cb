/**
 * ITSM change records (issue 10, point 1): the connections to ServiceNow / Jira Service
 * Management, the change each release is mirrored as, and the outbox of operations the
 * sync job sends, fed from the audit log.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('itsm_connections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    // servicenow | jira
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    // basic | bearer
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('username', 'text')
    // Kept as given because every call needs it; never returned, logged or audited.
    .addColumn('secret', 'text', (c) => c.notNull())
    // Per kind: Jira project key, issue type, transition names (JSON).
    .addColumn('settings', 'text', (c) => c.notNull())
    .addColumn('active', 'integer', (c) => c.notNull())
    // The audit entry that created it: only later entries are mirrored.
    .addColumn('after_seq', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('itsm_changes')
    .addColumn('connection_id', 'text', (c) => c.notNull().references('itsm_connections.id'))
    .addColumn('release_key', 'text', (c) => c.notNull())
    // ServiceNow sys_id / Jira issue id
    .addColumn('external_id', 'text', (c) => c.notNull())
    // ServiceNow number (CHG…) / Jira issue key
    .addColumn('number', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    // open | closed
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('opened_at', 'text', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('itsm_changes_pk', ['connection_id', 'release_key'])
    .execute();
  await db.schema
    .createTable('itsm_operations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('connection_id', 'text', (c) => c.notNull().references('itsm_connections.id'))
    .addColumn('release_key', 'text', (c) => c.notNull())
    .addColumn('audit_seq', 'integer', (c) => c.notNull())
    // open | update | close
    .addColumn('kind', 'text', (c) => c.notNull())
    // what to say: summary, note, outcome (JSON)
    .addColumn('payload', 'text', (c) => c.notNull())
    // pending | done | failed
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('claimed_until', 'text')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addUniqueConstraint('itsm_operations_entry', ['connection_id', 'audit_seq'])
    .execute();
  await db.schema
    .createIndex('itsm_operations_due')
    .on('itsm_operations')
    .columns(['status', 'next_attempt_at'])
    .execute();
}
