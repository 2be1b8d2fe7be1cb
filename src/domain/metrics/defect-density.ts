/**
 * Defect density per release: the incidents (defects that escaped to production) linked
 * to a release's deployments, per release delivered in the range and per service it
 * changed. Definition and caveats in docs/metrics.md; the facts come from
 * src/store/defectDensity.ts. Kept apart from dora.ts: it is counted per release, not
 * per deployment.
 */
import { bucketOf, bucketsIn, type Bucket, type MetricRange } from './range.js';

/** Dimensions defect density is reported by: each names what a release belongs to. */
export const DEFECT_DENSITY_DIMENSIONS = ['team', 'service', 'class'] as const;
export type DefectDensityDimension = (typeof DEFECT_DENSITY_DIMENSIONS)[number];

export interface ReleaseDefectFact {
  /** The release; with `by=service` it appears once per service it carries. */
  release: string;
  group: string;
  /** When its first successful production deployment finished: when it was delivered. */
  deliveredAt: string;
  /** Services the release changed (1 per row with `by=service`). */
  changedServices: number;
  /** Distinct incidents linked as caused by its deployments (of that service, by service). */
  defects: number;
}

export interface DefectDensityPoint {
  bucket: string;
  releases: number;
  defects: number;
  perRelease: number | null;
}

export interface DefectDensity {
  group: string;
  /** Releases delivered to production in the range. */
  releases: number;
  releasesWithDefects: number;
  defects: number;
  changedServices: number;
  /** Defects per delivered release. */
  perRelease: number | null;
  /** Defects per service changed: comparable between large and small releases. */
  perChangedService: number | null;
  /** Share of delivered releases with no linked incident. */
  defectFreeShare: number | null;
  series: DefectDensityPoint[];
}

export interface DefectDensityReport {
  range: MetricRange;
  by: DefectDensityDimension;
  bucket: Bucket;
  overall: DefectDensity;
  groups: DefectDensity[];
}

const ratio = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const within = (range: MetricRange, at: string) => at >= range.since && at < range.until;

export function defectDensity(
  group: string,
  facts: ReleaseDefectFact[],
  range: MetricRange,
  bucket: Bucket,
): DefectDensity {
  const delivered = facts.filter((f) => within(range, f.deliveredAt));
  const defects = delivered.reduce((sum, f) => sum + f.defects, 0);
  const changedServices = delivered.reduce((sum, f) => sum + f.changedServices, 0);
  const withDefects = delivered.filter((f) => f.defects > 0).length;
  const points = new Map(bucketsIn(range, bucket).map((b) => [b, { releases: 0, defects: 0 }]));
  for (const f of delivered) {
    const point = points.get(bucketOf(f.deliveredAt, bucket));
    if (!point) continue;
    point.releases++;
    point.defects += f.defects;
  }
  return {
    group,
    releases: delivered.length,
    releasesWithDefects: withDefects,
    defects,
    changedServices,
    perRelease: ratio(defects, delivered.length),
    perChangedService: ratio(defects, changedServices),
    defectFreeShare: ratio(delivered.length - withDefects, delivered.length),
    series: [...points].map(([label, p]) => ({
      bucket: label,
      releases: p.releases,
      defects: p.defects,
      perRelease: ratio(p.defects, p.releases),
    })),
  };
}

/**
 * Per group, and overall from facts that hold each release once (`overall`), since a
 * release carrying two services sits in two service groups.
 */
export function defectDensityReport(
  facts: { groups: ReleaseDefectFact[]; overall: ReleaseDefectFact[] },
  range: MetricRange,
  by: DefectDensityDimension,
  bucket: Bucket,
): DefectDensityReport {
  const byGroup = new Map<string, ReleaseDefectFact[]>();
  for (const fact of facts.groups) {
    const list = byGroup.get(fact.group);
    if (list) list.push(fact);
    else byGroup.set(fact.group, [fact]);
  }
  return {
    range,
    by,
    bucket,
    overall: defectDensity('(all)', facts.overall, range, bucket),
    groups: [...byGroup.keys()]
      .sort()
      .map((name) => defectDensity(name, byGroup.get(name)!, range, bucket)),
  };
}
