/**
 * The DORA keys and the release-level measures beside them, computed from facts for one
 * range, grouped and bucketed. Definitions, and where they follow Four Keys or DevLake,
 * are in docs/metrics.md; the names here are the ones used there.
 */
import { median } from 'simple-statistics';
import {
  aggregateFacts,
  emptyReleaseCounts,
  type DeploymentDay,
  type IncidentDay,
  type MetricAggregates,
  type ReleaseCounts,
} from './aggregates.js';
import {
  changeFailureBand,
  deploymentFrequencyBand,
  leadTimeBand,
  timeToRestoreBand,
  type Band,
} from './bands.js';
import type { MetricFacts } from './facts.js';
import { quantilesInPlace } from './quantiles.js';
import {
  bucketOf,
  bucketsIn as listBuckets,
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

export { isFailedDeployment, leadTimeMs } from './aggregates.js';

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
/** Exact in any order of summation while the values are whole ms, as they are. */
const meanOf = (values: number[]) =>
  values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;

/**
 * The bucket labels of a range, listed once per report rather than once per group and
 * measure (a year by 200 services asked for them 600 times). Callers do not mutate them.
 */
const bucketLists = new Map<string, readonly string[]>();
function bucketsIn(range: MetricRange, bucket: Bucket): readonly string[] {
  const key = `${range.since}|${range.until}|${bucket}`;
  let labels = bucketLists.get(key);
  if (labels === undefined) {
    if (bucketLists.size >= 16) bucketLists.clear();
    bucketLists.set(key, (labels = listBuckets(range, bucket)));
  }
  return labels;
}

/** A UTC day's bucket label, worked out once per day and bucket size. */
const dayBuckets = new Map<string, string>();
function bucketOfDayMemo(day: string, bucket: Bucket): string {
  const key = `${bucket}|${day}`;
  let label = dayBuckets.get(key);
  if (label === undefined) {
    if (dayBuckets.size >= 50_000) dayBuckets.clear();
    dayBuckets.set(key, (label = bucketOf(day, bucket)));
  }
  return label;
}

/** The values of several lists in one array. */
function concatenated(lists: number[][]): Float64Array {
  let length = 0;
  for (const list of lists) length += list.length;
  const all = new Float64Array(length);
  let at = 0;
  for (const list of lists) {
    all.set(list, at);
    at += list.length;
  }
  return all;
}

/** The quantiles `ps` (ascending) of the values of several lists, or nulls if none. */
const quantilesOf = (lists: number[][], ps: number[]) => quantilesInPlace(concatenated(lists), ps);

function deploymentFrequency(
  days: DeploymentDay[],
  range: MetricRange,
): GroupMetrics['deploymentFrequency'] {
  let deployments = 0;
  const deployed = new Set<string>();
  for (const d of days) {
    deployments += d.delivered;
    if (d.delivered > 0) deployed.add(d.day);
  }
  const daysPerWeek = new Map(bucketsIn(range, 'week').map((w) => [w, 0]));
  for (const day of deployed) {
    const week = bucketOfDayMemo(day, 'week');
    daysPerWeek.set(week, (daysPerWeek.get(week) ?? 0) + 1);
  }
  const monthsWithDeploy = new Set([...deployed].map((d) => d.slice(0, 7)));
  const weekly = [...daysPerWeek.values()];
  const months = bucketsIn(range, 'month');
  const medianDeployDaysPerWeek = weekly.length ? median(weekly) : 0;
  return {
    deployments,
    deploymentDays: deployed.size,
    perDay: deployments / rangeDays(range),
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
  deployments: DeploymentDay[],
  incidents: IncidentDay[],
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
        leadTimes: [] as number[][],
        incidents: 0,
        restores: [] as number[][],
      },
    ]),
  );
  const bucketOfDay = (day: string) => bucketOfDayMemo(day, bucket);
  for (const d of deployments) {
    const point = points.get(bucketOfDay(d.day));
    if (!point) continue;
    point.finished += d.finished;
    point.failed += d.failed;
    point.deployments += d.delivered;
    point.leadTimes.push(d.leadTimesMs);
  }
  for (const i of incidents) {
    const point = points.get(bucketOfDay(i.day));
    if (!point) continue;
    point.incidents += i.incidents;
    point.restores.push(i.restoresMs);
  }
  return [...points].map(([label, p]) => ({
    bucket: label,
    deployments: p.deployments,
    finishedDeployments: p.finished,
    failedDeployments: p.failed,
    changeFailureRate: ratio(p.failed, p.finished),
    medianLeadTimeMs: quantilesOf(p.leadTimes, [0.5])[0] ?? null,
    incidents: p.incidents,
    medianTimeToRestoreMs: quantilesOf(p.restores, [0.5])[0] ?? null,
  }));
}

