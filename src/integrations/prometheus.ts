/**
 * Prometheus's HTTP API, `query_range` (https://prometheus.io/docs/prometheus/latest/querying/api/#range-queries):
 * a POST of form fields `query`, `start`, `end`, `step`; the answer
 * `{status: "success", data: {resultType: "matrix", result: [{metric, values: [[t, "v"]]}]}}`
 * or `{status: "error", errorType, error}`. A canary metric must come back as one series
 * per scope, as Kayenta requires; several series are refused with advice to aggregate.
 * Timeouts and errors are answers too: the verdict says inconclusive and why.
 */
import type { MetricsSource, RangeQuery, RangeResult } from '../app/canary/metricsSource.js';

interface PrometheusAnswer {
  status?: string;
  error?: string;
  errorType?: string;
  data?: { resultType?: string; result?: Array<{ values?: Array<[number, string]> }> };
}

/** Prometheus refuses a range query that would return more points than this. */
const MAX_POINTS = 11_000;

export function prometheusSource(
  baseUrl: string,
  options: { timeoutMs?: number } = {},
): MetricsSource {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const endpoint = new URL('api/v1/query_range', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  return {
    name: baseUrl,
    async queryRange(request: RangeQuery): Promise<RangeResult> {
      const points = (request.end.getTime() - request.start.getTime()) / 1000 / request.stepSeconds;
      if (points > MAX_POINTS)
        return {
          ok: false,
          reason: `the range holds ${Math.ceil(points)} steps of ${request.stepSeconds} s; Prometheus answers at most ${MAX_POINTS}`,
        };
      const form = new URLSearchParams({
        query: request.query,
        start: String(request.start.getTime() / 1000),
        end: String(request.end.getTime() / 1000),
        step: String(request.stepSeconds),
        timeout: `${Math.max(1, Math.floor(timeoutMs / 1000))}s`,
      });
      let response: Response;
      try {
        response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const name = error instanceof Error ? error.name : '';
        return {
          ok: false,
          reason:
            name === 'TimeoutError'
              ? `Prometheus did not answer within ${timeoutMs} ms`
              : `Prometheus could not be reached: ${describe(error)}`,
        };
      }
      let answer: PrometheusAnswer;
      try {
        answer = (await response.json()) as PrometheusAnswer;
      } catch (error) {
        return {
          ok: false,
          reason: `Prometheus answered HTTP ${response.status} with a body that is not its JSON (${describe(error)})`,
        };
      }
      if (answer.status !== 'success')
        return {
          ok: false,
          reason: `Prometheus refused the query (HTTP ${response.status}, ${answer.errorType ?? 'error'}): ${answer.error ?? 'no reason given'}`,
        };
      if (answer.data?.resultType !== 'matrix' || !Array.isArray(answer.data.result))
        return {
          ok: false,
          reason: `Prometheus answered a ${answer.data?.resultType ?? 'missing'} result, not a matrix`,
        };
      const series = answer.data.result;
      if (series.length > 1)
        return {
          ok: false,
          reason: `the query returned ${series.length} series; aggregate it to one (for example sum(...) or avg(...))`,
        };
      // No series: no data, which the judge reports as such (never a pass).
      const values = (series[0]?.values ?? []).map(([, value]) => Number(value));
      return { ok: true, values };
    },
  };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
}
