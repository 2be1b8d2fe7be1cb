/**
 * Parses one evidence file from disk in a fresh process and prints the time taken and
 * the peak memory, so the figure is the parser's alone.
 * Usage: node --import tsx bench/parse-evidence.ts TYPE FILE
 */
import { createReadStream } from 'node:fs';
import { isReportType } from '../src/domain/evidence.js';
import { parseEvidence } from '../src/integrations/evidence/index.js';

const [type, file] = process.argv.slice(2);
if (!type || !file || !isReportType(type)) throw new Error('usage: parse-evidence.ts TYPE FILE');
const baseline = process.memoryUsage().rss;
let peakHeap = 0;
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
}, 5);
const started = performance.now();
const facts = await parseEvidence(type, createReadStream(file, { highWaterMark: 64 * 1024 }));
const ms = performance.now() - started;
clearInterval(sampler);
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
process.stdout.write(
  JSON.stringify({
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    rssGrowthMiB: (process.resourceUsage().maxRSS * 1024 - baseline) / 2 ** 20,
    peakHeapMiB: peakHeap / 2 ** 20,
    facts: {
      kind: facts.kind,
      total: 'tests' in facts ? facts.tests : 'total' in facts ? facts.total : 0,
    },
  }) + '\n',
);
