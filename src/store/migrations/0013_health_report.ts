/**
 * The overdue notices of review action items: one row per item and due date, written with
 * its `review.action-item.overdue` audit entry, so an item becoming overdue is announced
 * once, and again only if it is given a new due date and misses that too.
 */
import type { Kysely } from 'kysely';
import type { Engine } from '../database.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: AnyDb, _engine: Engine): Promise<void> {
  await db.schema
    .createTable('action_item_overdue_notices')
    .addColumn('action_item_id', 'text', (c) => c.notNull().references('review_action_items.id'))
    .addColumn('due_at', 'text', (c) => c.notNull())
    .addColumn('noticed_at', 'text', (c) => c.notNull())
    .addColumn('audit_seq', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('action_item_overdue_notices_pk', ['action_item_id', 'due_at'])
    .execute();
}
