/** Starting servers in their own processes and measuring them with autocannon. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** Gatehouse's built server and the bare route, both running, for one scenario. */
export interface ServersBeside {
  gatehouse: { child: ChildProcess; url: string };
  bare: { child: ChildProcess; url: string };
  /** The first-start admin token's headers, for JSON requests. */
  headers: { authorization: string; 'content-type': string };
}

/**
 * Runs `use` with Gatehouse's built server (on a scratch data directory, SQLite unless
 * `databaseUrl`) and the bare route beside it, each in its own process. Whatever happens,
 * including either failing to start, every process started is stopped and the directory
 * removed.
 */
export async function withGatehouseBesideBare<T>(
  databaseUrl: string | undefined,
  use: (servers: ServersBeside) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  const args = [CLI, 'serve', '--port', '0', '--log-level', 'silent', '--data-dir', dir];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  let gatehouse: ChildProcess | undefined;
  let bare: ChildProcess | undefined;
  try {
    // One token at full speed: the limiter still counts every request (its cost is in the
    // figures) but at a limit no run reaches; GATEHOUSE_RATE_LIMIT=0 measures without it.
    const started = await spawnAndWait(process.execPath, args, /is running at (http:\/\/\S+)/, {
      GATEHOUSE_RATE_LIMIT: process.env.GATEHOUSE_RATE_LIMIT ?? String(BENCH_RATE_LIMIT),
    });
    gatehouse = started.child;
    const yardstick = await startBareServer();
    bare = yardstick.child;
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    return await use({
      gatehouse: { child: gatehouse, url: started.match[1]! },
      bare: yardstick,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  } finally {
    if (gatehouse) await stop(gatehouse);
    if (bare) await stop(bare);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The yardstick: a bare Fastify route in its own process (bare-server.ts). */
export function startBareServer(): Promise<{ child: ChildProcess; url: string }> {
  const script = fileURLToPath(new URL('./bare-server.ts', import.meta.url));
  return spawnAndWait(process.execPath, ['--import', 'tsx', script], /listening (\d+)/).then(
    ({ child, match }) => ({ child, url: `http://127.0.0.1:${match[1]}/bare` }),
  );
}

/** The element whose key is the median (the lower middle one for an even count). */
export function medianBy<T>(items: T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

export interface Measured {
  requestsPerSecond: number;
  /** Server CPU time per request (user + system), when the server's pid is known. */
  cpuMicrosPerRequest: number | null;
  /**
   * The load generator's own CPU time per request (autocannon runs in this process). On
   * a machine with few cores it competes with the server, so it belongs beside it.
   */
  loadCpuMicrosPerRequest: number | null;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  total: number;
}

/** CPU time a process has used, in microseconds, from /proc (Linux). */
export function cpuMicros(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return null;
  }
}

export async function measure(options: autocannon.Options, serverPid?: number): Promise<Measured> {
  const before = serverPid ? cpuMicros(serverPid) : null;
  const loadBefore = process.cpuUsage();
  const result = await autocannon({ connections: 50, duration: 8, pipelining: 1, ...options });
  const load = process.cpuUsage(loadBefore);
  const after = serverPid ? cpuMicros(serverPid) : null;
  return {
    cpuMicrosPerRequest:
      before !== null && after !== null && result.requests.total > 0
        ? (after - before) / result.requests.total
        : null,
    loadCpuMicrosPerRequest:
      result.requests.total > 0 ? (load.user + load.system) / result.requests.total : null,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    total: result.requests.total,
  };
}

export function spawnAndWait(
  command: string,
  args: string[],
  pattern: RegExp,
  env: Record<string, string> = {},
): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = pattern.exec(output);
      if (match) resolve({ child, match });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${output}`)),
    );
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

export function formatRow(name: string, m: Measured): string {
  const cpu =
    (m.cpuMicrosPerRequest === null
      ? ''
      : `   server CPU ${m.cpuMicrosPerRequest.toFixed(0).padStart(4)} µs/req`) +
    (m.cpuMicrosPerRequest === null || m.loadCpuMicrosPerRequest === null
      ? ''
      : `, load generator ${m.loadCpuMicrosPerRequest.toFixed(0).padStart(4)}`);
  return `${name.padEnd(34)} ${m.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(m.p50).padStart(4)} ms   p99 ${String(m.p99).padStart(4)} ms${cpu}   errors ${m.errors + m.non2xx}`;
}

/** A per-minute rate limit no benchmark run reaches, so the limiter is measured, not met. */
export const BENCH_RATE_LIMIT = 1_000_000_000;
