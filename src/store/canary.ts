/** Reading canary analyses and their samples. */
import type { CanaryAnalysis, CanaryJudgeName } from '../domain/canary/analysis.js';
import type { CanaryConfig } from '../domain/canary/config.js';
import type { CanarySamples } from '../domain/canary/series.js';
import type { Tx } from './database.js';

export interface StoredCanaryAnalysis extends CanaryAnalysis {
  releaseId: string;
  revision: number;
}

export async function loadCanaryAnalysis(
  tx: Tx,
  id: string,
): Promise<StoredCanaryAnalysis | undefined> {
  const row = await tx
    .selectFrom('canary_analyses')
    .innerJoin('releases', 'releases.id', 'canary_analyses.release_id')
    .innerJoin('users', 'users.id', 'canary_analyses.actor_id')
    .select([
      'canary_analyses.id',
      'canary_analyses.release_id',
      'releases.key as release',
      'canary_analyses.service',
      'canary_analyses.environment',
      'canary_analyses.judge',
      'canary_analyses.config',
      'canary_analyses.revision',
      'canary_analyses.created_at',
      'users.name as actor',
    ])
    .where('canary_analyses.id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const counts = await tx
    .selectFrom('canary_samples')
    .select(['sample_group', 'metric', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('analysis_id', '=', id)
    .groupBy(['sample_group', 'metric'])
    .execute();
  const samples: CanaryAnalysis['samples'] = { baseline: {}, canary: {} };
  for (const c of counts) samples[c.sample_group][c.metric] = Number(c.n);
  return {
    id: row.id,
    releaseId: row.release_id,
    release: row.release,
    service: row.service,
    environment: row.environment,
    judge: row.judge as CanaryJudgeName,
    config: JSON.parse(row.config) as CanaryConfig,
    revision: row.revision,
    samples,
    createdAt: row.created_at,
    actor: row.actor,
  };
}

/** Every sample of an analysis, per group and metric, in the order pushed; null → NaN. */
export async function loadCanarySamples(
  tx: Tx,
  id: string,
): Promise<{ baseline: CanarySamples; canary: CanarySamples }> {
  const rows = await tx
    .selectFrom('canary_samples')
    .select(['sample_group', 'metric', 'value'])
    .where('analysis_id', '=', id)
    .orderBy('sample_group')
    .orderBy('metric')
    .orderBy('seq')
    .execute();
  const out = { baseline: {} as Record<string, number[]>, canary: {} as Record<string, number[]> };
  for (const r of rows)
    (out[r.sample_group][r.metric] ??= []).push(r.value === null ? Number.NaN : Number(r.value));
  return out;
}
