import type { CanaryAnalysis, RecordedCanaryVerdict } from '../../domain/canary/analysis.js';
import type { CanaryJudgement } from '../../domain/canary/judgement.js';
import { notFound } from '../../domain/errors.js';
import { loadCanaryAnalysis } from '../../store/canary.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export async function getCanaryAnalysis(ctx: Ctx, id: string): Promise<CanaryAnalysis> {
  authorize(ctx.actor, 'deployment:read');
  const analysis = await loadCanaryAnalysis(ctx.tx, id);
  if (!analysis) throw notFound('canary analysis', id);
  const { releaseId: _releaseId, revision: _revision, ...shown } = analysis;
  return shown;
}

export async function listCanaryAnalyses(
  ctx: Ctx,
  releaseIdOrKey: string,
): Promise<CanaryAnalysis[]> {
  authorize(ctx.actor, 'deployment:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const ids = await ctx.tx
    .selectFrom('canary_analyses')
    .select('id')
    .where('release_id', '=', release.id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const out: CanaryAnalysis[] = [];
  for (const { id } of ids) out.push(await getCanaryAnalysis(ctx, id));
  return out;
}

/** Every verdict of an analysis, oldest first. */
export async function listCanaryVerdicts(ctx: Ctx, id: string): Promise<RecordedCanaryVerdict[]> {
  authorize(ctx.actor, 'deployment:read');
  if (!(await loadCanaryAnalysis(ctx.tx, id))) throw notFound('canary analysis', id);
  const rows = await ctx.tx
    .selectFrom('canary_verdicts')
    .innerJoin('users', 'users.id', 'canary_verdicts.actor_id')
    .select([
      'canary_verdicts.id',
      'canary_verdicts.verdict',
      'canary_verdicts.judged_at',
      'users.name as actor',
    ])
    .where('analysis_id', '=', id)
    .orderBy('judged_at')
    .orderBy('canary_verdicts.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    analysis: id,
    judgedAt: r.judged_at,
    actor: r.actor,
    ...(JSON.parse(r.verdict) as CanaryJudgement),
  }));
}
