/** A release's risk: the explainable score and the fitted model's failure probability. */
import { conflict, notFound } from '../../domain/errors.js';
import {
  calibrationReport,
  canFit,
  fitFailureModel,
  predictFailure,
  type CalibrationReport,
} from '../../domain/risk/failure-model.js';
import { scoreRisk, type RiskScore } from '../../domain/risk/score.js';
import { releaseHistory } from '../../store/risk.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import type { OutcomeBand } from '../../domain/risk/predicted-vs-actual.js';
import { predictedVersusActual } from './predictedVersusActual.js';
import { scoreHistory } from './riskHistory.js';
import { currentWeights } from './riskWeights.js';

export interface ReleaseRisk extends RiskScore {
  release: string;
  weightsVersion: number;
  /** From the model fitted on this organisation's finished releases; null without enough history. */
  failureProbability: number | null;
  modelTrainedOn: number;
}

export async function releaseRisk(ctx: Ctx, idOrKey: string): Promise<ReleaseRisk> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  const { version, weights } = await currentWeights(ctx.tx);
  const history = scoreHistory(await releaseHistory(ctx.tx), weights);
  const mine = history.find((h) => h.row.id === release.id)!;
  // The release itself never trains the model that judges it.
  const others = history.filter((h) => h.row.id !== release.id).map((h) => h.historical);
  const fittable = canFit(others);
  return {
    release: release.key,
    weightsVersion: version,
    ...scoreRisk(mine.inputs, weights),
    failureProbability: fittable
      ? Math.round(predictFailure(fitFailureModel(others), mine.historical) * 10000) / 10000
      : null,
    modelTrainedOn: fittable ? others.filter((h) => h.failed !== null).length : 0,
  };
}

export async function failureModelReport(
  ctx: Ctx,
): Promise<CalibrationReport & { predictedVersusActual: OutcomeBand[] }> {
  authorize(ctx.actor, 'release:read');
  const { weights } = await currentWeights(ctx.tx);
  const history = scoreHistory(await releaseHistory(ctx.tx), weights).map((h) => h.historical);
  if (!canFit(history))
    throw conflict(
      'not-enough-history',
      'the model needs at least 20 finished releases with at least 2 failures and 2 successes',
    );
  // What happened beside what was predicted, by predicted level (src/app/risk/predictedVersusActual.ts).
  const { byLevel } = await predictedVersusActual(ctx);
  return { ...calibrationReport(history), predictedVersusActual: byLevel };
}
