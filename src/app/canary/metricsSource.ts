/**
 * Where a canary analysis can pull its samples from, as the app layer sees it. The
 * Prometheus client in `src/integrations/prometheus.ts` is the one implementation; the
 * server is configured with it (`gatehouse serve --prometheus-url`), never a request.
 */
export interface RangeQuery {
  query: string;
  start: Date;
  end: Date;
  stepSeconds: number;
}

export type RangeResult =
  | { ok: true; values: number[] }
  /** Why nothing usable came back, in words a verdict can quote. */
  | { ok: false; reason: string };

export interface MetricsSource {
  /** A name for verdicts and audit entries, e.g. the Prometheus base URL. */
  readonly name: string;
  queryRange(request: RangeQuery): Promise<RangeResult>;
}
