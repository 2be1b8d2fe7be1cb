/**
 * One sustained-load run: `gatehouse serve` as its own process (as in production) with
 * the memory reporter preloaded, the mixed load at a fixed rate for a while, the server's
 * memory sampled throughout, and every acknowledged write read back at the end. Shared by
 * `npm run bench -- soak`, the soak suite and the short load test in the default suite.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_RATE_LIMIT, cpuMicros, spawnAndWait, stop } from '../support.js';
import { runOpenLoop, type KindFigures, type LoadReport, type WindowFigures } from './generator.js';
import {
  memoryBetween,
  memoryGrowth,
  readMemorySamples,
  type MemoryMeans,
  type MemoryGrowth,
  type MemorySample,
} from './memory.js';
import { prepareMix, verifyWrites, type MixWeights, type WriteCheck } from './mix.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const REPORTER = fileURLToPath(new URL('./memory-reporter.mjs', import.meta.url));

export interface SustainedLoadOptions {
  engine: 'sqlite' | 'postgres';
  /** A database URL (PostgreSQL, or a SQLite file); the data directory's SQLite otherwise. */
  databaseUrl?: string;
  durationMs: number;
  /**
   * Load at the same rate before the measured run, answers checked but latency not
   * judged: the first minute after start-up pays for JIT compilation, caches filling and
   * the first full garbage collection after the demo's load (a stall of ~130 ms).
   */
  warmUpMs?: number;
  rate: number;
  windowMs: number;
  /** Load the demo organisation first (450 releases, a year of history). */
  demo: boolean;
  weights?: MixWeights;
  /** Read back at most this many of each kind of write (all when absent). */
  verifyLimit?: number;
  memoryIntervalMs?: number;
  log?: (line: string) => void;
}

export interface SustainedLoad {
  engine: string;
  /** The warm-up's answers (every one must still be as expected), when there was one. */
  warmUp: LoadReport | null;
  load: LoadReport;
  memory: MemorySample[];
  /** Mean heap and RSS per window, in the same order as `load.windows`. */
  windowMemory: (MemoryMeans | null)[];
  /** Server CPU time (user + system) per request answered, per window and overall. */
  windowCpu: (number | null)[];
  cpuMsPerRequest: number | null;
  growth: MemoryGrowth | null;
  writes: WriteCheck;
  /** The store's own flushes during the measured run (SQLite), from its /metrics. */
  flushes: FlushCounts | null;
}

/** Flushes counted by `gatehouse_sqlite_flush_seconds`, and how many were slow. */
export interface FlushCounts {
  count: number;
  over100ms: number;
  over250ms: number;
}

