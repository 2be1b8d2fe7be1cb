import { notFound } from '../../domain/errors.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { openHypercareWatch } from '../hypercare/openHypercareWatch.js';
import { loadRelease } from '../../store/releases.js';

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
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .select([
      'deployments.status',
      'deployments.started_at',
      'deployments.finished_at',
      'deployments.release_id',
      'environments.name as environment',
      'environments.production',
      'services.name as service',
    ])
    .where('deployments.id', '=', deploymentId)
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
  if (
    before.production === 1 &&
    progress.status === 'succeeded' &&
    before.status !== 'succeeded' &&
    progress.finishedAt
  )
    await openHypercareWatch(ctx, {
      deploymentId,
      release: (await loadRelease(ctx.tx, before.release_id))!,
      service: before.service,
      environment: before.environment,
      finishedAt: progress.finishedAt,
    });
}
