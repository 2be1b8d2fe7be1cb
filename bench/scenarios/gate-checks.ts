/**
 * Gate checks over HTTP under concurrent load: a release with test, coverage and
 * vulnerability evidence and a verified pre-prod, checked for production by 200
 * connections at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BENCH_RATE_LIMIT,
  formatRow,
  measure,
  spawnAndWait,
  stop,
  type Measured,
} from '../support.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const FIXTURES = new URL('../../test/fixtures/evidence/', import.meta.url);

const catalog = {
  teams: [{ name: 'payments' }, { name: 'platform' }],
  services: [
    {
      name: 'auth',
      team: 'platform',
      tier: 1,
      customerFacing: false,
      dataSensitivity: 'restricted',
    },
    {
      name: 'payments-api',
      team: 'payments',
      tier: 2,
      customerFacing: true,
      dataSensitivity: 'confidential',
      dependsOn: ['auth'],
    },
  ],
  environments: [
    { name: 'sit', position: 1 },
    { name: 'pre-prod', position: 2 },
    { name: 'prod', position: 3, production: true },
  ],
};

export async function gateChecks(
  engine: 'sqlite' | 'postgres',
  databaseUrl: string | undefined,
  log: (line: string) => void,
): Promise<Measured & { verdict: string; baseline: Measured }> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-gates-'));
  const args = [
    CLI,
    'serve',
    '--port',
    '0',
    '--log-level',
    'silent',
    '--data-dir',
    dir,
    ...(databaseUrl ? ['--database-url', databaseUrl] : []),
  ];
  // One token at full speed: the limiter still counts every request (its cost is in the
  // figures) but at a limit no run reaches; GATEHOUSE_RATE_LIMIT=0 measures without it.
  const gatehouse = await spawnAndWait(process.execPath, args, /is running at (http:\/\/\S+)/, {
    GATEHOUSE_RATE_LIMIT: process.env.GATEHOUSE_RATE_LIMIT ?? String(BENCH_RATE_LIMIT),
  });
  try {
    const url = gatehouse.match[1]!;
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const post = (path: string, body: unknown) =>
      fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    await post('/catalog/apply', catalog);
    const release = (await (
      await post('/releases', {
        title: 'Payments API 2.4',
        version: '2.4.0',
        classification: 'minor',
        services: [{ service: 'payments-api', version: '2.4.0' }],
        rollbackPlan: 'Redeploy 2.3.9',
      })
    ).json()) as { key: string };
    for (const [type, file] of [
      ['junit', 'node-test.junit.xml'],
      ['lcov', 'node-test.lcov'],
      ['cyclonedx', 'gatehouse.cdx.json'],
      ['sarif', 'eslint.sarif'],
    ])
      await fetch(`${url}/releases/${release.key}/evidence?type=${type}`, {
        method: 'POST',
        headers: {
          authorization: headers.authorization,
          'content-type': 'application/octet-stream',
        },
        body: readFileSync(new URL(file!, FIXTURES)),
      });
    await post(`/releases/${release.key}/deployments`, {
      service: 'payments-api',
      environment: 'pre-prod',
      status: 'succeeded',
    });
    const path = `/releases/${release.key}/gates/prod`;
    const verdict = ((await (await fetch(url + path, { headers })).json()) as { verdict: string })
      .verdict;
    // Warm-up, not counted: the first seconds compile the gate's code paths.
    await measure({ url: url + path, headers, connections: 200, duration: 2 });
    // A plain release read under the same load, measured in the same run on the same
    // (possibly shared) machine, so the gate's own cost can be told from the machine's.
    const baseline = await measure(
      { url: `${url}/releases/${release.key}`, headers, connections: 200, duration: 8 },
      gatehouse.child.pid,
    );
    log(formatRow(`read release, 200 concurrent (${engine})`, baseline));
    const result = await measure(
      { url: url + path, headers, connections: 200, duration: 8 },
      gatehouse.child.pid,
    );
    log(
      `${formatRow(`gate check, 200 concurrent (${engine})`, result)}   verdict ${verdict}${engine === 'sqlite' ? '   (target p99 < 20 ms)' : ''}`,
    );
    return { ...result, verdict, baseline };
  } finally {
    await stop(gatehouse.child);
    rmSync(dir, { recursive: true, force: true });
  }
}
