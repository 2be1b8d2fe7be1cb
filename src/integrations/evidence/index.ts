/** One entry point: the declared evidence type picks the parser. */
import type { EvidenceFacts, ReportType } from '../../domain/evidence.js';
import { parseCobertura } from './cobertura.js';
import { parseCycloneDx } from './cyclonedx.js';
import { parseGrype } from './grype.js';
import { parseJUnit } from './junit.js';
import { parseLcov } from './lcov.js';
import { parseSarif } from './sarif.js';
import type { EvidenceSource } from './source.js';
import { parseTrivy } from './trivy.js';

export type { EvidenceSource } from './source.js';

const PARSERS: Record<ReportType, (source: EvidenceSource) => Promise<EvidenceFacts>> = {
  junit: parseJUnit,
  lcov: parseLcov,
  cobertura: parseCobertura,
  sarif: parseSarif,
  cyclonedx: parseCycloneDx,
  trivy: parseTrivy,
  grype: parseGrype,
};

/** Parses a file of the declared type; a file of another format is refused as invalid. */
export function parseEvidence(type: ReportType, source: EvidenceSource): Promise<EvidenceFacts> {
  return PARSERS[type](source);
}
