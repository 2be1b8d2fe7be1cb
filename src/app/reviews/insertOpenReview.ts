/**
 * The one way a release's first review is created, by policy or by hand: a new key, the
 * row, and its `review.opened` audit entry in the caller's transaction. A release has
 * one review (a unique index); when a concurrent change created it first, the caller's
 * `whenTaken` conflict is thrown.
 */
import { randomUUID } from 'node:crypto';
import type { GatehouseError } from '../../domain/errors.js';
import type { Release } from '../../domain/release.js';
import type { ReviewTemplateName, ReviewTrigger } from '../../domain/review/triggers.js';
import { isUniqueViolation } from '../../store/database.js';
import { nextCounter } from '../../store/counters.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export async function insertOpenReview(
  ctx: Ctx,
  release: Pick<Release, 'id' | 'key'>,
  review: {
    template: ReviewTemplateName;
    mandatory: boolean;
    triggers: ReviewTrigger[];
    dueAt: string;
  },
  whenTaken: () => GatehouseError,
): Promise<string> {
  const { tx } = ctx;
  const now = ctx.now.toISOString();
  const key = `REV-${await nextCounter(tx, ctx.engine, 'review')}`;
  try {
    await tx
      .insertInto('reviews')
      .values({
        id: randomUUID(),
        key,
        release_id: release.id,
        status: 'open',
        template: review.template,
        mandatory: review.mandatory ? 1 : 0,
        triggers: JSON.stringify(review.triggers),
        due_at: review.dueAt,
        sections: '{}',
        causes: '[]',
        factors: '[]',
        opened_at: now,
        closed_at: null,
        closed_by: null,
        revision: 1,
        created_at: now,
        updated_at: now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw whenTaken();
    throw error;
  }
  await recordAudit(ctx, {
    action: 'review.opened',
    subjectType: 'review',
    subjectId: key,
    after: {
      release: release.key,
      template: review.template,
      mandatory: review.mandatory,
      dueAt: review.dueAt,
      triggers: review.triggers,
    },
  });
  return key;
}
