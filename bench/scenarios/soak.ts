/**
 * Sustained mixed load (issue 11): the demo organisation on a server process, a fixed
 * rate of gate checks, CDEvents, release reads and writes for SOAK_MINUTES (default 10)
 * per engine, the server's heap and RSS sampled every 5 s. Prints per minute: requests,
 * p50/p99 and non-2xx by kind, heap and RSS; then the verdict: memory growth after
 * warm-up (least-squares slope) and whether the latency targets held in every minute.
 * Targets and thresholds, and why: docs/reliability.md, "Sustained load".
 */
import type { KindFigures } from '../load/generator.js';
import {
  formatKinds,
  runSustainedLoad,
  serverFailures,
  unexpectedAnswers,
  type SustainedLoad,
} from '../load/sustained-load.js';

/** p99 ceilings per kind of request, held in every minute of the run. */
export const SOAK_TARGETS: Record<string, number> = {
  'gate check': 20,
  'release read': 50,
  'release list': 50,
  event: 100,
  'release create': 100,
  transition: 100,
  approval: 100,
};
/**
 * Growth after warm-up above these is a leak to chase (MB per minute). The RSS limit
 * applies to anonymous RSS where the machine reports it (docs/reliability.md).
 */
export const HEAP_SLOPE_LIMIT = 1;
export const RSS_SLOPE_LIMIT = 2;

export interface SoakResult extends Omit<SustainedLoad, 'memory'> {
  rate: number;
  minutes: number;
  targetsHeld: boolean;
  /** Minutes in which a kind's p99 was over its target, as "minute: kind p99". */
  missedTargets: string[];
  memoryHeld: boolean;
}

function missed(kinds: Record<string, KindFigures>, label: string): string[] {
  return Object.entries(kinds)
    .filter(([kind, k]) => SOAK_TARGETS[kind] !== undefined && k.p99 > SOAK_TARGETS[kind]!)
    .map(([kind, k]) => `${label}: ${kind} p99 ${k.p99} ms > ${SOAK_TARGETS[kind]} ms`);
}

export async function soak(
  engine: 'sqlite' | 'postgres',
  databaseUrl: string | undefined,
  log: (line: string) => void,
): Promise<SoakResult> {
  const minutes = Number(process.env.SOAK_MINUTES ?? 10);
  const rate = Number(process.env.SOAK_RATE ?? 100);
  const warmUpSeconds = Number(process.env.SOAK_WARMUP_SECONDS ?? 60);
  log(
    `-- ${engine}: ${rate} req/s offered for ${minutes} min after ${warmUpSeconds} s of warm-up, demo organisation loaded --`,
  );
  const run = await runSustainedLoad({
    engine,
    ...(databaseUrl ? { databaseUrl } : {}),
    durationMs: minutes * 60_000,
    warmUpMs: warmUpSeconds * 1000,
    rate,
    windowMs: 60_000,
    demo: true,
    verifyLimit: 2000,
    log,
  });
  const { load, warmUp, growth, writes } = run;
  // The last window holds only the answers still outstanding when the rate stopped.
  const fullWindows = load.windows.slice(0, Math.floor(minutes));
  const missedTargets = fullWindows.flatMap((w, i) => missed(w.kinds, `minute ${i + 1}`));
  const failures = serverFailures(load.total) + (warmUp ? serverFailures(warmUp.total) : 0);
  const unexpected = unexpectedAnswers(load.total) + (warmUp ? unexpectedAnswers(warmUp.total) : 0);
  const residentSlope = growth ? (growth.anonSlopeMbPerMin ?? growth.rssSlopeMbPerMin) : null;
  const memoryHeld =
    growth !== null &&
    growth.heapSlopeMbPerMin < HEAP_SLOPE_LIMIT &&
    residentSlope !== null &&
    residentSlope < RSS_SLOPE_LIMIT;
  const targetsHeld =
    missedTargets.length === 0 && failures === 0 && unexpected === 0 && load.notSent === 0;

  log(`  whole run (${engine}), ${load.sent} requests sent, ${load.notSent} not sent:`);
  for (const line of formatKinds(load.total)) log(line);
  log(
    `  server CPU ${run.cpuMsPerRequest ?? '?'} ms per request; 5xx or no answer ${failures}; unexpected answers ${unexpected}`,
  );
  for (const sample of load.unexpectedSamples) log(`    ${sample}`);
  log(
    growth
      ? `  memory from minute ${growth.fromMinute}: heap ${growth.heapStartMb} → ${growth.heapEndMb} MB, slope ${growth.heapSlopeMbPerMin} MB/min (limit ${HEAP_SLOPE_LIMIT}); RSS ${growth.rssStartMb} → ${growth.rssEndMb} MB, slope ${growth.rssSlopeMbPerMin} MB/min${growth.anonSlopeMbPerMin === null ? ` (limit ${RSS_SLOPE_LIMIT})` : `, of it anonymous ${growth.anonStartMb} → ${growth.anonEndMb} MB, slope ${growth.anonSlopeMbPerMin} MB/min (limit ${RSS_SLOPE_LIMIT})`}: ${memoryHeld ? 'no growth' : 'GROWTH'}`
      : '  memory: too few samples after warm-up to judge',
  );
  log(
    `  writes read back: ${writes.releasesChecked} releases, ${writes.approvalsChecked} approvals, ${writes.eventsChecked} events; lost ${writes.lost.length}`,
  );
  for (const lost of writes.lost.slice(0, 10)) log(`    LOST ${lost}`);
  log(
    `  latency targets (p99 per minute: gate 20 ms, reads 50 ms, writes 100 ms; nothing failed or left unsent): ${targetsHeld ? 'held' : `NOT HELD (${missedTargets.length} kind-minutes over)`}`,
  );
  for (const line of missedTargets.slice(0, 12)) log(`    ${line}`);
  const { memory: _samples, ...rest } = run;
  return { ...rest, rate, minutes, targetsHeld, missedTargets, memoryHeld };
}
