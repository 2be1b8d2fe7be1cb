/**
 * Turns the release history into what the score and the model read: each release's
 * score inputs, with its services' change-failure history as it stood when the release
 * was raised (only releases raised before it count), and its outcome.
 */
import { releaseFailed } from '../../domain/release.js';
import type { HistoricalRelease } from '../../domain/risk/failure-model.js';
import { scoreRisk, type RiskInputs, type RiskWeights } from '../../domain/risk/score.js';
import type { HistoryRow } from '../../store/risk.js';

export interface ScoredHistory {
  row: HistoryRow;
  inputs: RiskInputs;
  historical: HistoricalRelease;
}

export function scoreHistory(rows: readonly HistoryRow[], weights: RiskWeights): ScoredHistory[] {
  const perService = new Map<string, { finished: number; failed: number }>();
  return rows.map((row) => {
    const history = { finished: 0, failed: 0 };
    for (const s of row.services) {
      const seen = perService.get(s.name);
      if (seen) {
        history.finished += seen.finished;
        history.failed += seen.failed;
      }
    }
    const inputs: RiskInputs = {
      services: row.services,
      classification: row.classification,
      strategy: row.strategy,
      scopeItems: row.scopeItems,
      facts: row.facts,
      history,
    };
    const failed = releaseFailed(row.state);
    if (failed !== null)
      for (const s of row.services) {
        const seen = perService.get(s.name) ?? { finished: 0, failed: 0 };
        seen.finished++;
        if (failed) seen.failed++;
        perService.set(s.name, seen);
      }
    const sensitivities = row.services.map((s) => s.dataSensitivity);
    const historical: HistoricalRelease = {
      key: row.key,
      tiers: row.services.map((s) => s.tier),
      customerFacing: row.services.some((s) => s.customerFacing),
      sensitivity: sensitivities.includes('restricted')
        ? 'restricted'
        : sensitivities.includes('confidential')
          ? 'confidential'
          : (sensitivities[0] ?? null),
      classification: row.classification,
      strategy: row.strategy,
      features: row.features,
      deployAt: row.deployAt,
      timeZone: row.timeZone,
      facts: row.facts,
      handScore: scoreRisk(inputs, weights).score,
      failed,
    };
    return { row, inputs, historical };
  });
}
