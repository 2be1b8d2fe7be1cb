/**
 * The risk score and level of a page of releases, for the release list: the same score
 * as GET /releases/{id}/risk, read for these releases only (four queries whatever the
 * page size) instead of scoring the whole history.
 */
import { scoreRisk, type RiskLevel } from '../../domain/risk/score.js';
import { releaseHistory, serviceHistoryBefore } from '../../store/risk.js';
import type { Ctx } from '../context.js';
import { currentWeights } from './riskWeights.js';

export interface ListedRisk {
  score: number;
  level: RiskLevel;
}

export async function risksOf(ctx: Ctx, ids: readonly string[]): Promise<Map<string, ListedRisk>> {
  if (ids.length === 0) return new Map();
  const [{ weights }, rows, history] = await Promise.all([
    currentWeights(ctx.tx),
    releaseHistory(ctx.tx, ids),
    serviceHistoryBefore(ctx.tx, ids),
  ]);
  const risks = new Map<string, ListedRisk>();
  for (const row of rows) {
    const { score, level } = scoreRisk(
      {
        services: row.services,
        classification: row.classification,
        strategy: row.strategy,
        scopeItems: row.scopeItems,
        facts: row.facts,
        history: history.get(row.id) ?? { finished: 0, failed: 0 },
      },
      weights,
    );
    risks.set(row.id, { score, level });
  }
  return risks;
}
