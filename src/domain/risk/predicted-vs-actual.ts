/**
 * Predicted versus actual: for each finished release, the risk predicted before it
 * shipped beside what happened. The prediction is honest about time and training: the
 * hand score reads only the history of releases raised before it, and the model's
 * probability comes from cross-validation, so no model judges a release it was fitted
 * on. Aggregated by predicted level, it says whether "high" really failed more often.
 */
import type { RiskLevel } from './score.js';

export interface ReleaseOutcome {
  release: string;
  state: 'closed' | 'failed' | 'rolled-back';
  handScore: number;
  handLevel: RiskLevel;
  /** Cross-validated failure probability; null when there is too little history to fit. */
  predictedFailure: number | null;
  failed: boolean;
  rolledBack: boolean;
  incidents: number;
  worstSeverity: number | null;
  /** Failed, rolled back, or caused an incident: the change went wrong. */
  wentWrong: boolean;
}

export interface OutcomeBand {
  level: RiskLevel;
  releases: number;
  failed: number;
  rolledBack: number;
  withIncidents: number;
  wentWrong: number;
  observedRate: number | null;
  meanPredictedFailure: number | null;
}

const round = (n: number) => Math.round(n * 10000) / 10000;

export function outcomeBands(outcomes: readonly ReleaseOutcome[]): OutcomeBand[] {
  return (['low', 'medium', 'high'] as const).map((level) => {
    const mine = outcomes.filter((o) => o.handLevel === level);
    const predicted = mine.flatMap((o) =>
      o.predictedFailure === null ? [] : [o.predictedFailure],
    );
    const wentWrong = mine.filter((o) => o.wentWrong).length;
    return {
      level,
      releases: mine.length,
      failed: mine.filter((o) => o.failed).length,
      rolledBack: mine.filter((o) => o.rolledBack).length,
      withIncidents: mine.filter((o) => o.incidents > 0).length,
      wentWrong,
      observedRate: mine.length ? round(wentWrong / mine.length) : null,
      meanPredictedFailure: predicted.length
        ? round(predicted.reduce((a, b) => a + b, 0) / predicted.length)
        : null,
    };
  });
}