export async function runSustainedLoad(options: SustainedLoadOptions): Promise<SustainedLoad> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-load-'));
  const memoryFile = join(dir, 'memory.jsonl');
  const server = await spawnAndWait(
    process.execPath,
    [
      '--import',
      REPORTER,
      CLI,
      'serve',
      '--port',
      '0',
      '--log-level',
      'silent',
      '--data-dir',
      join(dir, 'data'),
      ...(options.databaseUrl ? ['--database-url', options.databaseUrl] : []),
      ...(options.demo ? ['--demo'] : []),
    ],
    /is running at (http:\/\/\S+)/,
    {
      // One token stands for the many pipelines and people a real load comes from: the
      // limiter still counts every request, at a limit no run reaches.
      GATEHOUSE_RATE_LIMIT: String(BENCH_RATE_LIMIT),
      BENCH_MEMORY_REPORT: memoryFile,
      BENCH_MEMORY_INTERVAL_MS: String(options.memoryIntervalMs ?? 5000),
    },
  );
  try {
    const setup = {
      url: server.match[1]!,
      adminToken: readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim(),
      ...(options.weights ? { weights: options.weights } : {}),
    };
    const mix = await prepareMix(setup);
    let warmUp: LoadReport | null = null;
    if (options.warmUpMs) {
      warmUp = await runOpenLoop({
        baseUrl: setup.url,
        rate: options.rate,
        durationMs: options.warmUpMs,
        windowMs: options.warmUpMs,
        next: () => mix.next(),
      });
      log(
        `  warm-up, ${warmUp.seconds} s (latency not judged): ${warmUp.sent} requests   unexpected ${unexpectedAnswers(warmUp.total)}`,
      );
      for (const line of formatKinds(warmUp.total)) log(line);
    }
    const pid = server.child.pid!;
    const flushesAtStart = await scrapeFlushes(setup.url, setup.adminToken);
    const cpuAtStart = cpuMicros(pid);
    let cpuBefore = cpuAtStart;
    const windowCpu: (number | null)[] = [];
    const loadStart = Date.now();
    const load = await runOpenLoop({
      baseUrl: setup.url,
      rate: options.rate,
      durationMs: options.durationMs,
      windowMs: options.windowMs,
      next: () => mix.next(),
      onWindow: (window) => {
        const cpuNow = cpuMicros(pid);
        const requests = Object.values(window.kinds).reduce((sum, k) => sum + k.requests, 0);
        const cpu =
          cpuNow !== null && cpuBefore !== null && requests > 0
            ? (cpuNow - cpuBefore) / 1000 / requests
            : null;
        windowCpu.push(cpu);
        cpuBefore = cpuNow;
        log(
          formatWindow(
            window,
            memoryBetween(
              readMemorySamples(memoryFile),
              loadStart + window.from * 1000,
              loadStart + window.from * 1000 + options.windowMs,
            ),
            cpu,
          ),
        );
      },
    });
    const cpuAtEnd = cpuMicros(pid);
    const flushesAtEnd = await scrapeFlushes(setup.url, setup.adminToken);
    const flushes =
      flushesAtStart && flushesAtEnd
        ? {
            count: flushesAtEnd.count - flushesAtStart.count,
            over100ms: flushesAtEnd.over100ms - flushesAtStart.over100ms,
            over250ms: flushesAtEnd.over250ms - flushesAtStart.over250ms,
          }
        : null;
    if (flushes)
      log(
        `  store flushes (fdatasync of the SQLite WAL, each awaited by a batch of writes): ${flushes.count}, over 100 ms ${flushes.over100ms}, over 250 ms ${flushes.over250ms}`,
      );
    const writes = await verifyWrites(setup, mix, options.verifyLimit);
    const memory = readMemorySamples(memoryFile);
    const windowMemory = load.windows.map((w) =>
      memoryBetween(
        memory,
        loadStart + w.from * 1000,
        loadStart + w.from * 1000 + options.windowMs,
      ),
    );
    // Warm-up: the first two minutes of a long run (JIT, caches, pools filling) are not
    // growth; a run too short for that is fitted from its second half.
    const minutes = options.durationMs / 60_000;
    const growth = memoryGrowth(memory, loadStart, minutes >= 4 ? 2 : minutes / 2);
    const cpuMsPerRequest =
      cpuAtStart !== null && cpuAtEnd !== null && load.sent > 0
        ? Math.round(((cpuAtEnd - cpuAtStart) / 1000 / load.sent) * 100) / 100
        : null;
    return {
      engine: options.engine,
      warmUp,
      load,
      memory,
      windowMemory,
      windowCpu,
      cpuMsPerRequest,
      growth,
      writes,
      flushes,
    };
  } finally {
    await stop(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The flush histogram's totals from the server's /metrics; null where there is none. */
async function scrapeFlushes(url: string, token: string): Promise<FlushCounts | null> {
  const response = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
  const text = await response.text();
  const value = (series: string) => {
    const line = text.split('\n').find((row) => row.startsWith(`${series} `));
    return line === undefined ? null : Number(line.slice(series.length + 1));
  };
  const count = value('gatehouse_sqlite_flush_seconds_count');
  const upTo100 = value('gatehouse_sqlite_flush_seconds_bucket{le="0.1"}');
  const upTo250 = value('gatehouse_sqlite_flush_seconds_bucket{le="0.25"}');
  if (count === null || upTo100 === null || upTo250 === null) return null;
  return { count, over100ms: count - upTo100, over250ms: count - upTo250 };
}

/** Requests that did not get the answer they expected, or no answer at all. */
export function unexpectedAnswers(figures: Record<string, KindFigures>): number {
  return Object.values(figures).reduce((sum, k) => sum + k.unexpected, 0);
}

/** Answers with a 5xx status or none (status 0: refused, reset, timed out). */
export function serverFailures(figures: Record<string, KindFigures>): number {
  return Object.values(figures).reduce(
    (sum, k) =>
      sum +
      Object.entries(k.non2xx)
        .filter(([status]) => status === '0' || status.startsWith('5'))
        .reduce((s, [, count]) => s + count, 0),
    0,
  );
}

export function formatKinds(kinds: Record<string, KindFigures>, indent = '    '): string[] {
  return Object.entries(kinds).map(([kind, k]) => {
    const non2xx = Object.entries(k.non2xx)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    return `${indent}${kind.padEnd(15)} ${String(k.requests).padStart(7)} req   p50 ${k.p50.toFixed(1).padStart(6)} ms   p99 ${k.p99.toFixed(1).padStart(6)} ms   max ${k.max.toFixed(0).padStart(5)} ms${non2xx ? `   non-2xx ${non2xx}` : ''}${k.unexpected ? `   UNEXPECTED ${k.unexpected}` : ''}`;
  });
}

function formatWindow(
  window: WindowFigures,
  memory: MemoryMeans | null,
  cpuMsPerRequest: number | null,
): string {
  const requests = Object.values(window.kinds).reduce((sum, k) => sum + k.requests, 0);
  const mem = memory
    ? `heap ${memory.heapMb} MB   RSS ${memory.rssMb} MB${memory.anonMb === undefined ? '' : ` (anonymous ${memory.anonMb} MB)`}`
    : 'no memory sample';
  const cpu = cpuMsPerRequest === null ? '' : `   server CPU ${cpuMsPerRequest.toFixed(2)} ms/req`;
  return [
    `  from ${String(window.from).padStart(4)} s: ${requests} requests   unexpected ${unexpectedAnswers(window.kinds)}   ${mem}${cpu}`,
    ...formatKinds(window.kinds),
  ].join('\n');
}
