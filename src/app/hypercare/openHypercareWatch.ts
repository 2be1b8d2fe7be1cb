/**
 * Opens the hypercare watch of a successful production deployment, in the transaction
 * that records it: the stabilisation window runs from the deployment marker (when it
 * finished) for the hours of the release's class.
 */
import { randomUUID } from 'node:crypto';
import { stabilisationHours } from '../../domain/hypercare/regression-detector.js';
import type { Release } from '../../domain/release.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export async function openHypercareWatch(
  ctx: Ctx,
  input: {
    deploymentId: string;
    release: Release;
    service: string;
    environment: string;
    finishedAt: string;
  },
): Promise<void> {
  const hours = stabilisationHours(input.release.classification);
  const endsAt = new Date(Date.parse(input.finishedAt) + hours * 3600_000).toISOString();
  // A deployment recorded after its window has passed (history) has nothing left to watch.
  if (endsAt <= ctx.now.toISOString()) return;
  const id = randomUUID();
  await ctx.tx
    .insertInto('hypercare_watches')
    .values({
      id,
      deployment_id: input.deploymentId,
      release_id: input.release.id,
      service: input.service,
      environment: input.environment,
      marker_at: input.finishedAt,
      ends_at: endsAt,
      status: 'watching',
      findings: '{}',
      checked_at: null,
    })
    .execute();
  await recordAudit(ctx, {
    action: 'hypercare.opened',
    subjectType: 'release',
    subjectId: input.release.key,
    after: {
      watch: id,
      deployment: input.deploymentId,
      service: input.service,
      environment: input.environment,
      markerAt: input.finishedAt,
      endsAt,
      hours,
    },
  });
}
