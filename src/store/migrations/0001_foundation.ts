import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('team_id', 'text', (c) => c.notNull().references('teams.id'))
    .addColumn('tier', 'integer', (c) => c.notNull().check(sql`tier between 1 and 4`))
    .addColumn('customer_facing', 'integer', (c) =>
      c.notNull().check(sql`customer_facing in (0, 1)`),
    )
    .addColumn('data_sensitivity', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('slos', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('services_team').on('services').column('team_id').execute();

  await db.schema
    .createTable('service_dependencies')
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('depends_on_id', 'text', (c) => c.notNull().references('services.id'))
    .addPrimaryKeyConstraint('service_dependencies_pk', ['service_id', 'depends_on_id'])
    .execute();

  await db.schema
    .createTable('environments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('production', 'integer', (c) => c.notNull().check(sql`production in (0, 1)`))
    .addColumn('regions', 'text', (c) => c.notNull())
    .addColumn('capacity', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('disabled_at', 'text')
    .execute();
  // Gatehouse's own identity, the actor of work nobody asked for (first start, scheduled jobs).
  await db
    .insertInto('users')
    .values({
      id: 'system',
      name: 'system',
      display_name: 'Gatehouse',
      email: null,
      team_id: null,
      created_at: new Date(0).toISOString(),
      disabled_at: null,
    })
    .execute();

  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_roles_pk', ['user_id', 'role'])
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text')
    .addColumn('last_used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();

  await db.schema
    .createTable('releases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('classification', 'text', (c) => c.notNull())
    .addColumn('change_type', 'text', (c) => c.notNull())
    .addColumn('strategy', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('rollback_plan', 'text', (c) => c.notNull())
    .addColumn('window_start', 'text')
    .addColumn('window_end', 'text')
    .addColumn('team_id', 'text', (c) => c.references('teams.id'))
    .addColumn('requester_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('state_changed_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('releases_created')
    .on('releases')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema.createIndex('releases_state').on('releases').column('state').execute();

  await db.schema
    .createTable('release_services')
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('artifact', 'text')
    .addPrimaryKeyConstraint('release_services_pk', ['release_id', 'service_id'])
    .execute();
  await db.schema
    .createIndex('release_services_service')
    .on('release_services')
    .column('service_id')
    .execute();

  await db.schema
    .createTable('release_transitions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('reason', 'text')
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('release_transitions_release')
    .on('release_transitions')
    .columns(['release_id', 'at'])
    .execute();

  await db.schema
    .createTable('deployments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('service_id', 'text', (c) => c.notNull().references('services.id'))
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
    .addColumn('region', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('deployments_release')
    .on('deployments')
    .column('release_id')
    .execute();
  await db.schema
    .createIndex('deployments_service_env')
    .on('deployments')
    .columns(['service_id', 'environment_id', 'started_at'])
    .execute();

  await db.schema
    .createTable('audit_log')
    // On SQLite an INTEGER PRIMARY KEY is the rowid itself: reading the chain head is one
    // B-tree step, which every write does.
    .addColumn('seq', engine === 'sqlite' ? 'integer' : 'bigint', (c) => c.primaryKey())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject_type', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('before', 'text')
    .addColumn('after', 'text')
    .addColumn('prev_hash', 'text', (c) => c.notNull().unique())
    .addColumn('hash', 'text', (c) => c.notNull().unique())
    .execute();
  await db.schema
    .createIndex('audit_log_subject')
    .on('audit_log')
    .columns(['subject_type', 'subject_id', 'seq'])
    .execute();

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'integer', (c) => c.notNull())
    .execute();
  // Seeded here so concurrent first releases on several replicas never race to insert it.
  await db.insertInto('counters').values({ name: 'release', value: 0 }).execute();

  // The audit log is append-only in the database itself, not only in our code.
  if (engine === 'postgres') {
    await sql`
      create function gatehouse_audit_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only: % refused', tg_op using errcode = '42501';
      end $$`.execute(db);
    await sql`create trigger audit_log_append_only before update or delete on audit_log
      for each row execute function gatehouse_audit_append_only()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function gatehouse_audit_append_only()`.execute(db);
  } else {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only: UPDATE refused'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only: DELETE refused'); end`.execute(db);
  }
}
