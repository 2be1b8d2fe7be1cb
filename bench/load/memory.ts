/**
 * The server's memory over a load run, from the samples `memory-reporter.mjs` wrote
 * inside it: per-window means, and the growth after warm-up as the slope of a
 * least-squares line (MB per minute). A slope rather than "last minus first" because the
 * heap saw-tooths with every garbage collection: one sample taken just before a major GC
 * and one just after would show growth or shrinkage that is not there.
 */
import { readFileSync } from 'node:fs';
import { linearRegression } from 'simple-statistics';

export interface MemorySample {
  at: number;
  rss: number;
  /** RSS split into anonymous and file-backed pages (Linux only). */
  rssAnon?: number;
  rssFile?: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryGrowth {
  samples: number;
  /** Minutes after the load started from which the slope is fitted. */
  fromMinute: number;
  heapSlopeMbPerMin: number;
  rssSlopeMbPerMin: number;
  /**
   * The slope of anonymous RSS, the process's own memory; null where the samples lack it.
   * File-backed pages (code, the database file SQLite's reader maps) follow the
   * database's size and the kernel reclaims them at will.
   */
  anonSlopeMbPerMin: number | null;
  heapStartMb: number;
  heapEndMb: number;
  rssStartMb: number;
  rssEndMb: number;
  anonStartMb: number | null;
  anonEndMb: number | null;
}

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

export function readMemorySamples(file: string): MemorySample[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MemorySample);
}

export interface MemoryMeans {
  heapMb: number;
  rssMb: number;
  /** Anonymous RSS, when the samples have it. */
  anonMb?: number;
}

/** Mean heap used and RSS (MB) of the samples taken between two instants. */
export function memoryBetween(
  samples: MemorySample[],
  from: number,
  to: number,
): MemoryMeans | null {
  const inside = samples.filter((s) => s.at >= from && s.at < to);
  if (inside.length === 0) return null;
  const mean = (pick: (s: MemorySample) => number) =>
    mb(inside.reduce((sum, s) => sum + pick(s), 0) / inside.length);
  return {
    heapMb: mean((s) => s.heapUsed),
    rssMb: mean((s) => s.rss),
    ...(inside.every((s) => s.rssAnon !== undefined) ? { anonMb: mean((s) => s.rssAnon!) } : {}),
  };
}

/** Growth of heap used and RSS from `fromMinute` after `loadStart` to the last sample. */
export function memoryGrowth(
  samples: MemorySample[],
  loadStart: number,
  fromMinute: number,
): MemoryGrowth | null {
  const after = samples.filter((s) => s.at >= loadStart + fromMinute * 60_000);
  if (after.length < 3) return null;
  const slope = (pick: (s: MemorySample) => number) =>
    Math.round(
      linearRegression(after.map((s) => [(s.at - loadStart) / 60_000, pick(s) / MB])).m * 100,
    ) / 100;
  const first = after[0]!;
  const last = after[after.length - 1]!;
  const anon = after.every((s) => s.rssAnon !== undefined);
  return {
    samples: after.length,
    fromMinute,
    heapSlopeMbPerMin: slope((s) => s.heapUsed),
    rssSlopeMbPerMin: slope((s) => s.rss),
    anonSlopeMbPerMin: anon ? slope((s) => s.rssAnon!) : null,
    heapStartMb: mb(first.heapUsed),
    heapEndMb: mb(last.heapUsed),
    rssStartMb: mb(first.rss),
    rssEndMb: mb(last.rss),
    anonStartMb: anon ? mb(first.rssAnon!) : null,
    anonEndMb: anon ? mb(last.rssAnon!) : null,
  };
}
