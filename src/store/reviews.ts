/** Reviews as stored (JSON columns for sections, causes and factors) and as read. */
import type { ReviewTrigger, ReviewTemplateName } from '../domain/review/triggers.js';
import {
  isActionOverdue,
  TEMPLATES,
  type ActionItem,
  type ActionStatus,
  type Cause,
  type FactorEntry,
  type Review,
} from '../domain/review/review.js';
import type { Tx } from './database.js';

export type StoredCause = Omit<Cause, 'speculative'>;

export function selectActionItems(tx: Tx) {
  return tx
    .selectFrom('review_action_items')
    .innerJoin('reviews', 'reviews.id', 'review_action_items.review_id')
    .leftJoin('users', 'users.id', 'review_action_items.owner_id')
    .select([
      'review_action_items.id',
      'reviews.key as review',
      'review_action_items.title',
      'users.name as owner',
      'review_action_items.due_at',
      'review_action_items.success_criteria',
      'review_action_items.status',
      'review_action_items.created_at',
      'review_action_items.updated_at',
    ]);
}

type ActionRow = Awaited<
  ReturnType<ReturnType<typeof selectActionItems>['executeTakeFirstOrThrow']>
>;

export function toActionItem(r: ActionRow, now: Date): ActionItem {
  const item = {
    id: r.id,
    review: r.review,
    title: r.title,
    owner: r.owner,
    dueAt: r.due_at,
    successCriteria: r.success_criteria,
    status: r.status as ActionStatus,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
  return { ...item, overdue: isActionOverdue(item, now) };
}

export async function loadReview(tx: Tx, idOrKey: string, now: Date): Promise<Review | undefined> {
  const row = await tx
    .selectFrom('reviews')
    .innerJoin('releases', 'releases.id', 'reviews.release_id')
    .leftJoin('users', 'users.id', 'reviews.closed_by')
    .selectAll('reviews')
    .select([
      'releases.key as release_key',
      'releases.title as release_title',
      'users.name as closer',
    ])
    .where((eb) =>
      eb.or([
        eb('reviews.id', '=', idOrKey),
        eb('reviews.key', '=', idOrKey.toUpperCase()),
        eb('releases.key', '=', idOrKey.toUpperCase()),
      ]),
    )
    .executeTakeFirst();
  if (!row) return undefined;
  const services = await tx
    .selectFrom('release_services')
    .innerJoin('services', 'services.id', 'release_services.service_id')
    .select('services.name')
    .where('release_services.release_id', '=', row.release_id)
    .orderBy('services.name')
    .execute();
  const items = await selectActionItems(tx)
    .where('review_action_items.review_id', '=', row.id)
    .orderBy('review_action_items.position')
    .execute();
  const texts = JSON.parse(row.sections) as Record<string, string>;
  const template = row.template as ReviewTemplateName;
  const causes = (JSON.parse(row.causes) as StoredCause[]).map((c): Cause => ({
    ...c,
    speculative: c.evidence.length === 0,
  }));
  const status = row.status as Review['status'];
  return {
    id: row.id,
    key: row.key,
    release: row.release_key,
    releaseTitle: row.release_title,
    services: services.map((s) => s.name),
    status,
    template,
    mandatory: row.mandatory === 1,
    triggers: JSON.parse(row.triggers) as ReviewTrigger[],
    dueAt: row.due_at,
    overdue: status === 'open' && Date.parse(row.due_at) < now.getTime(),
    sections: TEMPLATES[template].map((s) => ({ ...s, text: texts[s.name] ?? '' })),
    causes,
    factors: JSON.parse(row.factors) as FactorEntry[],
    actionItems: items.map((r) => toActionItem(r, now)),
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    closedBy: row.closer,
    revision: row.revision,
  };
}

/** Open reviews of a release that must be closed before it may close. */
export async function openMandatoryReviews(
  tx: Tx,
  releaseId: string,
): Promise<Array<{ key: string; dueAt: string }>> {
  const rows = await tx
    .selectFrom('reviews')
    .select(['key', 'due_at'])
    .where('release_id', '=', releaseId)
    .where('status', '=', 'open')
    .where('mandatory', '=', 1)
    .execute();
  return rows.map((r) => ({ key: r.key, dueAt: r.due_at }));
}

export async function loadActionItem(
  tx: Tx,
  id: string,
  now: Date,
): Promise<ActionItem | undefined> {
  const row = await selectActionItems(tx)
    .where('review_action_items.id', '=', id)
    .executeTakeFirst();
  return row ? toActionItem(row, now) : undefined;
}

/** An action item's owner must be someone who can still act. */
export async function activeUserId(tx: Tx, name: string): Promise<string | undefined> {
  const user = await tx
    .selectFrom('users')
    .select('id')
    .where('name', '=', name)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return user?.id;
}
