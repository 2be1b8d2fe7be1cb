/**
 * A deployment event, matched against the catalog and the releases: which service,
 * which environment, which release ships that service at that version, and whether the
 * deployment it describes is new or already known.
 */
import {
  applyToTracked,
  isFinal,
  type DeploymentEvent,
  type InboundEvent,
} from '../../domain/ingestion.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import { recordDeployment } from '../deployments/recordDeployment.js';
import { advanceDeployment } from '../deployments/advanceDeployment.js';
import type { Ctx } from '../context.js';
import { deadLetter, type Applied } from './applied.js';

async function catalogService(ctx: Ctx, names: string[]) {
  if (names.length === 0) return undefined;
  const found = await ctx.tx
    .selectFrom('services')
    .select(['id', 'name'])
    .where('name', 'in', names)
    .execute();
  return names.map((n) => found.find((s) => s.name === n)).find(Boolean);
}

/**
 * The release that ships the service at the event's version: a release-service row of
 * that service whose artifact is the event's artifact or whose version is one of the
 * event's versions; of several, the most recently created release.
 */
async function releaseShipping(
  ctx: Ctx,
  serviceId: string,
  event: DeploymentEvent,
): Promise<{ id: string; key: string } | undefined> {
  // Asked by artifact and by version apart: each is one probe of its index (0023),
  // where one query ORing them read every release the service ever had.
  const shipping = (match: 'artifact' | 'version', values: string[]) =>
    ctx.tx
      .selectFrom('release_services')
      .innerJoin('releases', 'releases.id', 'release_services.release_id')
      .select(['releases.id', 'releases.key', 'releases.created_at'])
      .where('release_services.service_id', '=', serviceId)
      .where(`release_services.${match}`, 'in', values)
      .orderBy('releases.created_at', 'desc')
      .orderBy('releases.key', 'desc')
      .executeTakeFirst();
  const found = [
    event.artifact ? await shipping('artifact', [event.artifact]) : undefined,
    event.versions.length ? await shipping('version', event.versions) : undefined,
  ].filter((row) => row !== undefined);
  // The later of the two, in the queries' own order: created_at, then key, descending.
  const later = (a: (typeof found)[number], b: (typeof found)[number]) =>
    a.created_at > b.created_at || (a.created_at === b.created_at && a.key > b.key);
  const newest = found.reduce<(typeof found)[number] | undefined>(
    (best, row) => (best === undefined || later(row, best) ? row : best),
    undefined,
  );
  return newest && { id: newest.id, key: newest.key };
}

interface Known {
  id: string;
  status: DeploymentStatus;
  startedAt: string;
  finishedAt: string | null;
  lastEventAt: string;
}

async function knownDeployment(
  ctx: Ctx,
  where: { channel: string; trackingKey: string } | { deploymentId: string },
): Promise<Known | undefined> {
  let query = ctx.tx
    .selectFrom('deployments')
    .leftJoin('deployment_event_state', 'deployment_event_state.deployment_id', 'deployments.id')
    .select([
      'deployments.id',
      'deployments.status',
      'deployments.started_at',
      'deployments.finished_at',
      'deployment_event_state.last_event_at',
    ]);
  query =
    'deploymentId' in where
      ? query.where('deployments.id', '=', where.deploymentId)
      : query
          .where('deployment_event_state.channel', '=', where.channel)
          .where('deployment_event_state.tracking_key', '=', where.trackingKey);
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    status: row.status as DeploymentStatus,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    // A deployment recorded by hand has seen no event: its own times stand in.
    lastEventAt: row.last_event_at ?? row.finished_at ?? row.started_at,
  };
}

async function rememberEvent(
  ctx: Ctx,
  deploymentId: string,
  event: InboundEvent,
  trackingKey: string | null,
  lastEventAt: string,
): Promise<void> {
  const existing = await ctx.tx
    .selectFrom('deployment_event_state')
    .select('deployment_id')
    .where('deployment_id', '=', deploymentId)
    .executeTakeFirst();
  if (existing)
    await ctx.tx
      .updateTable('deployment_event_state')
      .set({ last_event_at: lastEventAt })
      .where('deployment_id', '=', deploymentId)
      .execute();
  else
    await ctx.tx
      .insertInto('deployment_event_state')
      .values({
        deployment_id: deploymentId,
        channel: event.channel,
        tracking_key: trackingKey,
        last_event_at: lastEventAt,
      })
      .execute();
}

