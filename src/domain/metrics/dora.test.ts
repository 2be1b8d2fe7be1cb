import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  changeFailureBand,
  deploymentFrequencyBand,
  leadTimeBand,
  timeToRestoreBand,
} from './bands.js';
import { quantileSorted } from 'simple-statistics';
import { doraReport } from './dora.js';
import type { DeploymentFact, IncidentFact, MetricFacts, ReleaseFact } from './facts.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
// Two ISO weeks, one month.
const RANGE = { since: '2026-03-02T00:00:00.000Z', until: '2026-03-16T00:00:00.000Z' };

const deployment = (over: Partial<DeploymentFact>): DeploymentFact => ({
  group: 'payments',
  startedAt: '2026-03-02T10:00:00.000Z',
  finishedAt: '2026-03-02T10:30:00.000Z',
  status: 'succeeded',
  releaseCreatedAt: '2026-03-01T10:30:00.000Z',
  causedIncident: false,
  emergency: false,
  ...over,
});
const incident = (over: Partial<IncidentFact>): IncidentFact => ({
  group: 'payments',
  severity: 2,
  startedAt: '2026-03-03T11:00:00.000Z',
  detectedAt: '2026-03-03T11:20:00.000Z',
  resolvedAt: '2026-03-03T12:00:00.000Z',
  ...over,
});
const release = (over: Partial<ReleaseFact>): ReleaseFact => ({
  id: 'r',
  group: 'payments',
  createdAt: '2026-03-03T08:00:00.000Z',
  state: 'closed',
  stateChangedAt: '2026-03-04T00:00:00.000Z',
  emergency: false,
  windowEnd: null,
  deliveredAt: null,
  ...over,
});

const FACTS: MetricFacts = {
  deployments: [
    deployment({}),
    deployment({
      startedAt: '2026-03-03T10:00:00.000Z',
      finishedAt: '2026-03-03T10:10:00.000Z',
      releaseCreatedAt: '2026-03-03T08:10:00.000Z',
      causedIncident: true,
    }),
    deployment({
      startedAt: '2026-03-04T10:00:00.000Z',
      finishedAt: '2026-03-04T10:20:00.000Z',
      status: 'rolled-back',
    }),
    deployment({
      startedAt: '2026-03-09T12:00:00.000Z',
      finishedAt: '2026-03-09T12:05:00.000Z',
      releaseCreatedAt: '2026-03-09T11:05:00.000Z',
      emergency: true,
    }),
    deployment({ startedAt: '2026-03-10T00:00:00.000Z', finishedAt: null, status: 'started' }),
    deployment({ startedAt: '2026-03-20T00:00:00.000Z', finishedAt: '2026-03-20T00:01:00.000Z' }),
    deployment({
      group: 'platform',
      startedAt: '2026-03-05T09:00:00.000Z',
      finishedAt: '2026-03-05T09:01:00.000Z',
      releaseCreatedAt: '2026-03-05T08:01:00.000Z',
    }),
  ],
  incidents: [
    incident({}),
    incident({
      startedAt: '2026-03-05T00:00:00.000Z',
      detectedAt: '2026-03-05T00:40:00.000Z',
      resolvedAt: '2026-03-05T03:00:00.000Z',
    }),
    incident({
      startedAt: '2026-03-12T00:00:00.000Z',
      detectedAt: '2026-03-12T00:10:00.000Z',
      resolvedAt: null,
    }),
    incident({ startedAt: '2026-03-20T00:00:00.000Z', detectedAt: '2026-03-20T00:10:00.000Z' }),
  ],
  releases: [
    release({
      id: 'r1',
      createdAt: '2026-03-01T10:30:00.000Z',
      stateChangedAt: '2026-03-02T11:00:00.000Z',
      windowEnd: '2026-03-02T12:00:00.000Z',
      deliveredAt: '2026-03-02T10:30:00.000Z',
    }),
    release({
      id: 'r2',
      windowEnd: '2026-03-03T09:00:00.000Z',
      deliveredAt: '2026-03-03T10:10:00.000Z',
    }),
    release({
      id: 'r3',
      createdAt: '2026-03-02T08:00:00.000Z',
      state: 'rolled-back',
      stateChangedAt: '2026-03-04T11:00:00.000Z',
    }),
    release({
      id: 'r4',
      createdAt: '2026-03-09T11:05:00.000Z',
      stateChangedAt: '2026-03-09T13:00:00.000Z',
      emergency: true,
    }),
    release({
      id: 'r5',
      createdAt: '2026-03-10T00:00:00.000Z',
      state: 'deploy',
      stateChangedAt: '2026-03-10T00:00:00.000Z',
    }),
  ],
};

