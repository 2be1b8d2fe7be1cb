/**
 * CAB meetings and their members, CAB decisions on agenda items with the conditions of a
 * Conditional Go, and Go / No-Go checkpoints with the readiness snapshot they were
 * taken on.
 */
import { sql, type Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('cab_meetings')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    // Local wall-clock times in time_zone: the recurrence is defined in local time.
    .addColumn('local_start', 'text', (c) => c.notNull())
    .addColumn('local_end', 'text', (c) => c.notNull())
    .addColumn('rrule', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cab_members')
    .addColumn('meeting_id', 'text', (c) => c.notNull().references('cab_meetings.id'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('added_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('cab_members_pk', ['meeting_id', 'user_id'])
    .execute();

  await db.schema
    .createTable('cab_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('meeting_id', 'text', (c) => c.notNull().references('cab_meetings.id'))
    // The UTC start of the sitting the decision was taken at.
    .addColumn('occurrence', 'text', (c) => c.notNull())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('decision', 'text', (c) =>
      c.notNull().check(sql`decision in ('go', 'no-go', 'conditional-go')`),
    )
    .addColumn('rationale', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('decided_at', 'text', (c) => c.notNull())
    // One decision per release per sitting; a later sitting may decide again.
    .addUniqueConstraint('cab_decisions_once', ['meeting_id', 'occurrence', 'release_id'])
    .execute();
  // The gate asks for a release's latest decision.
  await db.schema
    .createIndex('cab_decisions_release')
    .on('cab_decisions')
    .columns(['release_id', 'decided_at'])
    .execute();

  await db.schema
    .createTable('cab_conditions')
    .addColumn('decision_id', 'text', (c) => c.notNull().references('cab_decisions.id'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('met_by', 'text', (c) => c.references('users.id'))
    .addColumn('met_at', 'text')
    .addColumn('note', 'text')
    .addPrimaryKeyConstraint('cab_conditions_pk', ['decision_id', 'number'])
    .execute();

  await db.schema
    .createTable('go_no_go_checkpoints')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('environment_id', 'text', (c) => c.notNull().references('environments.id'))
    .addColumn('decision', 'text', (c) => c.notNull().check(sql`decision in ('go', 'no-go')`))
    .addColumn('rationale', 'text', (c) => c.notNull())
    // User names, JSON: who was in the room.
    .addColumn('participants', 'text', (c) => c.notNull())
    // The gate verdict exactly as checkGate returned it, JSON.
    .addColumn('readiness', 'text', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('recorded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('go_no_go_release')
    .on('go_no_go_checkpoints')
    .columns(['release_id', 'recorded_at'])
    .execute();
}
