import { notFound } from '../../domain/errors.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface DeploymentProgress {
  status: DeploymentStatus;
  startedAt: string;
  finishedAt: string | null;
}

/**
 * Moves a recorded deployment on (a later status, a corrected start) when a pipeline
 * reports it; the domain has already decided the move is not a regression.
 */
export async function advanceDeployment(
  ctx: Ctx,
  deploymentId: string,
  progress: DeploymentProgress,
  because: string,
): Promise<void> {
  authorize(ctx.actor, 'deployment:record');
  const before = await ctx.tx
    .selectFrom('deployments')
    .select(['status', 'started_at', 'finished_at'])
    .where('id', '=', deploymentId)
    .executeTakeFirst();
  if (!before) throw notFound('deployment', deploymentId);
  await ctx.tx
    .updateTable('deployments')
    .set({
      status: progress.status,
      started_at: progress.startedAt,
      finished_at: progress.finishedAt,
      updated_at: ctx.now.toISOString(),
    })
    .where('id', '=', deploymentId)
    .execute();
  await recordAudit(ctx, {
    action: 'deployment.updated',
    subjectType: 'deployment',
    subjectId: deploymentId,
    before: { status: before.status, startedAt: before.started_at, finishedAt: before.finished_at },
    after: { ...progress, because },
  });
}
