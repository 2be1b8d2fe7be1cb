/**
 * Create-release and read-release throughput over HTTP on loopback, beside a bare
 * Fastify route measured in the same run on the same machine.
 */
import {
  formatRow,
  measure,
  medianBy,
  withGatehouseBesideBare,
  type Measured,
} from '../support.js';

const catalog = {
  teams: [{ name: 'payments' }],
  services: [
    {
      name: 'payments-api',
      team: 'payments',
      tier: 2,
      customerFacing: true,
      dataSensitivity: 'confidential',
    },
  ],
  environments: [
    { name: 'sit', position: 1 },
    { name: 'prod', position: 2, production: true },
  ],
};

const release = JSON.stringify({
  title: 'Payments API 2.4',
  version: '2.4.0',
  classification: 'minor',
  services: [{ service: 'payments-api', version: '2.4.0' }],
  scope: {
    features: ['Apple Pay'],
    fixes: ['Rounding of refunds'],
    workItems: ['PAY-101'],
    commits: ['a1b2c3d'],
  },
  justification: 'Customers asked for Apple Pay',
  rollbackPlan: 'Redeploy 2.3.9',
});

/** Paired bare / read rounds (BENCH_API_ROUNDS, default 5). */
const ROUNDS = Math.max(1, Number(process.env.BENCH_API_ROUNDS ?? 5));

export interface ApiThroughput {
  engine: string;
  bare: Measured;
  read: Measured;
  create: Measured;
  readRatio: number;
}

export async function apiThroughput(
  engine: 'sqlite' | 'postgres',
  databaseUrl: string | undefined,
  log: (line: string) => void,
): Promise<ApiThroughput> {
  return withGatehouseBesideBare(databaseUrl, async ({ gatehouse, bare, headers }) => {
    const url = gatehouse.url;
    await fetch(`${url}/catalog/apply`, { method: 'POST', headers, body: JSON.stringify(catalog) });
    const created = (await (
      await fetch(`${url}/releases`, { method: 'POST', headers, body: release })
    ).json()) as { key: string };

    // The machine is a VM whose speed drifts by a fifth from one minute to the next, so the
    // two are measured in turns, after a warm-up of each, and the ratio is the median of
    // the rounds' ratios: a drift then moves both sides of a round, not one side only.
    const bareTarget = { url: bare.url };
    const readTarget = { url: `${url}/releases/${created.key}`, headers };
    await measure({ ...bareTarget, duration: 2 });
    await measure({ ...readTarget, duration: 2 });
    const rounds: Array<{ bare: Measured; read: Measured }> = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const bareRound = await measure({ ...bareTarget, duration: 5 }, bare.child.pid);
      const readRound = await measure({ ...readTarget, duration: 5 }, gatehouse.child.pid);
      log(formatRow(`bare Fastify route (round ${round})`, bareRound));
      log(formatRow(`read release, ${engine} (round ${round})`, readRound));
      rounds.push({ bare: bareRound, read: readRound });
    }
    const middle = medianBy(rounds, (r) => r.read.requestsPerSecond / r.bare.requestsPerSecond);
    const bareResult = middle.bare;
    const read = middle.read;
    const create = await measure({
      url: `${url}/releases`,
      method: 'POST',
      headers,
      body: release,
    });
    log(formatRow(`create release (${engine})`, create));
    const readRatio = read.requestsPerSecond / bareResult.requestsPerSecond;
    log(
      `read / bare ratio (${engine}), median of ${ROUNDS} rounds: ${(readRatio * 100).toFixed(0)} % (target ≥ 50 %; rounds ${rounds.map((r) => ((r.read.requestsPerSecond / r.bare.requestsPerSecond) * 100).toFixed(0)).join(', ')} %); creates: ${create.requestsPerSecond.toFixed(0)}/s${engine === 'sqlite' ? ' (target ≥ 1,000/s)' : ''}`,
    );
    if (bareResult.cpuMicrosPerRequest && read.cpuMicrosPerRequest) {
      // Throughput on a shared 2-core machine moves with whatever else runs; CPU per
      // request does much less, so the same ratio is also given in CPU terms.
      log(
        `read / bare by server CPU per request (${engine}, same round): ${((bareResult.cpuMicrosPerRequest / read.cpuMicrosPerRequest) * 100).toFixed(0)} %`,
      );
    }
    return { engine, bare: bareResult, read, create, readRatio };
  });
}
