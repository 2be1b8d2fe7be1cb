import {
  defectDensityReport,
  type DefectDensityDimension,
  type DefectDensityReport,
} from '../../domain/metrics/defect-density.js';
import { checkRange, type Bucket } from '../../domain/metrics/range.js';
import { loadReleaseDefectFacts } from '../../store/defectDensity.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

export interface DefectDensityQuery {
  since?: string;
  until?: string;
  by: DefectDensityDimension;
  bucket: Bucket;
}

/** Incidents linked to the releases delivered in a bounded range, per release and service. */
export async function releaseDefectDensity(
  ctx: Ctx,
  input: DefectDensityQuery,
): Promise<DefectDensityReport> {
  authorize(ctx.actor, 'metrics:read');
  const { range, problems } = checkRange(input.since, input.until);
  throwIfProblems(problems, 'invalid-range');
  const facts = await loadReleaseDefectFacts(ctx.tx, range!, input.by);
  return defectDensityReport(facts, range!, input.by, input.bucket);
}
