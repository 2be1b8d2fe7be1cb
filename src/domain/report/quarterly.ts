/**
 * The quarterly health report as data: the quarter's delivery measures against the
 * previous quarter's, per team, week by week with their control-chart signals, the
 * contributing factors reviews named most, and the action items still overdue. Built
 * from what the metrics, control charts and reviews already compute; rendered to
 * Markdown and HTML by quarterly-markdown.ts and quarterly-html.ts. Anonymised: the
 * report names teams, services and releases, never people (docs/reports.md).
 */
import type { ControlChart } from '../metrics/control-charts.js';
import type { DefectDensity, DefectDensityReport } from '../metrics/defect-density.js';
import type { DoraReport, GroupMetrics } from '../metrics/dora.js';
import { previousQuarter, type Quarter } from './quarter.js';

export type MeasureUnit = 'per-day' | 'duration' | 'ratio' | 'count' | 'number';
export type Trend = 'better' | 'worse' | 'steady' | 'no-data';

export interface Measure {
  key: string;
  label: string;
  unit: MeasureUnit;
  current: number | null;
  previous: number | null;
  trend: Trend;
  /** The DORA band this quarter, where the measure has bands. */
  band: string | null;
}

export interface TeamRow {
  team: string;
  deployments: number;
  deploymentsPerDay: number;
  medianLeadTimeMs: number | null;
  changeFailureRate: number | null;
  medianTimeToRestoreMs: number | null;
  defectsPerRelease: number | null;
}

export interface WeekPoint {
  week: string;
  deployments: number;
  changeFailureRate: number | null;
  medianLeadTimeMs: number | null;
  incidents: number;
  medianTimeToRestoreMs: number | null;
}

export interface ChartSignal {
  chart: string;
  bucket: string;
  rule: string;
  description: string;
  side: 'above' | 'below';
}

export interface FactorRow {
  factor: string;
  reviews: number;
  services: string[];
  /** Also named in a review closed before this quarter: it keeps coming back. */
  recurring: boolean;
}

export interface OverdueActionRow {
  title: string;
  review: string;
  release: string;
  dueAt: string;
  daysOverdue: number;
  /** The owner's team, "an owner" when the owner has no team, or "no owner". */
  owner: string;
}

export interface QuarterlyCharts {
  changeFailures: ControlChart;
  postReleaseDefects: ControlChart;
  timeToRestore: ControlChart;
  leadTime: ControlChart;
}

/** Everything the report is built from; gathered by src/app/reports/quarterlyReport.ts. */
export interface QuarterlyInputs {
  quarter: Quarter;
  /** The end of the data: the quarter's end, or now while it runs. */
  asOf: string;
  generatedAt: string;
  current: DoraReport;
  previous: GroupMetrics;
  defects: DefectDensityReport;
  previousDefects: DefectDensity;
  charts: QuarterlyCharts;
  factors: FactorRow[];
  overdueActions: Array<
    Omit<OverdueActionRow, 'owner' | 'daysOverdue'> & {
      ownerTeam: string | null;
      hasOwner: boolean;
    }
  >;
  /** Names, display names, e-mail addresses and ids of people, scrubbed from free text. */
  people: string[];
}

export interface QuarterlyReport {
  quarter: string;
  period: { since: string; until: string; asOf: string; partial: boolean };
  previousQuarter: string;
  generatedAt: string;
  measures: Measure[];
  teams: TeamRow[];
  weeks: WeekPoint[];
  months: Array<{ month: string; releases: number; defects: number; perRelease: number | null }>;
  charts: QuarterlyCharts;
  signals: ChartSignal[];
  factors: FactorRow[];
  overdueActions: OverdueActionRow[];
}

const DAY = 86_400_000;
/** A change within 5 % of the previous quarter's value is steady, not a trend. */
const STEADY = 0.05;

export function trendOf(
  current: number | null,
  previous: number | null,
  higherIsBetter: boolean,
): Trend {
  if (current === null || previous === null) return 'no-data';
  const change = current - previous;
  const scale = Math.max(Math.abs(previous), Math.abs(current));
  if (scale === 0 || Math.abs(change) <= STEADY * scale) return 'steady';
  return change > 0 === higherIsBetter ? 'better' : 'worse';
}

function measure(
  key: string,
  label: string,
  unit: MeasureUnit,
  higherIsBetter: boolean,
  current: number | null,
  previous: number | null,
  band: string | null = null,
): Measure {
  return {
    key,
    label,
    unit,
    current,
    previous,
    trend: trendOf(current, previous, higherIsBetter),
    band,
  };
}

