/**
 * A small history in the quarter now running (and a little in the one before), recorded
 * through the API, for the defect-density and quarterly-report suites. Instants are
 * fractions of the time the quarter has run so far, so the history is the same shape
 * whatever day the tests run on. Two people are seeded whose names must never reach an
 * anonymised report.
 */
import assert from 'node:assert/strict';
import { quarterOf, previousQuarter } from '../../src/domain/report/quarter.js';
import { releaseBody, TEST_CATALOG } from './server.js';

export type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: any }>;

export const PEOPLE = {
  zelda: {
    name: 'zelda',
    displayName: 'Zelda Marchetti',
    email: 'zelda.marchetti@example.org',
    team: 'payments',
    roles: ['release-manager'],
  },
  oskar: {
    name: 'oskar',
    displayName: 'Oskar Lindqvist',
    email: 'oskar@example.org',
    roles: ['deployer'],
  },
} as const;

export interface QuarterHistory {
  quarter: string;
  previousQuarter: string;
  nextQuarter: string;
  since: string;
  /** Now, when the history was recorded: the end of the quarter's data so far. */
  asOf: string;
  review: string;
}

export async function recordQuarterHistory(call: Call): Promise<QuarterHistory> {
  const ok = async (method: string, path: string, body?: unknown) => {
    const response = await call(method, path, body);
    assert.ok(response.status < 300, `${method} ${path}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const nowMs = Date.now();
  const quarter = quarterOf(new Date(nowMs));
  const before = previousQuarter(quarter);
  const startMs = Date.parse(quarter.since);
  const span = nowMs - startMs;
  const at = (fraction: number) => new Date(startMs + span * fraction).toISOString();

  await ok('POST', '/catalog/apply', TEST_CATALOG);
  for (const person of Object.values(PEOPLE)) await ok('POST', '/users', person);

  const deploy = async (
    release: string,
    service: string,
    startedAt: string,
    finishedAt: string,
    status = 'succeeded',
  ) =>
    (
      await ok('POST', `/releases/${release}/deployments`, {
        service,
        environment: 'prod',
        region: 'eu-west',
        status,
        startedAt,
        finishedAt,
        historyImport: 'quarterly report fixture',
      })
    ).id as string;
  const raise = async (services: string[], team: string, classification = 'minor') =>
    (
      await ok(
        'POST',
        '/releases',
        releaseBody({
          team,
          classification,
          title: `Change to ${services.join(' and ')}`,
          services: services.map((service) => ({ service, version: '4.2.0' })),
        }),
      )
    ).key as string;
  const incident = (service: string, from: number, to: number | null, causedBy: string[]) =>
    ok('POST', '/incidents', {
      title: `Errors on ${service}`,
      severity: 2,
      service,
      startedAt: at(from),
      detectedAt: at(from + 0.01),
      ...(to === null ? {} : { resolvedAt: at(to) }),
      ...(causedBy.length ? { causedBy } : {}),
    });

  // This quarter: four releases delivered, one failed deployment, three linked incidents.
  const r1 = await raise(['payments-api', 'ledger'], 'payments');
  const r1api = await deploy(r1, 'payments-api', at(0.1), at(0.11));
  const r1ledger = await deploy(r1, 'ledger', at(0.1), at(0.11));
  const r2 = await raise(['payments-api'], 'payments');
  await deploy(r2, 'payments-api', at(0.3), at(0.31));
  const r3 = await raise(['auth'], 'platform');
  const r3auth = await deploy(r3, 'auth', at(0.5), at(0.51));
  const r4 = await raise(['auth'], 'platform');
  await deploy(r4, 'auth', at(0.6), at(0.61), 'failed');
  const r5 = await raise(['payments-api'], 'payments');
  await deploy(r5, 'payments-api', at(0.8), at(0.81));
  await incident('payments-api', 0.12, 0.15, [r1api]);
  await incident('ledger', 0.13, 0.14, [r1ledger]);
  await incident('auth', 0.52, 0.53, [r3auth]);
  await incident('payments-api', 0.85, null, []);

  // The quarter before: two releases delivered, no incident.
  for (const days of [10, 40]) {
    const key = await raise(['payments-api'], 'payments');
    const start = new Date(Date.parse(before.since) + days * 86_400_000).toISOString();
    const end = new Date(Date.parse(start) + 20 * 60_000).toISOString();
    await deploy(key, 'payments-api', start, end);
  }

  // A rolled-back major release: policy opens a review; it closes naming two factors,
  // with two action items already overdue, one of them naming its owner in its title.
  const r6 = await raise(['auth'], 'platform', 'major');
  for (const to of ['prepare', 'test', 'approve', 'deploy'])
    await ok('POST', `/releases/${r6}/transitions`, { to });
  await deploy(r6, 'auth', at(0.9), at(0.91), 'rolled-back');
  await ok('POST', `/releases/${r6}/transitions`, {
    to: 'rolled-back',
    reason: 'logins failed in one region',
  });
  const review = (await ok('GET', `/reviews/${r6}`)).key as string;
  await ok('PATCH', `/reviews/${review}/sections`, {
    sections: {
      summary: 'Token signing keys rotated in one region only.',
      impact: 'Logins failed in us-east.',
      detection: 'Synthetic login checks.',
      response: 'Rolled back.',
      'went-wrong': 'Key rotation config drifted between regions.',
      lessons: 'Rotate keys from one source of truth.',
    },
  });
  await ok('POST', `/reviews/${review}/factors`, { factor: 'configuration-drift' });
  await ok('POST', `/reviews/${review}/factors`, { factor: 'test-gap' });
  const due = new Date(nowMs - 3 * 86_400_000).toISOString();
  await ok('POST', `/reviews/${review}/action-items`, {
    title:
      'Zelda Marchetti to move signing keys to the secrets manager (ask zelda.marchetti@example.org)',
    owner: 'zelda',
    dueAt: due,
  });
  await ok('POST', `/reviews/${review}/action-items`, {
    title: 'Alert on key rotation drift <b>per region</b> | both',
    owner: 'oskar',
    dueAt: due,
  });
  await ok('POST', `/reviews/${review}/close`);

  return {
    quarter: quarter.label,
    previousQuarter: before.label,
    nextQuarter: quarterOf(new Date(Date.parse(quarter.until) + 86_400_000)).label,
    since: quarter.since,
    asOf: new Date(nowMs).toISOString(),
    review,
  };
}
