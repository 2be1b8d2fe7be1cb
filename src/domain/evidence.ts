/**
 * Evidence a pipeline hands Gatehouse, reduced to the facts a gate judges: tests passed
 * and failed, line and branch coverage, static-analysis findings and known
 * vulnerabilities by severity. Whatever tool wrote the file, a gate sees these shapes.
 */
export const EVIDENCE_TYPES = [
  'junit',
  'lcov',
  'cobertura',
  'sarif',
  'cyclonedx',
  'trivy',
  'grype',
  'sigstore',
] as const;
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

export const EVIDENCE_DESCRIPTIONS: Record<EvidenceType, string> = {
  junit: 'JUnit XML test report (Maven Surefire, pytest, Jest, Vitest, gotestsum, node --test)',
  lcov: 'lcov coverage tracefile',
  cobertura: 'Cobertura XML coverage report',
  sarif: 'SARIF 2.1.0 static-analysis log',
  cyclonedx: 'CycloneDX JSON SBOM with vulnerabilities',
  trivy: 'Trivy JSON report',
  grype: 'Grype JSON report',
  sigstore:
    'Sigstore bundle (JSON) with a DSSE in-toto attestation for the artifact named by `artifact=sha256:<hex>`',
};

/** Reports parsed into facts; a sigstore bundle is verified instead (integrations/sigstore). */
export type ReportType = Exclude<EvidenceType, 'sigstore'>;
export const REPORT_TYPES = EVIDENCE_TYPES.filter((t): t is ReportType => t !== 'sigstore');

export function isReportType(value: string): value is ReportType {
  return (REPORT_TYPES as readonly string[]).includes(value);
}

export function isEvidenceType(value: string): value is EvidenceType {
  return (EVIDENCE_TYPES as readonly string[]).includes(value);
}

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type SeverityCounts = Record<Severity, number>;

export function emptySeverityCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
}

/** Reads the many spellings tools use ("CRITICAL", "Critical", "moderate", "negligible"). */
export function severityFrom(text: unknown): Severity {
  const value = typeof text === 'string' ? text.trim().toLowerCase() : '';
  if (value === 'critical') return 'critical';
  if (value === 'high' || value === 'important') return 'high';
  if (value === 'medium' || value === 'moderate') return 'medium';
  if (value === 'low' || value === 'negligible' || value === 'info' || value === 'none')
    return 'low';
  return 'unknown';
}

export const SEVERITY_RANK: Record<Severity, number> = {
  critical: 4,
  high: 3,
  medium: 2,
  low: 1,
  unknown: 0,
};

/** Failing tests kept by name; more than this are counted, not listed. */
export const LISTED_LIMIT = 50;

export interface FailedTest {
  suite: string;
  name: string;
  message: string;
}

export interface TestFacts {
  kind: 'tests';
  tests: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  failures: FailedTest[];
}

export interface Ratio {
  covered: number;
  total: number;
  /** Percent, 0–100, or null when there is nothing to cover. */
  percent: number | null;
}

export interface CoverageFacts {
  kind: 'coverage';
  lines: Ratio;
  branches: Ratio;
  files: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  location: string;
}

export interface FindingFacts {
  kind: 'findings';
  tools: string[];
  total: number;
  bySeverity: SeverityCounts;
  /** The most severe findings, at most LISTED_LIMIT. */
  top: Finding[];
}

export interface Vulnerability {
  id: string;
  severity: Severity;
  package: string;
  version: string;
  fixedIn: string | null;
}

export interface VulnerabilityFacts {
  kind: 'vulnerabilities';
  /** Packages the scan covered, direct and transitive. */
  packages: number;
  total: number;
  bySeverity: SeverityCounts;
  /** Critical and high vulnerabilities first, at most LISTED_LIMIT × 4. */
  listed: Vulnerability[];
}

/** A verified Sigstore attestation: which artifact, and who the certificate says signed it. */
export interface SignatureFacts {
  kind: 'signature';
  artifactDigest: string;
  artifactName: string | null;
  predicateType: string | null;
  identity: { subjectAlternativeName: string | null; issuer: string | null };
  /** When the transparency log recorded the signature (ISO 8601 UTC). */
  signedAt: string | null;
}

