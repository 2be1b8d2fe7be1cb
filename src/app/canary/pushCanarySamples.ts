import type { Insertable } from 'kysely';
import type { CanaryAnalysis, PushCanarySamplesInput } from '../../domain/canary/analysis.js';
import { invalid, notFound } from '../../domain/errors.js';
import { loadCanaryAnalysis } from '../../store/canary.js';
import type { CanarySampleTable } from '../../store/schema.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

const GROUPS = ['baseline', 'canary'] as const;
/** Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 500;

/** Appends samples after those already held, per group and metric, in the order given. */
export async function pushCanarySamples(
  ctx: Ctx,
  analysisId: string,
  input: PushCanarySamplesInput,
): Promise<CanaryAnalysis> {
  authorize(ctx.actor, 'deployment:record');
  const { tx } = ctx;
  const pushed = GROUPS.reduce((n, g) => n + Object.keys(input[g] ?? {}).length, 0);
  if (pushed === 0) throw invalid('/', 'push at least one metric for baseline or canary');
  // Taking the row first serialises concurrent pushes to one analysis (a row lock on
  // PostgreSQL; SQLite has one writer), so sequence numbers never collide.
  const bumped = await tx
    .updateTable('canary_analyses')
    .set((eb) => ({ revision: eb('revision', '+', 1), updated_at: ctx.now.toISOString() }))
    .where('id', '=', analysisId)
    .executeTakeFirst();
  if (Number(bumped.numUpdatedRows) === 0) throw notFound('canary analysis', analysisId);
  const analysis = (await loadCanaryAnalysis(tx, analysisId))!;
  const rows: Insertable<CanarySampleTable>[] = [];
  const added: Record<string, Record<string, number>> = {};
  for (const group of GROUPS) {
    for (const [metric, values] of Object.entries(input[group] ?? {})) {
      const held = analysis.samples[group][metric] ?? 0;
      values.forEach((value, i) =>
        rows.push({ analysis_id: analysisId, sample_group: group, metric, seq: held + i, value }),
      );
      (added[group] ??= {})[metric] = values.length;
    }
  }
  for (let i = 0; i < rows.length; i += BATCH)
    await tx
      .insertInto('canary_samples')
      .values(rows.slice(i, i + BATCH))
      .execute();
  await recordAudit(ctx, {
    action: 'canary-analysis.samples-pushed',
    subjectType: 'canary-analysis',
    subjectId: analysisId,
    after: { added },
  });
  return (await loadCanaryAnalysis(tx, analysisId))!;
}
