/**
 * CDEvents `incident.*`: the first event about an incident records it; later ones (in
 * any order) move its start and detection earlier or set its resolution, never
 * contradicting the order the incident's instants must keep.
 */
import { checkIncidentTimes, type IncidentTimes } from '../../domain/incident.js';
import type { IncidentEvent, InboundEvent } from '../../domain/ingestion.js';
import { loadIncident } from '../../store/incidents.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { recordIncident } from '../incidents/recordIncident.js';
import { deadLetter, type Applied } from './applied.js';

const earlier = (a: string, b: string) => (a < b ? a : b);

export async function applyIncidentEvent(
  ctx: Ctx,
  event: InboundEvent,
  meaning: IncidentEvent,
): Promise<Applied> {
  authorize(ctx.actor, 'incident:record');
  const services = meaning.services.length
    ? await ctx.tx
        .selectFrom('services')
        .select('name')
        .where('name', 'in', meaning.services)
        .execute()
    : [];
  const service = meaning.services.find((n) => services.some((s) => s.name === n));
  if (!service)
    return deadLetter(
      meaning.services.length
        ? `no service named ${meaning.services.map((s) => `'${s}'`).join(' or ')} in the catalog`
        : 'the incident names no service',
    );
  const at = event.occurredAt;
  const existing = await ctx.tx
    .selectFrom('incidents')
    .select('id')
    .where('source', '=', 'cdevents')
    .where('external_id', '=', meaning.externalId)
    .executeTakeFirst();
  if (!existing) {
    const incident = await recordIncident(
      ctx,
      {
        title: meaning.title,
        severity: meaning.severity,
        service,
        startedAt: at,
        detectedAt: at,
        ...(meaning.action === 'resolved' ? { resolvedAt: at } : {}),
      },
      'cdevents',
      meaning.externalId,
    );
    return {
      outcome: 'recorded',
      reason: `${incident.key} ${meaning.action}`,
      incidentId: incident.id,
    };
  }
  const before = (await loadIncident(ctx.tx, existing.id))!;
  const times: IncidentTimes =
    meaning.action === 'resolved'
      ? {
          ...before,
          resolvedAt: before.resolvedAt && before.resolvedAt > at ? before.resolvedAt : at,
        }
      : {
          ...before,
          startedAt: earlier(before.startedAt, at),
          detectedAt: earlier(before.detectedAt, at),
        };
  const unchanged =
    times.startedAt === before.startedAt &&
    times.detectedAt === before.detectedAt &&
    times.resolvedAt === before.resolvedAt;
  if (unchanged)
    return {
      outcome: 'stale',
      reason: `${before.key} already knows this (${meaning.action} at ${at})`,
      incidentId: before.id,
    };
  const problems = checkIncidentTimes(times, ctx.now);
  if (problems.length)
    return deadLetter(`${before.key}: ${problems.map((p) => p.reason).join('; ')}`);
  await ctx.tx
    .updateTable('incidents')
    .set({
      started_at: times.startedAt,
      detected_at: times.detectedAt,
      resolved_at: times.resolvedAt,
      revision: before.revision + 1,
      updated_at: ctx.now.toISOString(),
    })
    .where('id', '=', before.id)
    .execute();
  const after = (await loadIncident(ctx.tx, before.id))!;
  await recordAudit(ctx, {
    action: 'incident.updated',
    subjectType: 'incident',
    subjectId: before.id,
    before,
    after,
  });
  return {
    outcome: 'updated',
    reason: `${before.key} ${meaning.action} at ${at}`,
    incidentId: before.id,
  };
}
