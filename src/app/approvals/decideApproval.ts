/**
 * Approving or rejecting one stage of a release. Authorise, load, ask the domain every
 * question (state, stage, eligibility, segregation of duties), write the decision bound
 * to the release's content hash, and audit it — in the one transaction.
 */
import { randomUUID } from 'node:crypto';
import { judgeDecision, type ApprovalProgress, type DecisionKind } from '../../domain/approval.js';
import { conflict, notFound } from '../../domain/errors.js';
import { isUniqueViolation } from '../../store/database.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { approvalPolicy, approvalSituation } from './approvalSituation.js';

export interface ApprovalStatus extends ApprovalProgress {
  release: string;
  releaseState: string;
  policySet: { name: string; version: number };
  policy: string | null;
  path: string | null;
  environment: string | null;
}

export interface DecisionInput {
  stage: string;
  /** The comment of an approval, the reason of a rejection. */
  text?: string;
}

async function status(ctx: Ctx, releaseIdOrKey: string) {
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const policy = await approvalPolicy(ctx.tx, release);
  const { situation, progress } = await approvalSituation(ctx.tx, release, policy.stages, ctx.now);
  const view: ApprovalStatus = {
    release: release.key,
    releaseState: release.state,
    policySet: policy.policySet,
    policy: policy.policy?.name ?? null,
    path: policy.policy?.requires.approvals?.path ?? null,
    environment: policy.environment,
    ...progress,
  };
  return { release, situation, progress, view };
}

/** Each stage: required, given, who may still approve, and its state. */
export async function getApprovalStatus(ctx: Ctx, releaseIdOrKey: string): Promise<ApprovalStatus> {
  authorize(ctx.actor, 'release:read');
  return (await status(ctx, releaseIdOrKey)).view;
}

async function decide(
  ctx: Ctx,
  releaseIdOrKey: string,
  decision: DecisionKind,
  input: DecisionInput,
): Promise<ApprovalStatus> {
  authorize(ctx.actor, 'approval:decide');
  const { release, situation, progress } = await status(ctx, releaseIdOrKey);
  const refusal = judgeDecision(situation, progress, {
    stage: input.stage,
    decision,
    text: input.text,
    actor: { name: ctx.actor.name, roles: ctx.actor.roles },
  });
  if (refusal) throw refusal;
  const id = randomUUID();
  const at = ctx.now.toISOString();
  const text = input.text?.trim() ?? '';
  try {
    await ctx.tx
      .insertInto('approvals')
      .values({
        id,
        release_id: release.id,
        stage: input.stage,
        decision,
        actor_id: ctx.actor.userId,
        text,
        content_hash: release.contentHash ?? '',
        created_at: at,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(
        'already-decided',
        `${ctx.actor.name} already decided the ${input.stage} stage of ${release.key} for its current content`,
      );
    throw error;
  }
  const after = (await status(ctx, release.id)).view;
  await recordAudit(ctx, {
    action: decision === 'approved' ? 'approval.given' : 'approval.rejected',
    subjectType: 'release',
    subjectId: release.key,
    after: {
      id,
      stage: input.stage,
      decision,
      by: ctx.actor.name,
      text,
      contentHash: release.contentHash,
      stageState: after.stages.find((s) => s.stage === input.stage)?.state,
      approvals: after.state,
    },
  });
  return after;
}

export function approveRelease(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: { stage: string; comment?: string },
): Promise<ApprovalStatus> {
  return decide(ctx, releaseIdOrKey, 'approved', { stage: input.stage, text: input.comment });
}

export function rejectRelease(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: { stage: string; reason?: string },
): Promise<ApprovalStatus> {
  return decide(ctx, releaseIdOrKey, 'rejected', { stage: input.stage, text: input.reason });
}
