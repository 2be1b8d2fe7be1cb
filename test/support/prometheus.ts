/**
 * A real Prometheus (Debian's package) for the canary suites, holding series with known
 * values: the samples are written as OpenMetrics, turned into TSDB blocks with
 * `promtool tsdb create-blocks-from openmetrics` (Prometheus's own backfilling) and
 * served by `prometheus` on a free loopback port. Installed with apt when absent; where
 * it cannot be installed the suites are skipped loudly, and with CI=true they fail.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PROMETHEUS = '/usr/bin/prometheus';
const PROMTOOL = '/usr/bin/promtool';

/** Installs Prometheus when missing; returns why it is unavailable, or null. */
export function prometheusUnavailable(): string | null {
  if (existsSync(PROMETHEUS) && existsSync(PROMTOOL)) return null;
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'prometheus']]) {
    const result = spawnSync('apt-get', args, {
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (result.status !== 0) {
      const reason = `apt-get ${args.join(' ')} failed: ${result.stderr || result.error}`;
      if (process.env.CI === 'true')
        throw new Error(`CI=true but Prometheus is missing: ${reason}`);
      console.warn(
        `\n${'!'.repeat(78)}\n!! Prometheus suites SKIPPED: ${reason}\n${'!'.repeat(78)}\n`,
      );
      return reason;
    }
  }
  return existsSync(PROMETHEUS) ? null : `apt installed prometheus but ${PROMETHEUS} is absent`;
}

export interface Series {
  name: string;
  labels: Record<string, string>;
  /** One value per step from `start`. */
  values: number[];
}

export interface RunningPrometheus {
  url: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function openMetrics(series: Series[], start: number, stepSeconds: number): string {
  const lines: string[] = [];
  for (const name of new Set(series.map((s) => s.name))) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of series.filter((x) => x.name === name)) {
      const labels = Object.entries(s.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(',');
      s.values.forEach((value, i) =>
        lines.push(`${name}{${labels}} ${value} ${start + i * stepSeconds}`),
      );
    }
  }
  return `${lines.join('\n')}\n# EOF\n`;
}

/** Prometheus serving `series`, sampled every `stepSeconds` from `start` (Unix seconds). */
export async function startPrometheus(
  series: Series[],
  start: number,
  stepSeconds: number,
): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-prometheus-'));
  writeFileSync(join(dir, 'input.om'), openMetrics(series, start, stepSeconds));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  const blocks = spawnSync(
    PROMTOOL,
    ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'input.om'), join(dir, 'data')],
    { encoding: 'utf8' },
  );
  if (blocks.status !== 0) throw new Error(`promtool failed: ${blocks.stderr}`);
  const port = await freePort();
  const child: ChildProcess = spawn(
    PROMETHEUS,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=30d',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not become ready: ${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
