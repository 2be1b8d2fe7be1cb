import type { CatalogDocument } from '../../domain/catalog.js';
import { downstreamOf } from '../../domain/dependency-graph.js';
import { notFound } from '../../domain/errors.js';
import {
  dependencyEdges,
  listEnvironments,
  listServices,
  listTeams,
  type Service,
} from '../../store/catalog.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

/** The catalog in the same shape `catalog apply` accepts, so it round-trips. */
export async function readCatalog(ctx: Ctx): Promise<Required<CatalogDocument>> {
  authorize(ctx.actor, 'catalog:read');
  const [teams, services, environments] = await Promise.all([
    listTeams(ctx.tx),
    listServices(ctx.tx),
    listEnvironments(ctx.tx),
  ]);
  return {
    teams: teams.map((t) => ({
      name: t.name,
      displayName: t.displayName,
      ...(t.timeZone ? { timeZone: t.timeZone } : {}),
    })),
    services: services.map((s) => ({
      name: s.name,
      team: s.team,
      tier: s.tier,
      customerFacing: s.customerFacing,
      dataSensitivity: s.dataSensitivity,
      description: s.description,
      slos: s.slos,
      dependsOn: s.dependsOn,
    })),
    environments: environments.map((e) => ({
      name: e.name,
      displayName: e.displayName,
      position: e.position,
      production: e.production,
      regions: e.regions,
      ...(e.capacity !== null ? { capacity: e.capacity } : {}),
    })),
  };
}

export async function readService(
  ctx: Ctx,
  name: string,
): Promise<Omit<Service, 'id'> & { dependents: string[] }> {
  authorize(ctx.actor, 'catalog:read');
  const service = (await listServices(ctx.tx)).find((s) => s.name === name);
  if (!service) throw notFound('service', name);
  const { id: _id, ...rest } = service;
  return { ...rest, dependents: downstreamOf(await dependencyEdges(ctx.tx), [name]) };
}
