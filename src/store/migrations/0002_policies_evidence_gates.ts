import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, engine: Engine): Promise<void> {
  // Policy sets are append-only versions: a release names the version it is judged by.
  await db.schema
    .createTable('policy_versions')
    .addColumn('version', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('applied_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('applied_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('release_policies')
    .addColumn('release_id', 'text', (c) => c.primaryKey().references('releases.id'))
    .addColumn('policy_version', 'integer', (c) =>
      c.notNull().references('policy_versions.version'),
    )
    .addColumn('pinned_at', 'text', (c) => c.notNull())
    .execute();

  // The raw file is kept in the database, not the data directory: replicas over
  // PostgreSQL share no disk, and the file and its facts must commit together (ADR 0100-2).
  await db.schema
    .createTable('evidence')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('facts', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    // Last: SQLite reads a row's columns in order, so a gate check that wants only the
    // facts never walks the overflow pages of a large file.
    .addColumn('content', engine === 'sqlite' ? 'blob' : 'bytea', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('evidence_release')
    .on('evidence')
    .columns(['release_id', 'type', 'uploaded_at'])
    .execute();

  await db.schema
    .createTable('waivers')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('waivers_release')
    .on('waivers')
    .columns(['release_id', 'rule'])
    .execute();

  // What a release declares about its security surface, and the pen-test sign-off it
  // then needs.
  await db.schema
    .createTable('release_security')
    .addColumn('release_id', 'text', (c) => c.primaryKey().references('releases.id'))
    .addColumn('adds_external_endpoints', 'integer', (c) =>
      c.notNull().check(sql`adds_external_endpoints in (0, 1)`),
    )
    .addColumn('changes_authentication', 'integer', (c) =>
      c.notNull().check(sql`changes_authentication in (0, 1)`),
    )
    .addColumn('pen_test_reference', 'text')
    .addColumn('pen_test_signed_off_by', 'text', (c) => c.references('users.id'))
    .addColumn('pen_test_signed_off_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
