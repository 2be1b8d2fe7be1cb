/**
 * Opens the release's post-release review when the policy's `reviews` triggers fire,
 * inside the transaction of the change that fired them (a transition, an incident
 * linked to one of the release's deployments). A release has one review: later
 * triggers join it, make it mandatory or full if they call for that, and reopen it if
 * it was already closed.
 */
import {
  chooseTemplate,
  DEFAULT_REVIEW_POLICY,
  dueAt,
  isMandatory,
  reviewTriggers,
  TRIGGERING_STATES,
  type ReviewEvent,
  type ReviewPolicy,
  type ReviewTrigger,
} from '../../domain/review/triggers.js';
import type { Release } from '../../domain/release.js';
import { conflict } from '../../domain/errors.js';
import type { Tx } from '../../store/database.js';
import { removeLessons } from '../../store/lessons.js';
import { loadRelease } from '../../store/releases.js';
import { recordAudit } from '../audit/recordAudit.js';
import { insertOpenReview } from './insertOpenReview.js';
import type { Ctx } from '../context.js';
import { mostCriticalTier } from '../../store/gates.js';
import { policySetOfRelease } from '../policies/queries.js';

export async function reviewPolicyOf(tx: Tx, releaseId: string): Promise<ReviewPolicy> {
  const { set } = await policySetOfRelease(tx, releaseId);
  return set?.document.reviews ?? DEFAULT_REVIEW_POLICY;
}

/** After a transition: the tier, emergency and rollback triggers. */
export async function openReviewAfterTransition(ctx: Ctx, release: Release): Promise<void> {
  // Only these states can fire a trigger (reviewTriggers); others skip the reads.
  if (!TRIGGERING_STATES.includes(release.state)) return;
  const event: ReviewEvent = {
    kind: 'transition',
    to: release.state,
    classification: release.classification,
    tier: await mostCriticalTier(ctx.tx, release.id),
  };
  await openReviewFor(ctx, release, event);
}

/** After an incident was linked to deployments: every release it touches. */
export async function openReviewsForIncident(ctx: Ctx, incidentId: string): Promise<void> {
  const incident = await ctx.tx
    .selectFrom('incidents')
    .select(['key', 'severity'])
    .where('id', '=', incidentId)
    .executeTakeFirstOrThrow();
  const releases = await ctx.tx
    .selectFrom('incident_deployments')
    .innerJoin('deployments', 'deployments.id', 'incident_deployments.deployment_id')
    .select('deployments.release_id')
    .distinct()
    .where('incident_deployments.incident_id', '=', incidentId)
    .execute();
  for (const { release_id } of releases) {
    const release = (await loadRelease(ctx.tx, release_id))!;
    await openReviewFor(ctx, release, {
      kind: 'incident',
      incident: incident.key,
      severity: incident.severity,
    });
  }
}

async function openReviewFor(ctx: Ctx, release: Release, event: ReviewEvent): Promise<void> {
  const { tx } = ctx;
  const policy = await reviewPolicyOf(tx, release.id);
  const fired = reviewTriggers(policy, event);
  if (fired.length === 0) return;
  const now = ctx.now.toISOString();
  const existing = await tx
    .selectFrom('reviews')
    .select(['id', 'key', 'status', 'template', 'mandatory', 'triggers', 'due_at', 'revision'])
    .where('release_id', '=', release.id)
    .executeTakeFirst();
  if (!existing) {
    const template = chooseTemplate(policy, release.classification, fired);
    await insertOpenReview(
      ctx,
      release,
      {
        template,
        mandatory: isMandatory(policy, fired),
        triggers: fired,
        dueAt: dueAt(policy, template, ctx.now),
      },
      // Another replica opened this release's review first; the change that fired it retries.
      () =>
        conflict(
          'concurrent-change',
          `${release.key} got a review from a concurrent change; retry`,
        ),
    );
    return;
  }
  const known = JSON.parse(existing.triggers) as ReviewTrigger[];
  const added = fired.filter((f) => !known.some((k) => k.reason === f.reason));
  if (added.length === 0) return;
  const triggers = [...known, ...added];
  const template =
    existing.template === 'full'
      ? 'full'
      : chooseTemplate(policy, release.classification, triggers);
  const mandatory = existing.mandatory === 1 || isMandatory(policy, added) ? 1 : 0;
  const reopened = existing.status === 'closed';
  await tx
    .updateTable('reviews')
    .set({
      triggers: JSON.stringify(triggers),
      template,
      mandatory,
      status: 'open',
      closed_at: null,
      closed_by: null,
      due_at: reopened ? dueAt(policy, template, ctx.now) : existing.due_at,
      revision: existing.revision + 1,
      updated_at: now,
    })
    .where('id', '=', existing.id)
    .execute();
  // A reopened review's lessons are indexed again when it closes again.
  if (reopened) await removeLessons(tx, ctx.engine, existing.id);
  await recordAudit(ctx, {
    action: reopened ? 'review.reopened' : 'review.triggered',
    subjectType: 'review',
    subjectId: existing.key,
    before: {
      status: existing.status,
      template: existing.template,
      mandatory: existing.mandatory === 1,
    },
    after: { status: 'open', template, mandatory: mandatory === 1, added },
  });
}
