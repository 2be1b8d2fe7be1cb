/**
 * The facts of src/domain/metrics/facts.ts summed per group and UTC day: what every
 * delivery metric needs, small enough to compute a year of a large organisation in one
 * request. The store builds them in SQL (src/store/metricAggregates.ts); `aggregateFacts`
 * builds the same from row facts, so both paths share one computation of the metrics.
 * The durations are kept as lists (not sums) because the medians and p90s need them.
 */
import {
  ENDED_RELEASE_STATES,
  FAILED_DEPLOYMENT_STATUSES,
  type DeploymentFact,
  type MetricFacts,
  type ReleaseFact,
} from './facts.js';
import type { MetricRange } from './range.js';

/** The deployments of one group that started on one UTC day. */
export interface DeploymentDay {
  group: string;
  /** YYYY-MM-DD, the first ten characters of the start instant. */
  day: string;
  /** Succeeded and finished: changes delivered. */
  delivered: number;
  /** Ended, whatever the outcome: the change-failure rate's population. */
  finished: number;
  /** Finished, and failed, rolled back or named as an incident's cause. */
  failed: number;
  /** Finished, and carrying an emergency change. */
  rework: number;
  /** Lead time of each delivered deployment, ms (never negative). */
  leadTimesMs: number[];
  /** Finish minus start of each finished deployment, ms. */
  durationsMs: number[];
}

/** The incidents of one group that started on one UTC day. */
export interface IncidentDay {
  group: string;
  day: string;
  incidents: number;
  /** Resolved minus started of each resolved incident, ms. */
  restoresMs: number[];
  /** Detected minus started of every incident, ms. */
  detectionsMs: number[];
}

/** Release counts of one group (or, with group null, of every release once). */
export interface ReleaseCounts {
  /** Raised in range. */
  created: number;
  /** Raised in range as an emergency change. */
  emergency: number;
  /** Ended (closed, failed, rolled back) in range. */
  ended: number;
  closed: number;
  rollbacks: number;
  /** Closed in range with a planned window end and a production delivery. */
  planned: number;
  /** Of those, delivered by the window end. */
  onTime: number;
}

/** The release counts of one group (or of every release once) over some UTC days. */
export interface ReleaseGroupCounts {
  group: string;
  /** Every release once, whichever groups it sits in (group is then ''). */
  overall: boolean;
  /** `created` and `emergency` count releases raised on those days; the rest, ended. */
  counts: ReleaseCounts;
}

/** The release counts of one group (or of every release once) on one UTC day. */
export interface ReleaseDay extends ReleaseGroupCounts {
  day: string;
}

/**
 * The day aggregates of one range (or of several disjoint ranges put together). Release
 * counts are only ever added up over the range, so they may come per day or already
 * summed over several days.
 */
export interface DayAggregates {
  deployments: DeploymentDay[];
  incidents: IncidentDay[];
  releases: ReleaseGroupCounts[];
}

export interface MetricAggregates {
  deployments: DeploymentDay[];
  incidents: IncidentDay[];
  releases: Map<string, ReleaseCounts>;
  /** Every release once, whichever groups it sits in. */
  allReleases: ReleaseCounts;
  /** Every group with any fact in the range, whether or not it counts towards a metric. */
  groups: string[];
}

const ms = (iso: string) => Date.parse(iso);
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

export const emptyReleaseCounts = (): ReleaseCounts => ({
  created: 0,
  emergency: 0,
  ended: 0,
  closed: 0,
  rollbacks: 0,
  planned: 0,
  onTime: 0,
});

function keyed<T>(map: Map<string, T>, key: string, make: () => T): T {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = make()));
  return value;
}