export type EvidenceFacts =
  TestFacts | CoverageFacts | FindingFacts | VulnerabilityFacts | SignatureFacts;

export function ratio(covered: number, total: number): Ratio {
  return {
    covered,
    total,
    percent: total === 0 ? null : Math.floor((covered / total) * 10000) / 100,
  };
}

/** Keeps the worst `limit` entries seen, without holding every entry of a large report. */
export function keepWorst<T extends { severity: Severity }>(
  kept: T[],
  item: T,
  limit: number,
): void {
  if (kept.length < limit) {
    kept.push(item);
    return;
  }
  let weakest = 0;
  for (let i = 1; i < kept.length; i++)
    if (SEVERITY_RANK[kept[i]!.severity] < SEVERITY_RANK[kept[weakest]!.severity]) weakest = i;
  if (SEVERITY_RANK[item.severity] > SEVERITY_RANK[kept[weakest]!.severity]) kept[weakest] = item;
}

export function sortBySeverity<T extends { severity: Severity }>(items: T[]): T[] {
  return [...items].sort((a, b) => SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]);
}

export interface CombinedEvidence {
  tests: TestFacts | null;
  coverage: CoverageFacts | null;
  findings: FindingFacts | null;
  vulnerabilities: VulnerabilityFacts | null;
  /** Every verified signature, one per uploaded bundle (the latest per file name). */
  signatures: SignatureFacts[];
}

const add = (a: SeverityCounts, b: SeverityCounts): SeverityCounts => ({
  critical: a.critical + b.critical,
  high: a.high + b.high,
  medium: a.medium + b.medium,
  low: a.low + b.low,
  unknown: a.unknown + b.unknown,
});

/**
 * Several files of one kind (a monorepo's test suites, coverage per package) add up.
 * The caller passes only the latest upload per type and file name, so a re-run replaces
 * its earlier report instead of counting twice.
 */
export function combineEvidence(all: readonly EvidenceFacts[]): CombinedEvidence {
  const combined: CombinedEvidence = {
    tests: null,
    coverage: null,
    findings: null,
    vulnerabilities: null,
    signatures: [],
  };
  for (const facts of all) {
    if (facts.kind === 'signature') {
      combined.signatures.push(facts);
    } else if (facts.kind === 'tests') {
      const t = combined.tests;
      combined.tests = t
        ? {
            kind: 'tests',
            tests: t.tests + facts.tests,
            passed: t.passed + facts.passed,
            failed: t.failed + facts.failed,
            errors: t.errors + facts.errors,
            skipped: t.skipped + facts.skipped,
            failures: [...t.failures, ...facts.failures].slice(0, LISTED_LIMIT),
          }
        : facts;
    } else if (facts.kind === 'coverage') {
      const c = combined.coverage;
      combined.coverage = c
        ? {
            kind: 'coverage',
            lines: ratio(c.lines.covered + facts.lines.covered, c.lines.total + facts.lines.total),
            branches: ratio(
              c.branches.covered + facts.branches.covered,
              c.branches.total + facts.branches.total,
            ),
            files: c.files + facts.files,
          }
        : facts;
    } else if (facts.kind === 'findings') {
      const f = combined.findings;
      combined.findings = f
        ? {
            kind: 'findings',
            tools: [...new Set([...f.tools, ...facts.tools])],
            total: f.total + facts.total,
            bySeverity: add(f.bySeverity, facts.bySeverity),
            top: sortBySeverity([...f.top, ...facts.top]).slice(0, LISTED_LIMIT),
          }
        : facts;
    } else {
      const v = combined.vulnerabilities;
      combined.vulnerabilities = v
        ? {
            kind: 'vulnerabilities',
            packages: v.packages + facts.packages,
            total: v.total + facts.total,
            bySeverity: add(v.bySeverity, facts.bySeverity),
            listed: sortBySeverity([...v.listed, ...facts.listed]).slice(0, LISTED_LIMIT * 4),
          }
        : facts;
    }
  }
  return combined;
}