test('every metric of one group, by hand', () => {
  const report = doraReport(FACTS, RANGE, 'team', 'week');
  assert.deepEqual(
    report.groups.map((g) => g.group),
    ['payments', 'platform'],
  );
  const payments = report.groups[0]!;
  assert.deepEqual(payments.deploymentFrequency, {
    deployments: 3,
    deploymentDays: 3,
    perDay: 3 / 14,
    medianDeployDaysPerWeek: 1.5,
    band: 'high',
  });
  assert.deepEqual(payments.leadTimeForChanges, {
    changes: 3,
    medianMs: 2 * HOUR,
    p90Ms: 19.6 * HOUR, // interpolated: 2 h + 0.8 × (24 h − 2 h)
    band: 'elite',
  });
  assert.deepEqual(payments.changeFailureRate, {
    deployments: 4,
    failed: 2,
    rate: 0.5,
    band: 'low',
  });
  assert.deepEqual(payments.timeToRestore, {
    incidents: 3,
    resolved: 2,
    medianMs: 120 * MIN,
    band: 'high',
  });
  assert.deepEqual(payments.reworkRate, { deployments: 4, rework: 1, rate: 0.25 });
  assert.deepEqual(payments.releaseSuccessRate, { ended: 4, closed: 3, rate: 0.75 });
  assert.deepEqual(payments.rollbackFrequency, { rollbacks: 1, perWeek: 0.5 });
  assert.deepEqual(payments.onTimeDelivery, { planned: 2, onTime: 1, rate: 0.5 });
  assert.deepEqual(payments.emergencyChangeShare, { releases: 4, emergency: 1, share: 0.25 });
  assert.equal(payments.deploymentDuration.medianMs, 15 * MIN);
  assert.equal(payments.mttd.meanMs, ((20 + 40 + 10) / 3) * MIN);
  assert.deepEqual(payments.mttr, { resolved: 2, meanMs: 120 * MIN });
  assert.deepEqual(payments.series, [
    {
      bucket: '2026-03-02',
      deployments: 2,
      finishedDeployments: 3,
      failedDeployments: 2,
      changeFailureRate: 2 / 3,
      medianLeadTimeMs: 13 * HOUR,
      incidents: 2,
      medianTimeToRestoreMs: 120 * MIN,
    },
    {
      bucket: '2026-03-09',
      deployments: 1,
      finishedDeployments: 1,
      failedDeployments: 0,
      changeFailureRate: 0,
      medianLeadTimeMs: HOUR,
      incidents: 1,
      medianTimeToRestoreMs: null,
    },
  ]);
});

test('the whole organisation counts every group, each release once', () => {
  const duplicated = {
    ...FACTS,
    releases: [...FACTS.releases, ...FACTS.releases.map((r) => ({ ...r, group: 'platform' }))],
  };
  const report = doraReport(duplicated, RANGE, 'service', 'month');
  assert.equal(report.overall.group, '(all)');
  assert.equal(report.overall.deploymentFrequency.deployments, 4);
  assert.equal(report.overall.releaseSuccessRate.ended, 4);
  assert.equal(report.groups[1]!.releaseSuccessRate.ended, 4);
  assert.deepEqual(
    report.overall.series.map((p) => p.bucket),
    ['2026-03'],
  );
});

