/**
 * The DORA keys and the release-level measures beside them, computed from facts for one
 * range, grouped and bucketed. Definitions, and where they follow Four Keys or DevLake,
 * are in docs/metrics.md; the names here are the ones used there.
 */
import { mean, median, quantileSorted } from 'simple-statistics';
import {
  changeFailureBand,
  deploymentFrequencyBand,
  leadTimeBand,
  timeToRestoreBand,
  type Band,
} from './bands.js';
import {
  ENDED_RELEASE_STATES,
  FAILED_DEPLOYMENT_STATUSES,
  type DeploymentFact,
  type IncidentFact,
  type MetricFacts,
  type ReleaseFact,
} from './facts.js';
import {
  bucketOf,
  bucketsIn,
  rangeDays,
  type Bucket,
  type Dimension,
  type MetricRange,
} from './range.js';

export interface SeriesPoint {
  bucket: string;
  /** Successful production deployments: changes delivered. */
  deployments: number;
  /** Deployments that ended, whatever the outcome: the change-failure rate's population. */
  finishedDeployments: number;
  failedDeployments: number;
  changeFailureRate: number | null;
  medianLeadTimeMs: number | null;
  incidents: number;
  medianTimeToRestoreMs: number | null;
}

export interface GroupMetrics {
  group: string;
  deploymentFrequency: {
    deployments: number;
    deploymentDays: number;
    perDay: number;
    medianDeployDaysPerWeek: number;
    band: Band;
  };
  leadTimeForChanges: {
    changes: number;
    medianMs: number | null;
    p90Ms: number | null;
    band: Band | null;
  };
  changeFailureRate: {
    deployments: number;
    failed: number;
    rate: number | null;
    band: Band | null;
  };
  timeToRestore: {
    incidents: number;
    resolved: number;
    medianMs: number | null;
    band: Band | null;
  };
  reworkRate: { deployments: number; rework: number; rate: number | null };
  releaseSuccessRate: { ended: number; closed: number; rate: number | null };
  rollbackFrequency: { rollbacks: number; perWeek: number };
  deploymentDuration: { finished: number; medianMs: number | null; p90Ms: number | null };
  onTimeDelivery: { planned: number; onTime: number; rate: number | null };
  emergencyChangeShare: { releases: number; emergency: number; share: number | null };
  mttd: { incidents: number; meanMs: number | null };
  mttr: { resolved: number; meanMs: number | null };
  series: SeriesPoint[];
}

export interface DoraReport {
  range: MetricRange;
  by: Dimension;
  bucket: Bucket;
  overall: GroupMetrics;
  groups: GroupMetrics[];
}

const ms = (iso: string) => Date.parse(iso);
const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const medianOf = (values: number[]) => (values.length ? median(values) : null);
const sortedQuantile = (sorted: number[], p: number) =>
  sorted.length ? quantileSorted(sorted, p) : null;

const within = (range: MetricRange, at: string) => at >= range.since && at < range.until;

export const isFailedDeployment = (d: DeploymentFact): boolean =>
  d.causedIncident || (FAILED_DEPLOYMENT_STATUSES as readonly string[]).includes(d.status);

/** A change reached production: the deployment finished and succeeded. */
const isDelivered = (d: DeploymentFact) => d.status === 'succeeded' && d.finishedAt !== null;
/** The deployment is over, whatever its outcome: the change-failure rate's population. */
const isFinished = (d: DeploymentFact) => d.status !== 'started' && d.finishedAt !== null;
// A deployment back-dated before its release was raised has no lead time to speak of:
// counted as zero rather than negative, which would drag the median below reality.
export const leadTimeMs = (d: DeploymentFact) =>
  Math.max(0, ms(d.finishedAt!) - ms(d.releaseCreatedAt));
const restoreMs = (i: IncidentFact) => ms(i.resolvedAt!) - ms(i.startedAt);

function deploymentFrequency(
  deployments: DeploymentFact[],
  range: MetricRange,
): GroupMetrics['deploymentFrequency'] {
  const days = new Set(deployments.map((d) => d.startedAt.slice(0, 10)));
  const daysPerWeek = new Map(bucketsIn(range, 'week').map((w) => [w, 0]));
  for (const day of days) {
    const week = bucketOf(day, 'week');
    daysPerWeek.set(week, (daysPerWeek.get(week) ?? 0) + 1);
  }
  const monthsWithDeploy = new Set([...days].map((d) => d.slice(0, 7)));
  const weekly = [...daysPerWeek.values()];
  const months = bucketsIn(range, 'month');
  const medianDeployDaysPerWeek = weekly.length ? median(weekly) : 0;
  return {
    deployments: deployments.length,
    deploymentDays: days.size,
    perDay: deployments.length / rangeDays(range),
    medianDeployDaysPerWeek,
    band: deploymentFrequencyBand({
      medianDeployDaysPerWeek,
      medianWeekDeployed: weekly.length ? median(weekly.map((n) => (n > 0 ? 1 : 0))) : 0,
      medianMonthDeployed: months.length
        ? median(months.map((m) => (monthsWithDeploy.has(m) ? 1 : 0)))
        : 0,
    }),
  };
}

