import { randomUUID } from 'node:crypto';
import type { Permission } from '../../domain/access.js';
import { conflict, GatehouseError, notFound } from '../../domain/errors.js';
import {
  evaluateTransition,
  STATE_LABELS,
  type DeploymentStatus,
  type TransitionEvaluation,
} from '../../domain/lifecycle.js';
import { releaseFailed, type Release, type ReleaseState } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';
import { loadRelease } from '../../store/releases.js';
import { recordReleaseOutcome } from '../../store/risk.js';
import { openMandatoryReviews } from '../../store/reviews.js';
import { openReviewAfterTransition } from '../reviews/openReviewByPolicy.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { staleRevision } from './updateRelease.js';

export interface TransitionRequest {
  to: ReleaseState;
  reason?: string;
  /** From If-Match; when given, the release must still be at this revision. */
  expectedRevision?: number;
}

export interface TransitionResult {
  release: Release;
  evaluation: TransitionEvaluation;
}

async function gatherFacts(tx: Tx, release: Release) {
  const production = await tx
    .selectFrom('environments')
    .select('name')
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
  const deployments = await tx
    .selectFrom('deployments')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .select(['services.name as service', 'environments.name as environment', 'deployments.status'])
    .where('deployments.release_id', '=', release.id)
    .execute();
  return {
    productionEnvironment: production?.name ?? null,
    deployments: deployments.map((d) => ({ ...d, status: d.status as DeploymentStatus })),
    // Only Verify → Closed asks; other transitions skip the read.
    openMandatoryReviews:
      release.state === 'verify' ? await openMandatoryReviews(tx, release.id) : [],
  };
}

/** Evaluates a transition without making it: what would pass and what would not. */
export async function previewTransition(
  ctx: Ctx,
  idOrKey: string,
  to: ReleaseState,
  reason?: string,
): Promise<TransitionEvaluation> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  return evaluateTransition(to, {
    release,
    now: ctx.now,
    reason,
    ...(await gatherFacts(ctx.tx, release)),
  });
}

/**
 * `authority` is the permission the move is made under: 'release:transition' for a
 * person moving the release, or the one of a use case that moves it as a consequence
 * (a CAB No-Go moves it to No-Go under 'cab:decide').
 */
export async function transitionRelease(
  ctx: Ctx,
  idOrKey: string,
  request: TransitionRequest,
  authority: Permission = 'release:transition',
): Promise<TransitionResult> {
  authorize(ctx.actor, authority);
  const { tx } = ctx;
  const before = await loadRelease(tx, idOrKey);
  if (!before) throw notFound('release', idOrKey);
  if (request.expectedRevision !== undefined && request.expectedRevision !== before.revision) {
    throw staleRevision(before, request.expectedRevision);
  }
  const evaluation = evaluateTransition(request.to, {
    release: before,
    now: ctx.now,
    reason: request.reason,
    ...(await gatherFacts(tx, before)),
  });
  if (!evaluation.allowed) {
    const failed = evaluation.checks.filter((c) => !c.passed);
    throw new GatehouseError(
      'conflict',
      'transition-refused',
      `${before.key} cannot move from ${STATE_LABELS[before.state]} to ${STATE_LABELS[request.to]}: ${failed.map((c) => c.reason).join('; ')}`,
      {
        failedChecks: failed.map((c) => ({ check: c.check, reason: c.reason })),
        extra: { from: before.state, to: request.to, checks: evaluation.checks },
      },
    );
  }
  const now = ctx.now.toISOString();
  // Conditional on the state and revision we judged: a concurrent transition on another
  // replica makes this touch no row, and this caller is told so.
  const moved = await tx
    .updateTable('releases')
    .set({
      state: request.to,
      revision: before.revision + 1,
      updated_at: now,
      state_changed_at: now,
    })
    .where('id', '=', before.id)
    .where('state', '=', before.state)
    .where('revision', '=', before.revision)
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) {
    throw conflict(
      'concurrent-change',
      `${before.key} changed while this transition was being judged; read it again and retry`,
    );
  }
  await tx
    .insertInto('release_transitions')
    .values({
      id: randomUUID(),
      release_id: before.id,
      from_state: before.state,
      to_state: request.to,
      actor_id: ctx.actor.userId,
      reason: request.reason ?? null,
      at: now,
    })
    .execute();
  // What the release list's risk history counts (src/store/risk.ts).
  const failed = releaseFailed(request.to);
  if (failed !== null) await recordReleaseOutcome(tx, before.id, failed);
  const release = (await loadRelease(tx, before.id))!;
  await recordAudit(ctx, {
    action: 'release.transitioned',
    subjectType: 'release',
    subjectId: release.key,
    before: { state: before.state, revision: before.revision },
    after: {
      state: release.state,
      revision: release.revision,
      reason: request.reason ?? null,
      checks: evaluation.checks,
    },
  });
  // Policy may open a post-release review, in this same transaction.
  await openReviewAfterTransition(ctx, release);
  return { release, evaluation };
}
