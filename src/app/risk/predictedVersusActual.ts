/** Each finished release's pre-release risk prediction beside what happened to it. */
import { canFit, crossValidatedPredictions } from '../../domain/risk/failure-model.js';
import {
  outcomeBands,
  type OutcomeBand,
  type ReleaseOutcome,
} from '../../domain/risk/predicted-vs-actual.js';
import { scoreRisk } from '../../domain/risk/score.js';
import type { Tx } from '../../store/database.js';
import { releaseHistory } from '../../store/risk.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { scoreHistory } from './riskHistory.js';
import { currentWeights } from './riskWeights.js';

export interface PredictedVersusActual {
  releases: ReleaseOutcome[];
  byLevel: OutcomeBand[];
}

async function incidentsByRelease(tx: Tx) {
  const rows = await tx
    .selectFrom('incident_deployments')
    .innerJoin('deployments', 'deployments.id', 'incident_deployments.deployment_id')
    .innerJoin('incidents', 'incidents.id', 'incident_deployments.incident_id')
    .select([
      'deployments.release_id',
      (eb) => eb.fn.count<number>('incidents.id').distinct().as('incidents'),
      (eb) => eb.fn.min<number>('incidents.severity').as('worst'),
    ])
    .groupBy('deployments.release_id')
    .execute();
  return new Map(rows.map((r) => [r.release_id, { count: Number(r.incidents), worst: r.worst }]));
}

export async function predictedVersusActual(ctx: Ctx): Promise<PredictedVersusActual> {
  authorize(ctx.actor, 'release:read');
  const { weights } = await currentWeights(ctx.tx);
  const scored = scoreHistory(await releaseHistory(ctx.tx), weights);
  const history = scored.map((h) => h.historical);
  const predictions = new Map<string, number>();
  if (canFit(history)) {
    const cv = crossValidatedPredictions(history);
    cv.finished.forEach((r, i) => predictions.set(r.key, cv.model[i]!));
  }
  const incidents = await incidentsByRelease(ctx.tx);
  const releases: ReleaseOutcome[] = scored
    .filter((h) => h.historical.failed !== null)
    .map((h) => {
      const score = scoreRisk(h.inputs, weights);
      const found = incidents.get(h.row.id);
      const predicted = predictions.get(h.row.key);
      const failed = h.row.state === 'failed';
      const rolledBack = h.row.state === 'rolled-back';
      return {
        release: h.row.key,
        state: h.row.state as ReleaseOutcome['state'],
        handScore: score.score,
        handLevel: score.level,
        predictedFailure: predicted === undefined ? null : Math.round(predicted * 10000) / 10000,
        failed,
        rolledBack,
        incidents: found?.count ?? 0,
        worstSeverity: found?.worst ?? null,
        wentWrong: failed || rolledBack || (found?.count ?? 0) > 0,
      };
    });
  return { releases, byLevel: outcomeBands(releases) };
}