function series(
  deployments: DeploymentFact[],
  incidents: IncidentFact[],
  range: MetricRange,
  bucket: Bucket,
): SeriesPoint[] {
  const points = new Map(
    bucketsIn(range, bucket).map((b) => [
      b,
      {
        deployments: 0,
        finished: 0,
        failed: 0,
        leadTimes: [] as number[],
        incidents: 0,
        restores: [] as number[],
      },
    ]),
  );
  for (const d of deployments) {
    const point = points.get(bucketOf(d.startedAt, bucket));
    if (!point) continue;
    if (isFinished(d)) point.finished++;
    if (isFinished(d) && isFailedDeployment(d)) point.failed++;
    if (isDelivered(d)) {
      point.deployments++;
      point.leadTimes.push(leadTimeMs(d));
    }
  }
  for (const i of incidents) {
    const point = points.get(bucketOf(i.startedAt, bucket));
    if (!point) continue;
    point.incidents++;
    if (i.resolvedAt) point.restores.push(restoreMs(i));
  }
  return [...points].map(([label, p]) => ({
    bucket: label,
    deployments: p.deployments,
    finishedDeployments: p.finished,
    failedDeployments: p.failed,
    changeFailureRate: ratio(p.failed, p.finished),
    medianLeadTimeMs: medianOf(p.leadTimes),
    incidents: p.incidents,
    medianTimeToRestoreMs: medianOf(p.restores),
  }));
}

function releaseMeasures(releases: ReleaseFact[], range: MetricRange) {
  const created = releases.filter((r) => within(range, r.createdAt));
  const ended = releases.filter(
    (r) =>
      (ENDED_RELEASE_STATES as readonly string[]).includes(r.state) &&
      within(range, r.stateChangedAt),
  );
  const closed = ended.filter((r) => r.state === 'closed');
  const rollbacks = ended.filter((r) => r.state === 'rolled-back').length;
  const planned = closed.filter((r) => r.windowEnd !== null && r.deliveredAt !== null);
  const onTime = planned.filter((r) => r.deliveredAt! <= r.windowEnd!).length;
  const emergency = created.filter((r) => r.emergency).length;
  return {
    releaseSuccessRate: {
      ended: ended.length,
      closed: closed.length,
      rate: ratio(closed.length, ended.length),
    },
    rollbackFrequency: { rollbacks, perWeek: rollbacks / (rangeDays(range) / 7) },
    onTimeDelivery: { planned: planned.length, onTime, rate: ratio(onTime, planned.length) },
    emergencyChangeShare: {
      releases: created.length,
      emergency,
      share: ratio(emergency, created.length),
    },
  };
}

export function groupMetrics(
  group: string,
  facts: MetricFacts,
  range: MetricRange,
  bucket: Bucket,
): GroupMetrics {
  const deployments = facts.deployments.filter((d) => within(range, d.startedAt));
  const incidents = facts.incidents.filter((i) => within(range, i.startedAt));
  const delivered = deployments.filter(isDelivered);
  const leadTimes = delivered.map(leadTimeMs).sort((a, b) => a - b);
  const finished = deployments.filter(isFinished);
  const failed = finished.filter(isFailedDeployment).length;
  const durations = finished.map((d) => ms(d.finishedAt!) - ms(d.startedAt)).sort((a, b) => a - b);
  const resolved = incidents.filter((i) => i.resolvedAt !== null);
  const restores = resolved.map(restoreMs);
  const medianLead = sortedQuantile(leadTimes, 0.5);
  const medianRestore = medianOf(restores);
  const cfr = ratio(failed, finished.length);
  const rework = finished.filter((d) => d.emergency).length;
  return {
    group,
    deploymentFrequency: deploymentFrequency(delivered, range),
    leadTimeForChanges: {
      changes: leadTimes.length,
      medianMs: medianLead,
      p90Ms: sortedQuantile(leadTimes, 0.9),
      band: medianLead === null ? null : leadTimeBand(medianLead),
    },
    changeFailureRate: {
      deployments: finished.length,
      failed,
      rate: cfr,
      band: cfr === null ? null : changeFailureBand(cfr),
    },
    timeToRestore: {
      incidents: incidents.length,
      resolved: resolved.length,
      medianMs: medianRestore,
      band: medianRestore === null ? null : timeToRestoreBand(medianRestore),
    },
    reworkRate: { deployments: finished.length, rework, rate: ratio(rework, finished.length) },
    ...releaseMeasures(facts.releases, range),
    deploymentDuration: {
      finished: durations.length,
      medianMs: sortedQuantile(durations, 0.5),
      p90Ms: sortedQuantile(durations, 0.9),
    },
    mttd: {
      incidents: incidents.length,
      meanMs: incidents.length
        ? mean(incidents.map((i) => ms(i.detectedAt) - ms(i.startedAt)))
        : null,
    },
    mttr: { resolved: resolved.length, meanMs: restores.length ? mean(restores) : null },
    series: series(deployments, incidents, range, bucket),
  };
}

function byGroup<T extends { group: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(row.group);
    if (list) list.push(row);
    else groups.set(row.group, [row]);
  }
  return groups;
}

/** Every metric for every group, plus the whole organisation (each release once). */
export function doraReport(
  facts: MetricFacts,
  range: MetricRange,
  by: Dimension,
  bucket: Bucket,
): DoraReport {
  const deployments = byGroup(facts.deployments);
  const incidents = byGroup(facts.incidents);
  const releases = byGroup(facts.releases);
  const names = [
    ...new Set([...deployments.keys(), ...incidents.keys(), ...releases.keys()]),
  ].sort();
  const unique = new Map(facts.releases.map((r) => [r.id, r]));
  return {
    range,
    by,
    bucket,
    overall: groupMetrics('(all)', { ...facts, releases: [...unique.values()] }, range, bucket),
    groups: names.map((name) =>
      groupMetrics(
        name,
        {
          deployments: deployments.get(name) ?? [],
          incidents: incidents.get(name) ?? [],
          releases: releases.get(name) ?? [],
        },
        range,
        bucket,
      ),
    ),
  };
}
