/** Reads of releases: one release, a filtered page of them, and a release's history. */
import { notFound } from '../../domain/errors.js';
import type { Release, ReleaseState } from '../../domain/release.js';
import { loadRelease, selectReleases, toRelease } from '../../store/releases.js';
import { decodeCursor, encodeCursor, type Page } from '../pagination.js';
import { authorize } from '../authorize.js';
import { query, type Actor, type App, type Ctx } from '../context.js';
import { readMemo } from '../readMemo.js';
import { risksOf, type ListedRisk } from '../risk/listedRisk.js';
import type { RiskLevel } from '../../domain/risk/score.js';

export async function getRelease(ctx: Ctx, idOrKey: string): Promise<Release> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  return release;
}

/**
 * `getRelease` for one request, outside any transaction: remembered until anything is
 * committed (ADR 2500-1), since reading a release is the hottest path there is.
 */
export function readRelease(app: App, actor: Actor, idOrKey: string): Release | Promise<Release> {
  authorize(actor, 'release:read');
  return readMemo<Release>(app.store, 'release').get(idOrKey, app.clock().getTime(), async () => ({
    value: await query(app, actor, (ctx) => getRelease(ctx, idOrKey)),
    until: Infinity,
  }));
}

export interface ReleaseFilter {
  state?: ReleaseState[];
  classification?: string;
  service?: string;
  team?: string;
  /** Only releases whose risk score falls in this level (computed, so scanned in batches). */
  risk?: RiskLevel;
  limit: number;
  cursor?: string;
}

export type ListedRelease = Release & { risk: ListedRisk };

/** Rows read per batch while looking for releases of the asked risk level. */
const RISK_SCAN_BATCH = 200;

/**
 * Newest first, each with its risk score and level; the cursor is the (created_at, id)
 * of the last item returned. Risk is computed, not stored, so a risk filter reads the
 * other filters' matches in batches, scoring each batch, until the page is full.
 */
export async function listReleases(ctx: Ctx, filter: ReleaseFilter): Promise<Page<ListedRelease>> {
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
  const filtered = query;
  const after = (cursor: [string, string] | undefined) =>
    cursor
      ? filtered.where((eb) =>
          eb.or([
            eb('releases.created_at', '<', cursor[0]),
            eb.and([eb('releases.created_at', '=', cursor[0]), eb('releases.id', '<', cursor[1])]),
          ]),
        )
      : filtered;
  let position: [string, string] | undefined;
  if (filter.cursor) {
    const [createdAt, id] = decodeCursor(filter.cursor, 2);
    position = [createdAt!, id!];
  }
  const batch = filter.risk ? Math.max(filter.limit + 1, RISK_SCAN_BATCH) : filter.limit + 1;
  const found: Array<{
    row: Awaited<ReturnType<typeof filtered.execute>>[number];
    risk: ListedRisk;
  }> = [];
  for (;;) {
    const rows = await after(position)
      .orderBy('releases.created_at', 'desc')
      .orderBy('releases.id', 'desc')
      .limit(batch)
      .execute();
    // Without a risk filter only the page is scored, not the look-ahead row.
    const scored = filter.risk ? rows : rows.slice(0, filter.limit);
    const risks = await risksOf(
      ctx,
      scored.map((r) => r.id),
    );
    for (const row of rows) {
      const risk = risks.get(row.id);
      if (filter.risk && risk?.level !== filter.risk) continue;
      found.push({ row, risk: risk ?? { score: 0, level: 'low' } });
    }
    const last = rows.at(-1);
    if (!filter.risk || found.length > filter.limit || rows.length < batch || !last) break;
    position = [last.created_at, last.id];
  }
  const more = found.length > filter.limit;
  const page = found.slice(0, filter.limit);
  const last = page.at(-1)?.row;
  return {
    items: page.map(({ row, risk }) => ({ ...toRelease(row), risk })),
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