/** Counts a set of release facts (each id once). */
export function countReleases(releases: ReleaseFact[], range: MetricRange): ReleaseCounts {
  const counts = emptyReleaseCounts();
  for (const r of releases) {
    if (within(range, r.createdAt)) {
      counts.created++;
      if (r.emergency) counts.emergency++;
    }
    if (
      !(ENDED_RELEASE_STATES as readonly string[]).includes(r.state) ||
      !within(range, r.stateChangedAt)
    )
      continue;
    counts.ended++;
    if (r.state === 'rolled-back') counts.rollbacks++;
    if (r.state !== 'closed') continue;
    counts.closed++;
    if (r.windowEnd !== null && r.deliveredAt !== null) {
      counts.planned++;
      if (r.deliveredAt <= r.windowEnd) counts.onTime++;
    }
  }
  return counts;
}

/** The aggregates of row facts: what the SQL in the store computes, done in memory. */
export function aggregateFacts(facts: MetricFacts, range: MetricRange): MetricAggregates {
  const days = new Map<string, DeploymentDay>();
  for (const d of facts.deployments) {
    if (!within(range, d.startedAt)) continue;
    const day = d.startedAt.slice(0, 10);
    const agg = keyed(days, `${d.group}\u0000${day}`, () => ({
      group: d.group,
      day,
      delivered: 0,
      finished: 0,
      failed: 0,
      rework: 0,
      leadTimesMs: [],
      durationsMs: [],
    }));
    if (isDelivered(d)) {
      agg.delivered++;
      agg.leadTimesMs.push(leadTimeMs(d));
    }
    if (isFinished(d)) {
      agg.finished++;
      if (isFailedDeployment(d)) agg.failed++;
      if (d.emergency) agg.rework++;
      agg.durationsMs.push(ms(d.finishedAt!) - ms(d.startedAt));
    }
  }
  const incidentDays = new Map<string, IncidentDay>();
  for (const i of facts.incidents) {
    if (!within(range, i.startedAt)) continue;
    const day = i.startedAt.slice(0, 10);
    const agg = keyed(incidentDays, `${i.group}\u0000${day}`, () => ({
      group: i.group,
      day,
      incidents: 0,
      restoresMs: [],
      detectionsMs: [],
    }));
    agg.incidents++;
    agg.detectionsMs.push(ms(i.detectedAt) - ms(i.startedAt));
    if (i.resolvedAt !== null) agg.restoresMs.push(ms(i.resolvedAt) - ms(i.startedAt));
  }
  const releasesByGroup = new Map<string, ReleaseFact[]>();
  for (const r of facts.releases) keyed(releasesByGroup, r.group, () => []).push(r);
  const unique = new Map(facts.releases.map((r) => [r.id, r]));
  return {
    deployments: [...days.values()],
    incidents: [...incidentDays.values()],
    releases: new Map(
      [...releasesByGroup].map(([group, list]) => [group, countReleases(list, range)]),
    ),
    allReleases: countReleases([...unique.values()], range),
    groups: [
      ...new Set([
        ...facts.deployments.map((d) => d.group),
        ...facts.incidents.map((i) => i.group),
        ...facts.releases.map((r) => r.group),
      ]),
    ],
  };
}

function addCounts(to: ReleaseCounts, from: ReleaseCounts): void {
  for (const key of Object.keys(to) as Array<keyof ReleaseCounts>) to[key] += from[key];
}

/**
 * The aggregates of a range from its days: the release counts of disjoint days add up
 * (each release is raised on one day and ends on one day), per group and overall.
 */
export function aggregatesOfDays(days: DayAggregates): MetricAggregates {
  const releases = new Map<string, ReleaseCounts>();
  const allReleases = emptyReleaseCounts();
  for (const r of days.releases) {
    if (r.overall) addCounts(allReleases, r.counts);
    else addCounts(keyed(releases, r.group, emptyReleaseCounts), r.counts);
  }
  return {
    deployments: days.deployments,
    incidents: days.incidents,
    releases,
    allReleases,
    groups: [
      ...new Set([
        ...days.deployments.map((d) => d.group),
        ...days.incidents.map((i) => i.group),
        ...releases.keys(),
      ]),
    ],
  };
}
