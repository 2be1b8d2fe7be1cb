// Preloaded into a server process under load (`node --import ./bench/load/memory-reporter.mjs
// dist/cli/main.js serve ...`): appends the process's own memory figures as one JSON line
// to the file named by BENCH_MEMORY_REPORT every BENCH_MEMORY_INTERVAL_MS (default 5 s).
// It lives outside the product so the product needs no debug route, and it runs inside the
// server so the figures are the server's alone, not the load generator's.
import { appendFileSync } from 'node:fs';
import { setInterval } from 'node:timers';

const file = process.env.BENCH_MEMORY_REPORT;
const interval = Number(process.env.BENCH_MEMORY_INTERVAL_MS ?? 5000);

if (file) {
  const sample = () => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const line = { at: Date.now(), rss, heapUsed, heapTotal, external, arrayBuffers };
    appendFileSync(file, JSON.stringify(line) + '\n');
  };
  sample();
  setInterval(sample, interval).unref();
}
