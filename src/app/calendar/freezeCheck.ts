/** `calendar check`: may this service go into this environment at this instant? */
import { decideFreeze, type FreezeDecision } from '../../domain/calendar/freeze.js';
import { invalid } from '../../domain/errors.js';
import { listFreezeExceptions, listWindows } from '../../store/calendar.js';
import { listEnvironments, listServices } from '../../store/catalog.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface FreezeCheckInput {
  service: string;
  environment: string;
  /** ISO 8601 instant; absent means now. */
  at?: string;
  region?: string;
  release?: string;
}

export async function checkFreeze(ctx: Ctx, input: FreezeCheckInput): Promise<FreezeDecision> {
  authorize(ctx.actor, 'release:read');
  const service = (await listServices(ctx.tx)).find((s) => s.name === input.service);
  if (!service) throw invalid('service', `service '${input.service}' does not exist`);
  const environment = (await listEnvironments(ctx.tx)).find((e) => e.name === input.environment);
  if (!environment)
    throw invalid('environment', `environment '${input.environment}' does not exist`);
  if (input.region && !environment.regions.includes(input.region))
    throw invalid(
      'region',
      `${input.environment} has no region '${input.region}' (it has ${environment.regions.join(', ') || 'none'})`,
    );
  const at = input.at === undefined ? ctx.now : new Date(input.at);
  if (Number.isNaN(at.getTime()))
    throw invalid('at', `'${input.at}' is not an ISO 8601 date-time with an offset`);
  let release: { key: string; changeType: string } | undefined;
  if (input.release) {
    const found = await loadRelease(ctx.tx, input.release);
    if (!found) throw invalid('release', `release '${input.release}' does not exist`);
    release = { key: found.key, changeType: found.changeType };
  }
  const windows = await listWindows(ctx.tx);
  const exceptions = release ? await listFreezeExceptions(ctx.tx, { release: release.key }) : [];
  return decideFreeze(
    windows,
    {
      service: { name: service.name, tier: service.tier },
      environment: {
        name: environment.name,
        regions: input.region ? [input.region] : environment.regions,
      },
      at,
      ...(release ? { release } : {}),
    },
    exceptions,
  );
}
