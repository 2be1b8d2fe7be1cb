import { conflict, notFound } from '../../domain/errors.js';
import type { Incident, LinkDeploymentInput } from '../../domain/incident.js';
import { isUniqueViolation } from '../../store/database.js';
import { loadIncident } from '../../store/incidents.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { invalid } from '../../domain/errors.js';
import { openReviewsForIncident } from '../reviews/openReviewByPolicy.js';

export async function insertLink(
  ctx: Ctx,
  incidentId: string,
  deploymentId: string,
  reason: string,
): Promise<void> {
  await ctx.tx
    .insertInto('incident_deployments')
    .values({
      incident_id: incidentId,
      deployment_id: deploymentId,
      reason,
      linked_by: ctx.actor.userId,
      linked_at: ctx.now.toISOString(),
    })
    .execute();
}

/**
 * Says, explicitly, that a deployment caused an incident. The deployment then counts as
 * a failed change in the change-failure rate, whatever status it finished with.
 */
export async function linkDeployment(
  ctx: Ctx,
  incidentIdOrKey: string,
  input: LinkDeploymentInput,
): Promise<Incident> {
  authorize(ctx.actor, 'incident:record');
  const incident = await loadIncident(ctx.tx, incidentIdOrKey);
  if (!incident) throw notFound('incident', incidentIdOrKey);
  const deployment = await ctx.tx
    .selectFrom('deployments')
    .select(['id', 'started_at'])
    .where('id', '=', input.deployment)
    .executeTakeFirst();
  if (!deployment) throw invalid('/deployment', `deployment '${input.deployment}' does not exist`);
  if (deployment.started_at > incident.startedAt)
    throw invalid(
      '/deployment',
      `deployment started at ${deployment.started_at}, after ${incident.key} started (${incident.startedAt}); it cannot have caused it`,
    );
  if (incident.causedBy.some((c) => c.deployment === deployment.id))
    throw conflict(
      'already-linked',
      `deployment ${deployment.id} is already linked to ${incident.key}`,
    );
  try {
    await insertLink(ctx, incident.id, deployment.id, input.reason ?? 'linked by hand');
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(
        'already-linked',
        `deployment ${deployment.id} is already linked to ${incident.key}`,
      );
    throw error;
  }
  const linked = (await loadIncident(ctx.tx, incident.id))!;
  await recordAudit(ctx, {
    action: 'incident.deployment-linked',
    subjectType: 'incident',
    subjectId: incident.id,
    before: { causedBy: incident.causedBy.map((c) => c.deployment) },
    after: { causedBy: linked.causedBy.map((c) => c.deployment), reason: input.reason ?? null },
  });
  await openReviewsForIncident(ctx, incident.id);
  return linked;
}
