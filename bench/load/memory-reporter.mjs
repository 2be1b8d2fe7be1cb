// Preloaded into a server process under load (`node --import ./bench/load/memory-reporter.mjs
// dist/cli/main.js serve ...`): appends the process's own memory figures as one JSON line
// to the file named by BENCH_MEMORY_REPORT every BENCH_MEMORY_INTERVAL_MS (default 5 s).
// It lives outside the product so the product needs no debug route, and it runs inside the
// server so the figures are the server's alone, not the load generator's.
// On Linux it also splits RSS into anonymous memory (the process's own: heaps, native
// allocations, SQLite's page cache) and file-backed pages (code, and the database file
// SQLite's reader maps), from /proc/self/status.
import { appendFileSync, readFileSync } from 'node:fs';
import { setInterval } from 'node:timers';

const file = process.env.BENCH_MEMORY_REPORT;
const interval = Number(process.env.BENCH_MEMORY_INTERVAL_MS ?? 5000);

/** RssAnon and RssFile in bytes, or nothing where /proc is not there. */
function residentParts() {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rssAnon = kb('RssAnon') * 1024;
    const rssFile = kb('RssFile') * 1024;
    return Number.isFinite(rssAnon) && Number.isFinite(rssFile) ? { rssAnon, rssFile } : {};
  } catch {
    return {};
  }
}

if (file) {
  const sample = () => {
    const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    const line = {
      at: Date.now(),
      rss,
      ...residentParts(),
      heapUsed,
      heapTotal,
      external,
      arrayBuffers,
    };
    appendFileSync(file, JSON.stringify(line) + '\n');
  };
  sample();
  setInterval(sample, interval).unref();
}
