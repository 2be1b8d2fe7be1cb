/** Reads of releases: one release, a filtered page of them, and a release's history. */
import { notFound } from '../../domain/errors.js';
import type { Release, ReleaseState } from '../../domain/release.js';
import { loadRelease, selectReleases, toRelease } from '../../store/releases.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export async function getRelease(ctx: Ctx, idOrKey: string): Promise<Release> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  return release;
}

export interface ReleaseFilter {
  state?: ReleaseState[];
  classification?: string;
  service?: string;
  team?: string;
  limit: number;
  cursor?: string;
}

/** Newest first; the cursor is the (created_at, id) of the last item returned. */
export async function listReleases(ctx: Ctx, filter: ReleaseFilter): Promise<Page<Release>> {
  authorize(ctx.actor, 'release:read');
  let query = selectReleases(ctx.tx);
  if (filter.state?.length) query = query.where('releases.state', 'in', filter.state);
  if (filter.classification)
    query = query.where('releases.classification', '=', filter.classification);
  if (filter.team) {
    const team = filter.team;
    query = query.where('releases.team_id', 'in', (eb) =>
      eb.selectFrom('teams').select('id').where('name', '=', team),
    );
  }
  if (filter.service) {
    const service = filter.service;
    query = query.where('releases.id', 'in', (eb) =>
      eb
        .selectFrom('release_services')
        .innerJoin('services', 'services.id', 'release_services.service_id')
        .select('release_services.release_id')
        .where('services.name', '=', service),
    );
  }
  if (filter.cursor) {
    const [createdAt, id] = decodeCursor(filter.cursor, 2);
    query = query.where((eb) =>
      eb.or([
        eb('releases.created_at', '<', createdAt!),
        eb.and([eb('releases.created_at', '=', createdAt!), eb('releases.id', '<', id!)]),
      ]),
    );
  }
  const rows = await query
    .orderBy('releases.created_at', 'desc')
    .orderBy('releases.id', 'desc')
    .limit(filter.limit + 1)
    .execute();
  const more = rows.length > filter.limit;
  const pageRows = rows.slice(0, filter.limit);
  const last = pageRows.at(-1);
  return {
    items: pageRows.map(toRelease),
    nextCursor: more && last ? encodeCursor([last.created_at, last.id]) : null,
  };
}

export interface TransitionRecord {
  from: string;
  to: string;
  actor: string;
  reason: string | null;
  at: string;
}

export async function releaseTransitions(ctx: Ctx, idOrKey: string): Promise<TransitionRecord[]> {
  const release = await getRelease(ctx, idOrKey);
  const rows = await ctx.tx
    .selectFrom('release_transitions')
    .innerJoin('users', 'users.id', 'release_transitions.actor_id')
    .select(['from_state', 'to_state', 'users.name as actor', 'reason', 'at'])
    .where('release_id', '=', release.id)
    .orderBy('at')
    .execute();
  return rows.map((r) => ({
    from: r.from_state,
    to: r.to_state,
    actor: r.actor,
    reason: r.reason,
    at: r.at,
  }));
}
