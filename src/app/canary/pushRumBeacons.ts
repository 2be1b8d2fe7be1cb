import type { CanaryAnalysis } from '../../domain/canary/analysis.js';
import {
  beaconsToSamples,
  rumConfigProblems,
  type PushRumBeaconsInput,
  type RumProblem,
} from '../../domain/canary/rum.js';
import { GatehouseError, notFound } from '../../domain/errors.js';
import { loadCanaryAnalysis } from '../../store/canary.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { pushCanarySamples } from './pushCanarySamples.js';

function refuse(problems: RumProblem[]): GatehouseError {
  const [first] = problems;
  return new GatehouseError('invalid', 'invalid-rum-beacons', `${first!.field}: ${first!.reason}`, {
    field: first!.field,
    problems,
  });
}

/**
 * A batch of real-user beacons appended to an analysis as baseline and canary samples:
 * the canary is the version of the analysed service this release carries. A batch with
 * one bad beacon is refused whole, so nothing is half-written.
 */
export async function pushRumBeacons(
  ctx: Ctx,
  analysisId: string,
  input: PushRumBeaconsInput,
): Promise<CanaryAnalysis> {
  authorize(ctx.actor, 'deployment:record');
  const analysis = await loadCanaryAnalysis(ctx.tx, analysisId);
  if (!analysis) throw notFound('canary analysis', analysisId);
  const configProblems = rumConfigProblems(analysis.config);
  if (configProblems.length > 0) throw refuse(configProblems);
  const release = await loadRelease(ctx.tx, analysis.release);
  const canaryVersion = release?.services.find((s) => s.service === analysis.service)?.version;
  if (!canaryVersion) throw notFound('release service', `${analysis.release}/${analysis.service}`);
  const { samples, problems } = beaconsToSamples(input, canaryVersion);
  if (problems.length > 0) throw refuse(problems);
  return pushCanarySamples(ctx, analysisId, samples);
}
