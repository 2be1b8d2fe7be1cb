/** What the three vulnerability-report parsers share: counting and keeping the worst. */
import {
  emptySeverityCounts,
  keepWorst,
  LISTED_LIMIT,
  sortBySeverity,
  type Vulnerability,
  type VulnerabilityFacts,
} from '../../domain/evidence.js';
import { clip } from './source.js';

export class VulnerabilityTally {
  readonly facts: VulnerabilityFacts = {
    kind: 'vulnerabilities',
    packages: 0,
    total: 0,
    bySeverity: emptySeverityCounts(),
    listed: [],
  };
  // The same CVE in the same package reported twice (two targets, two layers) counts once.
  private readonly seen = new Set<string>();

  add(vulnerability: Vulnerability): void {
    const key = `${vulnerability.id}|${vulnerability.package}|${vulnerability.version}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.facts.total++;
    this.facts.bySeverity[vulnerability.severity]++;
    keepWorst(
      this.facts.listed,
      {
        id: clip(vulnerability.id, 100),
        severity: vulnerability.severity,
        package: clip(vulnerability.package, 200),
        version: clip(vulnerability.version, 100),
        fixedIn: vulnerability.fixedIn === null ? null : clip(vulnerability.fixedIn, 200),
      },
      LISTED_LIMIT * 4,
    );
  }

  done(): VulnerabilityFacts {
    this.facts.listed = sortBySeverity(this.facts.listed);
    return this.facts;
  }
}
