import { invalid, notFound } from '../../domain/errors.js';
import {
  suggestCauses,
  SUGGESTION_WINDOW_MS,
  type Incident,
  type SuggestedCause,
} from '../../domain/incident.js';
import {
  candidateDeployments,
  findIncidents,
  loadIncident,
  type IncidentFilter,
} from '../../store/incidents.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';

export async function getIncident(ctx: Ctx, idOrKey: string): Promise<Incident> {
  authorize(ctx.actor, 'incident:read');
  const incident = await loadIncident(ctx.tx, idOrKey);
  if (!incident) throw notFound('incident', idOrKey);
  return incident;
}

export type IncidentQuery = Omit<IncidentFilter, 'after'> & { cursor?: string };

export async function listIncidents(ctx: Ctx, filter: IncidentQuery): Promise<Page<Incident>> {
  authorize(ctx.actor, 'incident:read');
  if (filter.since && filter.until && filter.until <= filter.since)
    throw invalid('/querystring/until', `must be after since (${filter.since})`);
  const after = filter.cursor ? (decodeCursor(filter.cursor, 2) as [string, string]) : undefined;
  const items = await findIncidents(ctx.tx, { ...filter, limit: filter.limit + 1, after });
  const page = items.slice(0, filter.limit);
  const last = page[page.length - 1];
  return {
    items: page,
    nextCursor:
      items.length > filter.limit && last ? encodeCursor([last.startedAt, last.id]) : null,
  };
}

/** The deployments that may have caused an incident, best first, each with its reason. */
export async function suggestCausingDeployments(
  ctx: Ctx,
  idOrKey: string,
): Promise<{ incident: string; suggestions: SuggestedCause[] }> {
  authorize(ctx.actor, 'incident:read');
  const incident = await loadIncident(ctx.tx, idOrKey);
  if (!incident) throw notFound('incident', idOrKey);
  const service = await ctx.tx
    .selectFrom('services')
    .select('id')
    .where('name', '=', incident.service)
    .executeTakeFirstOrThrow();
  const candidates = await candidateDeployments(
    ctx.tx,
    { serviceId: service.id, startedAt: incident.startedAt },
    SUGGESTION_WINDOW_MS,
  );
  const linked = new Set(incident.causedBy.map((c) => c.deployment));
  return {
    incident: incident.key,
    suggestions: suggestCauses(incident, candidates).filter((s) => !linked.has(s.deployment)),
  };
}
