import type { MetricFinding, WatchStatus } from '../../domain/hypercare/watch.js';
import { notFound } from '../../domain/errors.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface HypercareWatch {
  id: string;
  release: string;
  service: string;
  environment: string;
  markerAt: string;
  endsAt: string;
  status: WatchStatus;
  reason: string | null;
  metrics: MetricFinding[];
  checkedAt: string | null;
}

export async function listHypercareWatches(
  ctx: Ctx,
  releaseIdOrKey: string,
): Promise<HypercareWatch[]> {
  authorize(ctx.actor, 'deployment:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const rows = await ctx.tx
    .selectFrom('hypercare_watches')
    .selectAll()
    .where('release_id', '=', release.id)
    .orderBy('marker_at')
    .orderBy('service')
    .execute();
  return rows.map((row) => {
    const findings = JSON.parse(row.findings) as { reason?: string; metrics?: MetricFinding[] };
    return {
      id: row.id,
      release: release.key,
      service: row.service,
      environment: row.environment,
      markerAt: row.marker_at,
      endsAt: row.ends_at,
      status: row.status as WatchStatus,
      reason: findings.reason ?? null,
      metrics: findings.metrics ?? [],
      checkedAt: row.checked_at,
    };
  });
}