function measures(
  now: GroupMetrics,
  before: GroupMetrics,
  d: DefectDensity,
  dBefore: DefectDensity,
) {
  return [
    measure(
      'deployment-frequency',
      'Deployment frequency',
      'per-day',
      true,
      now.deploymentFrequency.perDay,
      before.deploymentFrequency.perDay,
      now.deploymentFrequency.band,
    ),
    measure(
      'lead-time',
      'Lead time for changes (median)',
      'duration',
      false,
      now.leadTimeForChanges.medianMs,
      before.leadTimeForChanges.medianMs,
      now.leadTimeForChanges.band,
    ),
    measure(
      'change-failure-rate',
      'Change failure rate',
      'ratio',
      false,
      now.changeFailureRate.rate,
      before.changeFailureRate.rate,
      now.changeFailureRate.band,
    ),
    measure(
      'time-to-restore',
      'Time to restore (median)',
      'duration',
      false,
      now.timeToRestore.medianMs,
      before.timeToRestore.medianMs,
      now.timeToRestore.band,
    ),
    measure(
      'rework-rate',
      'Rework rate',
      'ratio',
      false,
      now.reworkRate.rate,
      before.reworkRate.rate,
    ),
    measure(
      'defect-density',
      'Defects per release',
      'number',
      false,
      d.perRelease,
      dBefore.perRelease,
    ),
    measure(
      'release-success-rate',
      'Release success rate',
      'ratio',
      true,
      now.releaseSuccessRate.rate,
      before.releaseSuccessRate.rate,
    ),
    measure('mttd', 'Mean time to detect', 'duration', false, now.mttd.meanMs, before.mttd.meanMs),
    measure(
      'incidents',
      'Incidents',
      'count',
      false,
      now.timeToRestore.incidents,
      before.timeToRestore.incidents,
    ),
  ];
}

const CHART_TITLES: Record<keyof QuarterlyCharts, string> = {
  changeFailures: 'Change failure rate (p-chart)',
  postReleaseDefects: 'Incidents per deployment (u-chart)',
  timeToRestore: 'Median time to restore, hours (XmR)',
  leadTime: 'Median lead time, hours (XmR)',
};

function signals(charts: QuarterlyCharts): ChartSignal[] {
  return (Object.keys(CHART_TITLES) as Array<keyof QuarterlyCharts>).flatMap((key) =>
    charts[key].signals.map((s) => ({
      chart: CHART_TITLES[key],
      bucket: s.label,
      rule: s.rule,
      description: s.description,
      side: s.side,
    })),
  );
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every mention of a person (name, display name and each of its words of three
 * letters or more, e-mail, id) in free text with "a person", whole words only.
 */
export function scrubPeople(text: string, people: readonly string[]): string {
  const words = new Set<string>();
  for (const p of people) {
    const trimmed = p.trim();
    if (trimmed.length < 2) continue;
    words.add(trimmed);
    for (const part of trimmed.split(/\s+/)) if (part.length >= 3) words.add(part);
  }
  if (words.size === 0) return text;
  // Longest first, so "Zelda Marchetti" goes as one before "Zelda" would.
  const pattern = [...words]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|');
  return text.replace(
    new RegExp(`(?<![\\p{L}\\p{N}_@.-])(?:${pattern})(?![\\p{L}\\p{N}_@-])`, 'giu'),
    'a person',
  );
}

export function buildQuarterlyReport(inputs: QuarterlyInputs): QuarterlyReport {
  const { current, quarter } = inputs;
  const defectsByTeam = new Map(inputs.defects.groups.map((g) => [g.group, g]));
  const nowMs = Date.parse(inputs.generatedAt);
  return {
    quarter: quarter.label,
    period: {
      since: quarter.since,
      until: quarter.until,
      asOf: inputs.asOf,
      partial: inputs.asOf < quarter.until,
    },
    previousQuarter: previousQuarter(quarter).label,
    generatedAt: inputs.generatedAt,
    measures: measures(
      current.overall,
      inputs.previous,
      inputs.defects.overall,
      inputs.previousDefects,
    ),
    teams: current.groups.map((g) => ({
      team: g.group,
      deployments: g.deploymentFrequency.deployments,
      deploymentsPerDay: g.deploymentFrequency.perDay,
      medianLeadTimeMs: g.leadTimeForChanges.medianMs,
      changeFailureRate: g.changeFailureRate.rate,
      medianTimeToRestoreMs: g.timeToRestore.medianMs,
      defectsPerRelease: defectsByTeam.get(g.group)?.perRelease ?? null,
    })),
    weeks: current.overall.series.map((p) => ({
      week: p.bucket,
      deployments: p.deployments,
      changeFailureRate: p.changeFailureRate,
      medianLeadTimeMs: p.medianLeadTimeMs,
      incidents: p.incidents,
      medianTimeToRestoreMs: p.medianTimeToRestoreMs,
    })),
    months: inputs.defects.overall.series.map((p) => ({
      month: p.bucket,
      releases: p.releases,
      defects: p.defects,
      perRelease: p.perRelease,
    })),
    charts: inputs.charts,
    signals: signals(inputs.charts),
    factors: inputs.factors.map((f) => ({ ...f, services: [...f.services] })),
    overdueActions: inputs.overdueActions.map((a) => ({
      title: scrubPeople(a.title, inputs.people),
      review: a.review,
      release: a.release,
      dueAt: a.dueAt,
      daysOverdue: Math.max(0, Math.floor((nowMs - Date.parse(a.dueAt)) / DAY)),
      owner: a.ownerTeam ?? (a.hasOwner ? 'an owner' : 'no owner'),
    })),
  };
}
