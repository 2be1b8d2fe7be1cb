/** The risk register per release, and heat maps by release and for the portfolio. */
import { randomUUID } from 'node:crypto';
import { notFound } from '../../domain/errors.js';
import {
  heatMap,
  type HeatMap,
  type RiskEntry,
  type RiskEntryInput,
} from '../../domain/risk/register.js';
import { loadRelease } from '../../store/releases.js';
import { listRiskEntries } from '../../store/risk.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export async function addRisk(
  ctx: Ctx,
  idOrKey: string,
  input: RiskEntryInput,
): Promise<RiskEntry> {
  authorize(ctx.actor, 'release:update');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  const id = randomUUID();
  const createdAt = ctx.now.toISOString();
  await ctx.tx
    .insertInto('release_risks')
    .values({ id, release_id: release.id, ...input, created_at: createdAt })
    .execute();
  const entry: RiskEntry = { id, release: release.key, ...input, createdAt };
  await recordAudit(ctx, {
    action: 'risk.registered',
    subjectType: 'release',
    subjectId: release.key,
    after: entry,
  });
  return entry;
}

export async function releaseRegister(
  ctx: Ctx,
  idOrKey: string,
): Promise<{ release: string; items: RiskEntry[]; heatMap: HeatMap }> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  const items = await listRiskEntries(ctx.tx, release.id);
  return { release: release.key, items, heatMap: heatMap(items) };
}

export async function portfolioHeatMap(
  ctx: Ctx,
): Promise<{ portfolio: HeatMap; releases: Array<{ release: string } & HeatMap> }> {
  authorize(ctx.actor, 'release:read');
  const entries = await listRiskEntries(ctx.tx);
  const byRelease = new Map<string, RiskEntry[]>();
  for (const e of entries) byRelease.set(e.release, [...(byRelease.get(e.release) ?? []), e]);
  return {
    portfolio: heatMap(entries),
    releases: [...byRelease].map(([release, items]) => ({ release, ...heatMap(items) })),
  };
}
