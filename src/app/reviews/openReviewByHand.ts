/**
 * Opens a release's post-release review by hand, for what the policy's triggers do not
 * see (a near miss, a customer complaint, a change the team wants to learn from). A
 * release has one review: an open one is refused (409) naming it; a closed one is
 * reopened with the new reason, as a policy trigger would.
 */
import {
  chooseTemplate,
  dueAt,
  type OpenReviewInput,
  type ReviewTrigger,
} from '../../domain/review/triggers.js';
import type { Review } from '../../domain/review/review.js';
import { conflict, notFound } from '../../domain/errors.js';

import { removeLessons } from '../../store/lessons.js';
import { loadRelease } from '../../store/releases.js';
import { loadReview } from '../../store/reviews.js';
import { authorize } from '../authorize.js';
import { insertOpenReview } from './insertOpenReview.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { reviewPolicyOf } from './openReviewByPolicy.js';

export async function openReviewByHand(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: OpenReviewInput,
): Promise<Review> {
  authorize(ctx.actor, 'review:write');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const policy = await reviewPolicyOf(tx, release.id);
  const trigger: ReviewTrigger = {
    kind: 'manual',
    reason: `opened by ${ctx.actor.name}: ${input.reason.trim()}`,
  };
  const now = ctx.now.toISOString();
  const existing = await tx
    .selectFrom('reviews')
    .select(['id', 'key', 'status', 'template', 'mandatory', 'triggers', 'revision'])
    .where('release_id', '=', release.id)
    .executeTakeFirst();
  if (existing?.status === 'open')
    throw conflict(
      'review-already-open',
      `${release.key} already has an open review, ${existing.key}; work on that one`,
    );
  // Without a choice, the template the policy would give a review of this release.
  const template = input.template ?? chooseTemplate(policy, release.classification, []);
  const mandatory = input.mandatory ? 1 : 0;
  const due = dueAt(policy, template, ctx.now);

  if (!existing) {
    const key = await insertOpenReview(
      ctx,
      release,
      { template, mandatory: mandatory === 1, triggers: [trigger], dueAt: due },
      () =>
        conflict(
          'review-already-open',
          `${release.key} got a review from a concurrent change; open it instead`,
        ),
    );
    return (await loadReview(tx, key, ctx.now))!;
  }

  // A closed review is reopened: its lessons are indexed again when it closes again.
  const triggers = [...(JSON.parse(existing.triggers) as ReviewTrigger[]), trigger];
  const moved = await tx
    .updateTable('reviews')
    .set({
      triggers: JSON.stringify(triggers),
      template,
      mandatory,
      status: 'open',
      closed_at: null,
      closed_by: null,
      due_at: due,
      revision: existing.revision + 1,
      updated_at: now,
    })
    .where('id', '=', existing.id)
    .where('revision', '=', existing.revision)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1)
    throw conflict(
      'concurrent-change',
      `${existing.key} changed while it was being reopened; retry`,
    );
  await removeLessons(tx, ctx.engine, existing.id);
  await recordAudit(ctx, {
    action: 'review.reopened',
    subjectType: 'review',
    subjectId: existing.key,
    before: {
      status: existing.status,
      template: existing.template,
      mandatory: existing.mandatory === 1,
    },
    after: { status: 'open', template, mandatory: mandatory === 1, added: [trigger] },
  });
  return (await loadReview(tx, existing.id, ctx.now))!;
}
