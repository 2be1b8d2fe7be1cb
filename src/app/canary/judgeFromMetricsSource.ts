/**
 * Pulls a window of baseline and canary samples from the configured metrics source
 * (Prometheus `query_range`), appends them to the analysis and judges. The network calls
 * run between two transactions, never inside one; a source that times out or refuses
 * a query gives an inconclusive verdict that says why, recorded like any other.
 */
import type { CanaryJudgeName, RecordedCanaryVerdict } from '../../domain/canary/analysis.js';
import { parseCanaryConfig } from '../../domain/canary/config.js';
import { unreadableSource } from '../../domain/canary/judgement.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import { loadCanaryAnalysis } from '../../store/canary.js';
import { authorize } from '../authorize.js';
import { execute, query, type Actor, type App } from '../context.js';
import { judgeCanaryAnalysis, recordCanaryVerdict } from './judgeCanaryAnalysis.js';
import { pushCanarySamples } from './pushCanarySamples.js';

export interface PullInput {
  /** ISO 8601 instants bounding the window to pull. */
  start: string;
  end: string;
  judge?: CanaryJudgeName;
}

/** A day of samples at the finest step is more than any canary run needs. */
const MAX_WINDOW_MS = 24 * 3600_000;

export async function judgeFromMetricsSource(
  app: App,
  actor: Actor,
  analysisId: string,
  input: PullInput,
): Promise<RecordedCanaryVerdict> {
  const start = new Date(input.start);
  const end = new Date(input.end);
  if (Number.isNaN(start.getTime())) throw invalid('/pull/start', 'is not an ISO 8601 instant');
  if (Number.isNaN(end.getTime())) throw invalid('/pull/end', 'is not an ISO 8601 instant');
  if (end <= start) throw invalid('/pull/end', `must be after the start (${input.start})`);
  if (end.getTime() - start.getTime() > MAX_WINDOW_MS)
    throw invalid('/pull/end', 'a pulled window spans at most 24 hours');

  const analysis = await query(app, actor, async (ctx) => {
    authorize(ctx.actor, 'deployment:record');
    const found = await loadCanaryAnalysis(ctx.tx, analysisId);
    if (!found) throw notFound('canary analysis', analysisId);
    return found;
  });
  const config = parseCanaryConfig(analysis.config);
  const queried = config.metrics.filter((m) => m.query !== undefined);
  if (!config.prometheus || queried.length === 0)
    throw conflict(
      'no-queries',
      "the analysis's config names no Prometheus query: add the prometheus section and metrics[].query",
    );
  const source = app.metricsSource;
  if (!source)
    throw conflict(
      'no-metrics-source',
      'this server has no Prometheus configured: start it with --prometheus-url (or GATEHOUSE_PROMETHEUS_URL)',
    );

  const scopes = {
    baseline: config.prometheus.baselineScope,
    canary: config.prometheus.canaryScope,
  };
  const pulls = queried.flatMap((metric) =>
    (['baseline', 'canary'] as const).map(async (group) => ({
      metric: metric.name,
      group,
      result: await source.queryRange({
        query: metric.query!.replaceAll('{{scope}}', scopes[group]),
        start,
        end,
        stepSeconds: config.prometheus!.stepSeconds,
      }),
    })),
  );
  const results = await Promise.all(pulls);
  const failures = results.flatMap((r) =>
    r.result.ok ? [] : [{ metric: r.metric, reason: `${r.group}: ${r.result.reason}` }],
  );

  return execute(app, actor, async (ctx) => {
    if (failures.length > 0)
      return recordCanaryVerdict(
        ctx,
        analysisId,
        unreadableSource(input.judge ?? analysis.judge, config, source.name, failures),
      );
    const samples: Record<'baseline' | 'canary', Record<string, Array<number | null>>> = {
      baseline: {},
      canary: {},
    };
    for (const r of results)
      if (r.result.ok)
        samples[r.group][r.metric] = r.result.values.map((v) => (Number.isFinite(v) ? v : null));
    await pushCanarySamples(ctx, analysisId, samples);
    return judgeCanaryAnalysis(ctx, analysisId, input.judge);
  });
}
