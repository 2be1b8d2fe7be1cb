/**
 * Trivy's JSON report (`trivy fs|image --format json`, schema version 2): one entry per
 * scanned target (a lockfile, an image layer's packages), each with its vulnerabilities.
 * Lockfile scans list transitive packages too, so they are counted like direct ones.
 */
import { severityFrom, type VulnerabilityFacts } from '../../domain/evidence.js';
import { streamJson } from './json-stream.js';
import { invalidEvidence, text, type EvidenceSource } from './source.js';
import { VulnerabilityTally } from './vulnerabilities.js';

export async function parseTrivy(source: EvidenceSource): Promise<VulnerabilityFacts> {
  const tally = new VulnerabilityTally();
  let schemaVersion: unknown;
  let sawResults = false;
  const packages = new Set<string>();
  await streamJson(
    source,
    [
      '$.SchemaVersion',
      '$.Results.*.Target',
      '$.Results.*.Vulnerabilities.*',
      '$.Results.*.Packages.*',
    ],
    ({ path, value }) => {
      if (path[0] === 'SchemaVersion') schemaVersion = value;
      if (path[0] !== 'Results') return;
      sawResults = true;
      if (path[2] === 'Target') return;
      const item = (value ?? {}) as Record<string, unknown>;
      if (path[2] === 'Packages') {
        packages.add(`${text(item.Name)}@${text(item.Version)}`);
        return;
      }
      const id = text(item.VulnerabilityID);
      if (!id)
        throw invalidEvidence(
          `Results[${path[1]}].Vulnerabilities[${path[3]}] has no VulnerabilityID`,
        );
      packages.add(`${text(item.PkgName)}@${text(item.InstalledVersion)}`);
      tally.add({
        id,
        severity: severityFrom(item.Severity),
        package: text(item.PkgName),
        version: text(item.InstalledVersion),
        fixedIn: text(item.FixedVersion) || null,
      });
    },
  );
  if (typeof schemaVersion !== 'number')
    throw invalidEvidence('no numeric "SchemaVersion": not a Trivy JSON report');
  if (!sawResults && tally.facts.total === 0) {
    // A clean scan may omit Results entirely; that is a valid, empty report.
  }
  tally.facts.packages = packages.size;
  return tally.done();
}