function releaseMeasures(counts: ReleaseCounts, range: MetricRange) {
  return {
    releaseSuccessRate: {
      ended: counts.ended,
      closed: counts.closed,
      rate: ratio(counts.closed, counts.ended),
    },
    rollbackFrequency: {
      rollbacks: counts.rollbacks,
      perWeek: counts.rollbacks / (rangeDays(range) / 7),
    },
    onTimeDelivery: {
      planned: counts.planned,
      onTime: counts.onTime,
      rate: ratio(counts.onTime, counts.planned),
    },
    emergencyChangeShare: {
      releases: counts.created,
      emergency: counts.emergency,
      share: ratio(counts.emergency, counts.created),
    },
  };
}

/** Every metric of one group, from its daily aggregates (already within the range). */
export function groupMetricsOf(
  group: string,
  deployments: DeploymentDay[],
  incidents: IncidentDay[],
  releases: ReleaseCounts,
  range: MetricRange,
  bucket: Bucket,
): GroupMetrics {
  let finished = 0;
  let failed = 0;
  let rework = 0;
  for (const d of deployments) {
    finished += d.finished;
    failed += d.failed;
    rework += d.rework;
  }
  let incidentCount = 0;
  for (const i of incidents) incidentCount += i.incidents;
  let changes = 0;
  let ended = 0;
  for (const d of deployments) {
    changes += d.leadTimesMs.length;
    ended += d.durationsMs.length;
  }
  const [medianLead = null, p90Lead = null] = quantilesOf(
    deployments.map((d) => d.leadTimesMs),
    [0.5, 0.9],
  );
  const [medianDuration = null, p90Duration = null] = quantilesOf(
    deployments.map((d) => d.durationsMs),
    [0.5, 0.9],
  );
  const restoreLists = incidents.map((i) => i.restoresMs);
  let resolved = 0;
  for (const list of restoreLists) resolved += list.length;
  const [medianRestore = null] = quantilesOf(restoreLists, [0.5]);
  const cfr = ratio(failed, finished);
  return {
    group,
    deploymentFrequency: deploymentFrequency(deployments, range),
    leadTimeForChanges: {
      changes,
      medianMs: medianLead,
      p90Ms: p90Lead,
      band: medianLead === null ? null : leadTimeBand(medianLead),
    },
    changeFailureRate: {
      deployments: finished,
      failed,
      rate: cfr,
      band: cfr === null ? null : changeFailureBand(cfr),
    },
    timeToRestore: {
      incidents: incidentCount,
      resolved,
      medianMs: medianRestore,
      band: medianRestore === null ? null : timeToRestoreBand(medianRestore),
    },
    reworkRate: { deployments: finished, rework, rate: ratio(rework, finished) },
    ...releaseMeasures(releases, range),
    deploymentDuration: {
      finished: ended,
      medianMs: medianDuration,
      p90Ms: p90Duration,
    },
    mttd: {
      incidents: incidentCount,
      meanMs: meanOf(incidents.flatMap((i) => i.detectionsMs)),
    },
    mttr: { resolved, meanMs: meanOf(restoreLists.flat()) },
    series: series(deployments, incidents, range, bucket),
  };
}

/** Every metric of one set of facts, as one group. */
export function groupMetrics(
  group: string,
  facts: MetricFacts,
  range: MetricRange,
  bucket: Bucket,
): GroupMetrics {
  const aggregates = aggregateFacts(facts, range);
  return groupMetricsOf(
    group,
    aggregates.deployments,
    aggregates.incidents,
    aggregates.allReleases,
    range,
    bucket,
  );
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
export function doraReportOf(
  aggregates: MetricAggregates,
  range: MetricRange,
  by: Dimension,
  bucket: Bucket,
): DoraReport {
  const deployments = byGroup(aggregates.deployments);
  const incidents = byGroup(aggregates.incidents);
  const names = [...new Set(aggregates.groups)].sort();
  return {
    range,
    by,
    bucket,
    overall: groupMetricsOf(
      '(all)',
      aggregates.deployments,
      aggregates.incidents,
      aggregates.allReleases,
      range,
      bucket,
    ),
    groups: names.map((name) =>
      groupMetricsOf(
        name,
        deployments.get(name) ?? [],
        incidents.get(name) ?? [],
        aggregates.releases.get(name) ?? emptyReleaseCounts(),
        range,
        bucket,
      ),
    ),
  };
}

/** Every metric for every group, from row facts. */
export function doraReport(
  facts: MetricFacts,
  range: MetricRange,
  by: Dimension,
  bucket: Bucket,
): DoraReport {
  return doraReportOf(aggregateFacts(facts, range), range, by, bucket);
}
