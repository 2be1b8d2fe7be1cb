/**
 * CycloneDX JSON SBOMs (1.4–1.6) carrying a `vulnerabilities` list (the CycloneDX npm
 * generator, Trivy's and Grype's `cyclonedx` output, Dependency-Track exports). Each
 * vulnerability `affects` components by `bom-ref`; components nest (a package's own
 * dependencies), and every level is read, so transitive packages are counted too.
 */
import {
  severityFrom,
  SEVERITY_RANK,
  type Severity,
  type VulnerabilityFacts,
} from '../../domain/evidence.js';
import { streamJson } from './json-stream.js';
import { invalidEvidence, text, type EvidenceSource } from './source.js';
import { VulnerabilityTally } from './vulnerabilities.js';

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

interface Component {
  name: string;
  version: string;
}

export async function parseCycloneDx(source: EvidenceSource): Promise<VulnerabilityFacts> {
  const tally = new VulnerabilityTally();
  let format: unknown;
  const components = new Map<string, Component>();
  const vulnerabilities: Json[] = [];
  let packages = 0;

  const addComponent = (value: unknown, depth: number) => {
    if (depth > 50) throw invalidEvidence('components nest more than 50 deep');
    const component = object(value);
    const name = [text(component.group), text(component.name)].filter(Boolean).join('/');
    packages++;
    const ref = text(component['bom-ref']);
    if (ref) components.set(ref, { name, version: text(component.version) });
    for (const child of list(component.components)) addComponent(child, depth + 1);
  };

  await streamJson(
    source,
    ['$.bomFormat', '$.metadata.component', '$.components.*', '$.vulnerabilities.*'],
    ({ path, value }) => {
      if (path[0] === 'bomFormat') format = value;
      else if (path[0] === 'vulnerabilities') vulnerabilities.push(object(value));
      else addComponent(value, 0);
    },
  );
  if (format !== 'CycloneDX')
    throw invalidEvidence('"bomFormat" is not "CycloneDX": not a CycloneDX SBOM');

  // Vulnerabilities refer to components by bom-ref, which may come later in the file.
  vulnerabilities.forEach((vulnerability, index) => {
    const id = text(vulnerability.id);
    if (!id) throw invalidEvidence(`vulnerabilities[${index}] has no id`);
    let severity: Severity = 'unknown';
    for (const rating of list(vulnerability.ratings)) {
      const rated = severityFrom(object(rating).severity);
      if (SEVERITY_RANK[rated] > SEVERITY_RANK[severity]) severity = rated;
    }
    for (const affect of list(vulnerability.affects)) {
      const ref = text(object(affect).ref);
      const component = components.get(ref) ?? { name: ref || '(unknown)', version: '' };
      const unaffected = list(object(affect).versions)
        .map(object)
        .filter((v) => v.status === 'unaffected')
        .map((v) => text(v.version) || text(v.range))
        .filter(Boolean);
      tally.add({
        id,
        severity,
        package: component.name,
        version: component.version,
        fixedIn: unaffected.length ? unaffected.join(', ') : null,
      });
    }
  });
  tally.facts.packages = packages;
  return tally.done();
}
