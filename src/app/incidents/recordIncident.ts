import { randomUUID } from 'node:crypto';
import { notFound, type FieldProblem } from '../../domain/errors.js';
import {
  checkIncidentTimes,
  type CreateIncidentInput,
  type Incident,
} from '../../domain/incident.js';
import { loadIncident } from '../../store/incidents.js';
import { nextCounter } from '../../store/counters.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems, toUtc } from '../releases/releaseContent.js';
import { insertLink } from './linkDeployment.js';
import { openReviewsForIncident } from '../reviews/openReviewByPolicy.js';

/**
 * Records an incident. Without a detection time it was detected no later than the first
 * thing known to have happened after (acknowledgement, resolution, or recording it);
 * deployments named in `causedBy` are linked in the same transaction.
 */
export async function recordIncident(
  ctx: Ctx,
  input: CreateIncidentInput,
  source: 'api' | 'cdevents' = 'api',
  externalId: string | null = null,
): Promise<Incident> {
  authorize(ctx.actor, 'incident:record');
  const { tx } = ctx;
  const problems: FieldProblem[] = [];
  const service = await tx
    .selectFrom('services')
    .select('id')
    .where('name', '=', input.service)
    .executeTakeFirst();
  if (!service)
    problems.push({
      field: '/service',
      reason: `service '${input.service}' does not exist in the catalog`,
    });
  const given = {
    startedAt: toUtc(input.startedAt),
    detectedAt: input.detectedAt ? toUtc(input.detectedAt) : null,
    acknowledgedAt: input.acknowledgedAt ? toUtc(input.acknowledgedAt) : null,
    resolvedAt: input.resolvedAt ? toUtc(input.resolvedAt) : null,
  };
  // Only what the caller gave is checked, so a refusal names a field they sent.
  problems.push(...checkIncidentTimes(given, ctx.now));
  const times = {
    ...given,
    detectedAt:
      given.detectedAt ?? given.acknowledgedAt ?? given.resolvedAt ?? ctx.now.toISOString(),
  };
  const causedBy = input.causedBy ?? [];
  if (causedBy.length) {
    const found = await tx
      .selectFrom('deployments')
      .select('id')
      .where('id', 'in', causedBy)
      .execute();
    const known = new Set(found.map((d) => d.id));
    causedBy.forEach((id, i) => {
      if (!known.has(id))
        problems.push({ field: `/causedBy/${i}`, reason: `deployment '${id}' does not exist` });
    });
  }
  throwIfProblems(problems, 'invalid-incident');

  const id = randomUUID();
  const key = `INC-${await nextCounter(tx, ctx.engine, 'incident')}`;
  const now = ctx.now.toISOString();
  await tx
    .insertInto('incidents')
    .values({
      id,
      key,
      title: input.title,
      severity: input.severity,
      service_id: service!.id,
      started_at: times.startedAt,
      detected_at: times.detectedAt,
      acknowledged_at: times.acknowledgedAt,
      resolved_at: times.resolvedAt,
      source,
      external_id: externalId,
      reporter_id: ctx.actor.userId,
      revision: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  for (const deployment of causedBy)
    await insertLink(ctx, id, deployment, 'named as a cause when the incident was recorded');
  const incident = await loadIncident(tx, id);
  if (!incident) throw notFound('incident', id);
  await recordAudit(ctx, {
    action: 'incident.recorded',
    subjectType: 'incident',
    subjectId: id,
    after: incident,
  });
  if (causedBy.length) await openReviewsForIncident(ctx, id);
  return incident;
}