async function advance(
  ctx: Ctx,
  known: Known,
  event: InboundEvent,
  status: DeploymentStatus,
): Promise<Applied> {
  const change = applyToTracked(known, status, event.occurredAt);
  if (change.change === 'none')
    return { outcome: 'stale', reason: change.reason, deploymentId: known.id };
  await advanceDeployment(
    ctx,
    known.id,
    { status: change.status, startedAt: change.startedAt, finishedAt: change.finishedAt },
    `${event.channel} event ${event.type} of ${event.occurredAt}`,
  );
  await rememberEvent(ctx, known.id, event, null, change.lastEventAt);
  return {
    outcome: 'updated',
    reason:
      change.status === known.status
        ? `deployment ${known.id} started earlier than known: ${change.startedAt}`
        : `deployment ${known.id} is now ${change.status}`,
    deploymentId: known.id,
  };
}

export async function applyDeploymentEvent(
  ctx: Ctx,
  event: InboundEvent,
  meaning: DeploymentEvent,
): Promise<Applied> {
  const service = await catalogService(ctx, meaning.services);
  if (!service)
    return deadLetter(
      `no service named ${meaning.services.map((s) => `'${s}'`).join(' or ')} in the catalog`,
    );
  const environment = await ctx.tx
    .selectFrom('environments')
    .select('id')
    .where('name', '=', meaning.environment)
    .executeTakeFirst();
  if (!environment) return deadLetter(`environment '${meaning.environment}' is not in the catalog`);

  if (meaning.trackingKey) {
    const known = await knownDeployment(ctx, {
      channel: event.channel,
      trackingKey: meaning.trackingKey,
    });
    if (known) return advance(ctx, known, event, meaning.status);
  }
  const release = await releaseShipping(ctx, service.id, meaning);

  if (meaning.status === 'rolled-back') {
    // The event names what runs now; what it undid is the newest deployment of the
    // service there that is not that release and not already rolled back.
    let target = ctx.tx
      .selectFrom('deployments')
      .select('id')
      .where('service_id', '=', service.id)
      .where('environment_id', '=', environment.id)
      .where('status', '!=', 'rolled-back');
    if (release) target = target.where('release_id', '!=', release.id);
    const row = await target.orderBy('started_at', 'desc').orderBy('id').executeTakeFirst();
    if (!row)
      return deadLetter(
        `no deployment of '${service.name}' to '${meaning.environment}' to roll back`,
      );
    const known = (await knownDeployment(ctx, { deploymentId: row.id }))!;
    return advance(ctx, known, event, 'rolled-back');
  }

  if (!release)
    return deadLetter(
      `no release ships '${service.name}' at ${
        [...(meaning.artifact ? [meaning.artifact] : []), ...meaning.versions]
          .map((v) => `'${v}'`)
          .join(' or ') || 'an unnamed version'
      }`,
    );
  const startedAt = meaning.createdAt ?? event.occurredAt;
  const deployment = await recordDeployment(ctx, release.id, {
    service: service.name,
    environment: meaning.environment,
    ...(meaning.region ? { region: meaning.region } : {}),
    status: meaning.status,
    startedAt: startedAt < event.occurredAt ? startedAt : event.occurredAt,
    ...(isFinal(meaning.status) ? { finishedAt: event.occurredAt } : {}),
    notes: `recorded from ${event.channel} event ${event.type}`,
  });
  await rememberEvent(ctx, deployment.id, event, meaning.trackingKey, event.occurredAt);
  return {
    outcome: 'recorded',
    reason: `${release.key}: ${service.name} ${meaning.status} in ${meaning.environment}`,
    deploymentId: deployment.id,
  };
}