test('a group with nothing in range has null rates, not zero or NaN', () => {
  const report = doraReport({ deployments: [], incidents: [], releases: [] }, RANGE, 'team', 'day');
  const all = report.overall;
  assert.equal(all.leadTimeForChanges.medianMs, null);
  assert.equal(all.leadTimeForChanges.band, null);
  assert.equal(all.changeFailureRate.rate, null);
  assert.equal(all.timeToRestore.band, null);
  assert.equal(all.deploymentFrequency.band, 'low');
  assert.equal(all.series.length, 14);
});

test('DORA bands at their thresholds', () => {
  assert.equal(leadTimeBand(HOUR * 23), 'elite');
  assert.equal(leadTimeBand(HOUR * 24), 'high');
  assert.equal(leadTimeBand(HOUR * 24 * 7), 'high');
  assert.equal(leadTimeBand(HOUR * 24 * 8), 'medium');
  assert.equal(leadTimeBand(HOUR * 24 * 31), 'low');
  assert.equal(changeFailureBand(0.05), 'elite');
  assert.equal(changeFailureBand(0.1), 'high');
  assert.equal(changeFailureBand(0.15), 'medium');
  assert.equal(changeFailureBand(0.16), 'low');
  assert.equal(timeToRestoreBand(59 * MIN), 'elite');
  assert.equal(timeToRestoreBand(HOUR), 'high');
  assert.equal(timeToRestoreBand(24 * HOUR), 'medium');
  assert.equal(timeToRestoreBand(7 * 24 * HOUR), 'low');
  const f = (days: number, week: number, month: number) =>
    deploymentFrequencyBand({
      medianDeployDaysPerWeek: days,
      medianWeekDeployed: week,
      medianMonthDeployed: month,
    });
  assert.equal(f(3, 1, 1), 'elite');
  assert.equal(f(2.5, 1, 1), 'high');
  assert.equal(f(0, 0.5, 1), 'medium');
  assert.equal(f(0, 0, 0.5), 'low');
});

test('medians and p90s are those of the sorted values, whatever their order and count', () => {
  // The quantiles are selected, not sorted for (ADR 2800-1): compared here with
  // simple-statistics' quantileSorted over the sorted values, on odd and even counts,
  // ties, and values spread over days in any order.
  let seed = 11;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  for (const count of [1, 2, 3, 10, 11, 257, 1000]) {
    const leads = Array.from({ length: count }, () => Math.round(random() * 50) * HOUR);
    const deployments = leads.map((lead, n) => {
      const started = Date.parse('2026-03-02T00:00:00Z') + Math.floor(random() * 13) * 86_400_000;
      const finished = started + lead + n * 1000;
      return deployment({
        startedAt: new Date(started).toISOString(),
        finishedAt: new Date(finished).toISOString(),
        releaseCreatedAt: new Date(finished - lead).toISOString(),
      });
    });
    const sorted = (values: number[]) => [...values].sort((a, b) => a - b);
    const lead = sorted(leads);
    const durations = sorted(leads.map((l, n) => l + n * 1000));
    const report = doraReport({ deployments, incidents: [], releases: [] }, RANGE, 'team', 'week');
    const group = report.groups[0]!;
    assert.equal(group.leadTimeForChanges.medianMs, quantileSorted(lead, 0.5), `${count}`);
    assert.equal(group.leadTimeForChanges.p90Ms, quantileSorted(lead, 0.9), `${count}`);
    assert.equal(group.deploymentDuration.medianMs, quantileSorted(durations, 0.5), `${count}`);
    assert.equal(group.deploymentDuration.p90Ms, quantileSorted(durations, 0.9), `${count}`);
    for (const point of group.series) {
      const inWeek = deployments
        .filter(
          (d) =>
            d.startedAt < '2026-03-09' === (point.bucket === report.groups[0]!.series[0]!.bucket),
        )
        .map((d) => Date.parse(d.finishedAt!) - Date.parse(d.releaseCreatedAt));
      assert.equal(
        point.medianLeadTimeMs,
        inWeek.length ? quantileSorted(sorted(inWeek), 0.5) : null,
        `${count} ${point.bucket}`,
      );
    }
  }
});
