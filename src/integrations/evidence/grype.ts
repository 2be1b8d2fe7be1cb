/**
 * Grype's JSON report (`grype … -o json`): a `matches` list, each a vulnerability matched
 * to an artifact (package) with the versions that fix it. Grype catalogues every package
 * Syft finds, transitive ones included.
 */
import { severityFrom, type VulnerabilityFacts } from '../../domain/evidence.js';
import { streamJson } from './json-stream.js';
import { invalidEvidence, text, type EvidenceSource } from './source.js';
import { VulnerabilityTally } from './vulnerabilities.js';

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

export async function parseGrype(source: EvidenceSource): Promise<VulnerabilityFacts> {
  const tally = new VulnerabilityTally();
  let tool: unknown;
  const packages = new Set<string>();
  await streamJson(source, ['$.descriptor.name', '$.matches.*'], ({ path, value }) => {
    if (path[0] === 'descriptor') {
      tool = value;
      return;
    }
    const match = object(value);
    const vulnerability = object(match.vulnerability);
    const artifact = object(match.artifact);
    const id = text(vulnerability.id);
    if (!id) throw invalidEvidence(`matches[${path[1]}].vulnerability has no id`);
    const fixed = object(vulnerability.fix).versions;
    packages.add(`${text(artifact.name)}@${text(artifact.version)}`);
    tally.add({
      id,
      severity: severityFrom(vulnerability.severity),
      package: text(artifact.name),
      version: text(artifact.version),
      fixedIn: Array.isArray(fixed) && fixed.length ? fixed.map(String).join(', ') : null,
    });
  });
  if (tool !== 'grype')
    throw invalidEvidence('descriptor.name is not "grype": not a Grype JSON report');
  tally.facts.packages = packages.size;
  return tally.done();
}
