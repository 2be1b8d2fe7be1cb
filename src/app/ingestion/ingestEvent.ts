/**
 * Receives one inbound event: once per delivery (a redelivery is answered "duplicate"
 * and changes nothing), applied in the same transaction as its log entry, and, when it
 * cannot be applied, kept as a dead letter with the reason instead of being dropped.
 */
import { randomUUID } from 'node:crypto';
import { GatehouseError, notFound, conflict } from '../../domain/errors.js';
import type { EventOutcome, InboundEvent } from '../../domain/ingestion.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { deadLetter, type Applied } from './applied.js';
import { applyDeploymentEvent } from './applyDeploymentEvent.js';
import { applyIncidentEvent } from './applyIncidentEvent.js';

export interface IngestedEvent {
  id: string;
  channel: string;
  type: string;
  occurredAt: string;
  receivedAt: string;
  outcome: EventOutcome | 'duplicate';
  reason: string;
  deployment: string | null;
  incident: string | null;
  sender: string;
  replays: number;
}

async function applyEnvironmentEvent(
  ctx: Ctx,
  action: 'created' | 'modified' | 'deleted',
  name: string,
): Promise<Applied> {
  const known = await ctx.tx
    .selectFrom('environments')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirst();
  // The catalog is declared (`gatehouse catalog apply`); an event does not rewrite it.
  if (action === 'deleted')
    return {
      outcome: 'noted',
      reason: known
        ? `environment '${name}' was deleted at the source; it stays in the catalog until the catalog is applied without it`
        : `environment '${name}' was deleted at the source and is not in the catalog`,
    };
  if (!known) return deadLetter(`environment '${name}' is not in the catalog`);
  return { outcome: 'noted', reason: `environment '${name}' ${action}; it is in the catalog` };
}

/**
 * Applies an event's meaning. A refusal by the use cases it calls (bad region, times out
 * of order, a gate that does not pass) makes it a dead letter with their reasons; they
 * refuse before writing, so nothing is half-applied.
 */
export async function applyEvent(ctx: Ctx, event: InboundEvent): Promise<Applied> {
  const { meaning } = event;
  try {
    switch (meaning.kind) {
      case 'deployment':
        return await applyDeploymentEvent(ctx, event, meaning);
      case 'incident':
        return await applyIncidentEvent(ctx, event, meaning);
      case 'environment':
        return await applyEnvironmentEvent(ctx, meaning.action, meaning.environment);
      case 'noted':
        return { outcome: 'noted', reason: meaning.summary };
    }
  } catch (error) {
    if (
      error instanceof GatehouseError &&
      (error.kind === 'invalid' || error.kind === 'conflict' || error.kind === 'not-found')
    ) {
      const reasons = [
        ...error.problems.map((p) => `${p.field}: ${p.reason}`),
        ...error.failedChecks.map((c) => `${c.check}: ${c.reason}`),
      ];
      return deadLetter(reasons.length ? reasons.join('; ') : error.message);
    }
    throw error;
  }
}

type Row = {
  id: string;
  channel: string;
  type: string;
  occurred_at: string;
  received_at: string;
  outcome: string;
  reason: string;
  deployment_id: string | null;
  incident_id: string | null;
  actor_name: string;
  replays: number;
};

export function presentEvent(row: Row): IngestedEvent {
  return {
    id: row.id,
    channel: row.channel,
    type: row.type,
    occurredAt: row.occurred_at,
    receivedAt: row.received_at,
    outcome: row.outcome as EventOutcome,
    reason: row.reason,
    deployment: row.deployment_id,
    incident: row.incident_id,
    sender: row.actor_name,
    replays: Number(row.replays),
  };
}

const COLUMNS = [
  'id',
  'channel',
  'type',
  'occurred_at',
  'received_at',
  'outcome',
  'reason',
  'deployment_id',
  'incident_id',
  'actor_name',
  'replays',
] as const;

export async function findDelivery(
  ctx: Ctx,
  channel: string,
  deliveryKey: string,
): Promise<IngestedEvent | undefined> {
  const row = await ctx.tx
    .selectFrom('inbound_events')
    .select(COLUMNS)
    .where('channel', '=', channel)
    .where('delivery_key', '=', deliveryKey)
    .executeTakeFirst();
  return row ? presentEvent(row) : undefined;
}

export async function ingestEvent(ctx: Ctx, event: InboundEvent): Promise<IngestedEvent> {
  authorize(ctx.actor, 'event:ingest');
  const seen = await findDelivery(ctx, event.channel, event.deliveryKey);
  if (seen)
    return {
      ...seen,
      outcome: 'duplicate',
      reason: `already received at ${seen.receivedAt} (${seen.outcome})`,
    };
  const applied = await applyEvent(ctx, event);
  const id = randomUUID();
  const now = ctx.now.toISOString();
  const row: Row = {
    id,
    channel: event.channel,
    type: event.type,
    occurred_at: event.occurredAt,
    received_at: now,
    outcome: applied.outcome,
    reason: applied.reason,
    deployment_id: applied.deploymentId ?? null,
    incident_id: applied.incidentId ?? null,
    actor_name: ctx.actor.name,
    replays: 0,
  };
  await ctx.tx
    .insertInto('inbound_events')
    .values({
      ...row,
      delivery_key: event.deliveryKey,
      event: JSON.stringify(event),
      actor_id: ctx.actor.userId,
      updated_at: now,
    })
    .execute();
  const presented = presentEvent(row);
  await recordAudit(ctx, {
    action: 'event.received',
    subjectType: 'inbound-event',
    subjectId: id,
    after: presented,
  });
  return presented;
}

/** Tries a dead letter again, typically after the catalog or a release was fixed. */
export async function replayDeadLetter(ctx: Ctx, id: string): Promise<IngestedEvent> {
  authorize(ctx.actor, 'event:ingest');
  const stored = await ctx.tx
    .selectFrom('inbound_events')
    .select([...COLUMNS, 'event'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!stored) throw notFound('event', id);
  if (stored.outcome !== 'dead-letter')
    throw conflict(
      'not-a-dead-letter',
      `event ${id} was ${stored.outcome}; only dead letters are replayed`,
    );
  const before = presentEvent(stored);
  const applied = await applyEvent(ctx, JSON.parse(stored.event) as InboundEvent);
  const now = ctx.now.toISOString();
  await ctx.tx
    .updateTable('inbound_events')
    .set({
      outcome: applied.outcome,
      reason: applied.reason,
      deployment_id: applied.deploymentId ?? null,
      incident_id: applied.incidentId ?? null,
      replays: before.replays + 1,
      updated_at: now,
    })
    .where('id', '=', id)
    .execute();
  const after: IngestedEvent = {
    ...before,
    outcome: applied.outcome,
    reason: applied.reason,
    deployment: applied.deploymentId ?? null,
    incident: applied.incidentId ?? null,
    replays: before.replays + 1,
  };
  await recordAudit(ctx, {
    action: 'event.replayed',
    subjectType: 'inbound-event',
    subjectId: id,
    before,
    after,
  });
  return after;
}

export async function listInboundEvents(
  ctx: Ctx,
  filter: { outcome?: string; limit?: number },
): Promise<IngestedEvent[]> {
  authorize(ctx.actor, 'deployment:read');
  let query = ctx.tx.selectFrom('inbound_events').select(COLUMNS);
  if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
  const rows = await query
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(filter.limit ?? 100)
    .execute();
  return rows.map(presentEvent);
}
