/** The risk weights document: versioned, every change audited. */
import { invalid } from '../../domain/errors.js';
import { DEFAULT_RISK_WEIGHTS, type RiskWeights } from '../../domain/risk/score.js';
import { latestRiskWeights } from '../../store/risk.js';
import type { Tx } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface VersionedWeights {
  version: number;
  weights: RiskWeights;
}

/** Version 0 is the built-in default, in force until someone sets their own. */
export async function currentWeights(tx: Tx): Promise<VersionedWeights> {
  const latest = await latestRiskWeights(tx);
  return latest
    ? { version: latest.version, weights: latest.weights }
    : { version: 0, weights: DEFAULT_RISK_WEIGHTS };
}

export async function readRiskWeights(ctx: Ctx): Promise<VersionedWeights> {
  authorize(ctx.actor, 'release:read');
  return currentWeights(ctx.tx);
}

export async function setRiskWeights(ctx: Ctx, weights: RiskWeights): Promise<VersionedWeights> {
  authorize(ctx.actor, 'risk:configure');
  if (weights.bands.medium >= weights.bands.high)
    throw invalid('/bands/high', `must be above bands.medium (${weights.bands.medium})`);
  const before = await currentWeights(ctx.tx);
  const version = before.version + 1;
  await ctx.tx
    .insertInto('risk_weights')
    .values({
      version,
      document: JSON.stringify(weights),
      created_by: ctx.actor.userId,
      created_at: ctx.now.toISOString(),
    })
    .execute();
  await recordAudit(ctx, {
    action: 'risk.weights-changed',
    subjectType: 'risk-weights',
    subjectId: String(version),
    before,
    after: { version, weights },
  });
  return { version, weights };
}
