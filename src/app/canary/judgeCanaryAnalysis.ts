import { randomUUID } from 'node:crypto';
import type { CanaryJudgeName, RecordedCanaryVerdict } from '../../domain/canary/analysis.js';
import { parseCanaryConfig } from '../../domain/canary/config.js';
import type { CanaryJudgement } from '../../domain/canary/judgement.js';
import { judgeCanaryFixed } from '../../domain/canary/fixed-horizon-judge.js';
import { judgeCanarySequential } from '../../domain/canary/sequential-judge.js';
import { notFound } from '../../domain/errors.js';
import { loadCanaryAnalysis, loadCanarySamples } from '../../store/canary.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

/** Judges the samples held now and records the verdict with its metric-by-metric evidence. */
export async function judgeCanaryAnalysis(
  ctx: Ctx,
  analysisId: string,
  judge?: CanaryJudgeName,
): Promise<RecordedCanaryVerdict> {
  authorize(ctx.actor, 'deployment:record');
  const { tx } = ctx;
  const analysis = await loadCanaryAnalysis(tx, analysisId);
  if (!analysis) throw notFound('canary analysis', analysisId);
  const samples = await loadCanarySamples(tx, analysisId);
  const config = parseCanaryConfig(analysis.config);
  const run = (judge ?? analysis.judge) === 'sequential' ? judgeCanarySequential : judgeCanaryFixed;
  return recordCanaryVerdict(ctx, analysisId, run(config, samples.baseline, samples.canary));
}

/** Stores a verdict with its evidence and audits it, in the caller's transaction. */
export async function recordCanaryVerdict(
  ctx: Ctx,
  analysisId: string,
  judgement: CanaryJudgement,
): Promise<RecordedCanaryVerdict> {
  const { tx } = ctx;
  const id = randomUUID();
  const judgedAt = ctx.now.toISOString();
  await tx
    .insertInto('canary_verdicts')
    .values({
      id,
      analysis_id: analysisId,
      judge: judgement.judge,
      outcome: judgement.outcome,
      decision: judgement.decision,
      score: judgement.score,
      verdict: JSON.stringify(judgement),
      actor_id: ctx.actor.userId,
      judged_at: judgedAt,
    })
    .execute();
  const verdict: RecordedCanaryVerdict = {
    id,
    analysis: analysisId,
    judgedAt,
    actor: ctx.actor.name,
    ...judgement,
  };
  await recordAudit(ctx, {
    action: 'canary-analysis.judged',
    subjectType: 'canary-analysis',
    subjectId: analysisId,
    after: {
      verdict: id,
      outcome: judgement.outcome,
      decision: judgement.decision,
      score: judgement.score,
      reason: judgement.reason,
    },
  });
  return verdict;
}
