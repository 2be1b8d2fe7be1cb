/**
 * What one server exposes at `/metrics` (Prometheus text format, prom-client): the
 * process's own metrics, the duration of every request by route pattern, and a few
 * product counters. Each server has its own registry, so several servers in one process
 * (tests, benchmarks) never share or clash over a metric (ADR 1900-1).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { App } from '../app/context.js';
import { auditChainLength } from '../app/operations/readiness.js';
import { memoCounts } from '../app/readMemo.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** This server's Prometheus registry and the product counters routes increment. */
    metrics: ServerMetrics;
  }
}

export interface ServerMetrics {
  readonly registry: Registry;
  /** One gate check answered, by verdict (pass / fail). */
  gateChecked(verdict: string): void;
  /** One scheduled job run here, by job name and outcome. */
  jobRan(job: string, outcome: 'ok' | 'failed'): void;
  /** Stops observing the store (the server is closing; the store may outlive it). */
  close(): void;
}

/** Seconds; from a cached read (~1 ms) to a large evidence upload or report (~10 s). */
const DURATION_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Seconds; an fdatasync takes ~1 ms on a quiet disk, hundreds on a contended one. */
const FLUSH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Routes Fastify matched none of share one label, so scanners cannot explode the series. */
export const UNMATCHED_ROUTE = 'unmatched';

export function createServerMetrics(app: App): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gateChecks = new Counter({
    name: 'gatehouse_gate_checks_total',
    help: 'Gate checks answered by this process, by verdict',
    labelNames: ['verdict'],
    registers: [registry],
  });
  const jobRuns = new Counter({
    name: 'gatehouse_scheduler_job_runs_total',
    help: 'Scheduled job runs in this process, by job and outcome (ok / failed)',
    labelNames: ['job', 'outcome'],
    registers: [registry],
  });
  new Gauge({
    name: 'gatehouse_audit_entries',
    help: 'Entries in the audit chain (its head sequence number), read from the store at scrape time',
    registers: [registry],
    // One indexed read per scrape; the chain is shared by every replica, so the store,
    // not this process, is the source of truth.
    async collect() {
      this.set(await auditChainLength(app));
    },
  });
  new Counter({
    name: 'gatehouse_read_memo_answers_total',
    help: 'Remembered reads (releases, gate checks) answered by this process, by kind and outcome: reused from memory, made afresh, or shared with a making under way',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
    // The memo counts in plain numbers on its hot path; they are copied here at scrape time.
    collect() {
      this.reset();
      for (const { kind, counts } of memoCounts(app.store))
        for (const [outcome, answers] of Object.entries(counts))
          this.inc({ kind, outcome }, answers);
    },
  });
  // Where the store flushes its own commits (SQLite), how long the disk took: every write
  // in a group commit waits for it, so a slow disk shows here before anywhere else.
  let stopObserving: () => void = () => undefined;
  if (app.store.observeFlushes) {
    const flushes = new Histogram({
      name: 'gatehouse_sqlite_flush_seconds',
      help: 'Time to flush a group commit to stable storage (fdatasync of the SQLite WAL, off the event loop); the writes of the batch wait for it',
      buckets: FLUSH_BUCKETS,
      registers: [registry],
    });
    stopObserving = app.store.observeFlushes((seconds) => flushes.observe(seconds));
  }
  return {
    registry,
    gateChecked: (verdict) => gateChecks.inc({ verdict }),
    jobRan: (job, outcome) => jobRuns.inc({ job, outcome }),
    close: stopObserving,
  };
}

/**
 * Times every request into one histogram labelled by method, route *pattern* (never the
 * raw URL, which would make a series per release) and status class. The label children
 * are kept, so a request costs a few lookups and one observation.
 */
export function observeRequestDurations(server: FastifyInstance, registry: Registry): void {
  const histogram = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status class',
    labelNames: ['method', 'route', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  type Child = ReturnType<typeof histogram.labels>;
  // By route pattern, then method and status class: strings Fastify keeps (no key is
  // built per request) and a small index.
  const children = new Map<string, Map<string, Child[]>>();
  server.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const statusClass = Math.floor(reply.statusCode / 100);
    let byMethod = children.get(route);
    if (!byMethod) children.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(request.method);
    if (!byStatus) byMethod.set(request.method, (byStatus = []));
    let child = byStatus[statusClass];
    if (!child) {
      child = histogram.labels(request.method, route, `${statusClass}xx`);
      byStatus[statusClass] = child;
    }
    child.observe(reply.elapsedTime / 1000);
    done();
  });
}
