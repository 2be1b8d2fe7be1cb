import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// Migrations see the database as untyped: the schema they build is the one that exists
// at their moment, not today's.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  // Every inbound event, once: a redelivery finds its row by (channel, delivery key) and
  // changes nothing. What could not be applied stays here as a dead letter, with the
  // reason, until a replay applies it.
  await db.schema
    .createTable('inbound_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('delivery_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('received_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('deployment_id', 'text', (c) => c.references('deployments.id'))
    .addColumn('incident_id', 'text', (c) => c.references('incidents.id'))
    .addColumn('actor_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('replays', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('inbound_events_delivery', ['channel', 'delivery_key'])
    .execute();
  await db.schema
    .createIndex('inbound_events_outcome')
    .on('inbound_events')
    .columns(['outcome', 'received_at'])
    .execute();

  // Which deployment a stream of events describes, and the newest event applied to it,
  // so a late or repeated status cannot move it backwards.
  await db.schema
    .createTable('deployment_event_state')
    .addColumn('deployment_id', 'text', (c) => c.primaryKey().references('deployments.id'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('tracking_key', 'text')
    .addColumn('last_event_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('deployment_event_state_key', ['channel', 'tracking_key'])
    .execute();

  // Shared secrets of signed webhooks (GitHub's HMAC needs the secret itself, so it is
  // kept, never returned by the API).
  await db.schema
    .createTable('webhook_secrets')
    .addColumn('channel', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('set_at', 'text', (c) => c.notNull())
    .execute();

  // A release's runbook: its contacts here, its steps (in four sections, ordered within
  // each) below, each with its status and the instants it was marked at.
  await db.schema
    .createTable('runbooks')
    .addColumn('release_id', 'text', (c) => c.primaryKey().references('releases.id'))
    .addColumn('contacts', 'text', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('runbook_steps')
    .addColumn('release_id', 'text', (c) => c.notNull().references('releases.id'))
    .addColumn('section', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('owner', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('marked_by', 'text')
    .addColumn('note', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('runbook_steps_pk', ['release_id', 'section', 'position'])
    .execute();
}
